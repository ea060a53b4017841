package dev.slipway.spark;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.artifact.LocalArtifactStore;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.host.Deployment;
import dev.slipway.serving.host.ModelHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The pipelines of one executor JVM, one per broadcast model version and guards, built on first use
 * and kept for the life of the JVM so that every partition (and every later job on the same
 * version) reuses the loaded model.
 *
 * <p>This is the one piece of static state in Slipway, and on purpose: Spark gives tasks no other
 * place to share an object across the partitions an executor runs. It only ever holds immutable
 * pinned versions (keyed by content address), so a cached entry is never stale.
 *
 * <p>An executor needs no metadata database: the model host reads the artifact from a private
 * content-addressed store in a temporary directory, filled from the broadcast bytes, and its
 * registry is a throwaway in-memory H2 database that exists only because the host asks a registry
 * for artifact paths. Thread-safe.
 */
final class ExecutorModels {
  private static final Map<String, Pipeline> PIPELINES = new ConcurrentHashMap<>();

  private ExecutorModels() {}

  /**
   * The pipeline serving a version in this JVM, built on first use.
   *
   * @param key the version's {@link ModelBundle#key()}
   * @param bundle the bundle, read only when the pipeline is built (it deserializes the artifact)
   */
  static Pipeline pipeline(
      String name, String key, Supplier<ModelBundle> bundle, SparkGuards guarding) {
    return PIPELINES.computeIfAbsent(
        key + "#" + guarding.cacheKey(name), k -> build(bundle.get(), guarding));
  }

  private static Pipeline build(ModelBundle bundle, SparkGuards guarding) {
    Path dir;
    try {
      dir = Files.createTempDirectory("slipway-spark-");
      dir.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the model's artifact", e);
    }
    LocalArtifactStore store = new LocalArtifactStore(dir.resolve("artifacts"));
    String sha = store.put(bundle.artifact());
    if (!sha.equals(bundle.sha256())) {
      throw new IllegalStateException(
          "the broadcast artifact of "
              + bundle.name()
              + "/"
              + bundle.version()
              + " has sha256 "
              + sha
              + ", not "
              + bundle.sha256());
    }
    HikariConfig db = new HikariConfig();
    db.setJdbcUrl("jdbc:h2:mem:slipway-spark-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    db.setMaximumPoolSize(2); // Flyway holds one connection while it migrates on another
    db.setMinimumIdle(0);
    db.setPoolName("slipway-spark-registry");
    ModelRegistry registry = new ModelRegistry(new HikariDataSource(db), store, Clock.systemUTC());
    ModelVersion version = bundle.toVersion();
    String ref = ModelHost.ref(bundle.name(), bundle.version());
    ModelHost host =
        new ModelHost(
            registry,
            r -> {
              if (r.equals(ref)) {
                return version;
              }
              throw new ModelNotFoundException("this Spark job serves only " + ref + ", not " + r);
            },
            name -> Deployment.defaults(),
            Duration.ofMinutes(5),
            System::nanoTime);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Guards guards = null;
    GuardSpec spec = guarding.spec(bundle.name());
    if (spec != null) {
      // as the server builds them, less what the driver refused (fallback models, filtering
      // model): the job's model is the only one an executor serves
      guards =
          new Guards(n -> n.equals(bundle.name()) ? spec : null, v -> Optional.empty(), meters)
              .documents((v, kind) -> Optional.ofNullable(bundle.documents().get(kind)));
    }
    Pipeline pipeline =
        new Pipeline(host, meters, name -> null, Pipeline.Limits.defaults(), guards);
    // load (and verify against the golden records) now, once, rather than in the first chunk
    host.load(bundle.name(), bundle.version());
    return pipeline;
  }
}
