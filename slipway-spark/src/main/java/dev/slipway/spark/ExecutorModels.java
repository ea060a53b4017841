package dev.slipway.spark;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.artifact.LocalArtifactStore;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.guard.FilterDocument;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.guard.RegistryFailureFilters;
import dev.slipway.serving.host.Deployment;
import dev.slipway.serving.host.ModelHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The pipelines of one executor JVM, one per broadcast set of models and guards, built on first use
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
   * The pipeline serving a job's models in this JVM, built on first use.
   *
   * @param key the models' {@link JobModels#key()}
   * @param models the models, read only when the pipeline is built (it deserializes the artifacts)
   */
  static Pipeline pipeline(String key, Supplier<JobModels> models, SparkGuards guarding) {
    return PIPELINES.computeIfAbsent(
        key + "#" + guarding.cacheKey(), k -> build(models.get(), guarding));
  }

  private static Pipeline build(JobModels models, SparkGuards guarding) {
    Path dir;
    try {
      dir = Files.createTempDirectory("slipway-spark-");
      dir.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the model's artifact", e);
    }
    LocalArtifactStore store = new LocalArtifactStore(dir.resolve("artifacts"));
    ModelBundle primary = models.primary();
    Map<String, ModelVersion> versions = new HashMap<>();
    Map<String, ModelBundle> bundles = new HashMap<>();
    List<ModelBundle> all = new ArrayList<>(models.others());
    all.add(0, primary);
    for (ModelBundle b : all) {
      put(
          store,
          b.artifact(),
          b.sha256(),
          "the broadcast artifact of " + ModelHost.ref(b.name(), b.version()));
      String ref = ModelHost.ref(b.name(), b.version());
      versions.put(ref, b.toVersion());
      bundles.put(ref, b);
    }
    if (primary.filter() != null) {
      put(
          store,
          primary.filter(),
          FilterDocument.fromJson(primary.documents().get(FilterDocument.KIND)).sha256(),
          "the broadcast filtering model of " + ModelHost.ref(primary.name(), primary.version()));
    }
    HikariConfig db = new HikariConfig();
    db.setJdbcUrl("jdbc:h2:mem:slipway-spark-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    db.setMaximumPoolSize(2); // Flyway holds one connection while it migrates on another
    db.setMinimumIdle(0);
    db.setPoolName("slipway-spark-registry");
    ModelRegistry registry = new ModelRegistry(new HikariDataSource(db), store, Clock.systemUTC());
    Map<String, String> routes = models.routes();
    ModelHost host =
        new ModelHost(
            registry,
            r -> {
              // a version by number, or a fallback link as the driver resolved it
              ModelVersion v = versions.get(routes.getOrDefault(r, r));
              if (v == null) {
                throw new ModelNotFoundException(
                    "this Spark job serves only " + versions.keySet() + ", not " + r);
              }
              return v;
            },
            name -> Deployment.defaults(),
            Duration.ofMinutes(5),
            System::nanoTime);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Guards guards = null;
    if (guarding.spec(primary.name()) != null) {
      // as slipway batch score --config builds them: the guard settings by model name (a fallback
      // model's output checks are its own section's), the filtering model consulted when the
      // model has a fallback chain, documents from the versions' shipped copies
      Map<String, GuardSpec> specs = new HashMap<>();
      for (ModelBundle b : all) {
        specs.computeIfAbsent(b.name(), guarding::spec);
      }
      RegistryFailureFilters filters =
          new RegistryFailureFilters(
              registry,
              v ->
                  Optional.ofNullable(bundles.get(ModelHost.ref(v.name(), v.version())))
                      .map(b -> b.documents().get(FilterDocument.KIND)));
      guards =
          new Guards(
                  specs::get,
                  v -> {
                    GuardSpec s = specs.get(v.name());
                    return s != null && !s.fallback().isEmpty()
                        ? filters.apply(v)
                        : Optional.empty();
                  },
                  meters)
              .documents(
                  (v, kind) ->
                      Optional.ofNullable(bundles.get(ModelHost.ref(v.name(), v.version())))
                          .map(b -> b.documents().get(kind)));
    }
    Pipeline pipeline =
        new Pipeline(host, meters, name -> null, Pipeline.Limits.defaults(), guards);
    // load (and verify against the golden records) now, once, rather than in the first chunk; a
    // fallback model loads when a row first needs it, as in the embedded engine
    host.load(primary.name(), primary.version());
    return pipeline;
  }

  /** Puts broadcast bytes into the executor's store, checking they are what the driver read. */
  private static void put(LocalArtifactStore store, byte[] bytes, String sha256, String what) {
    String sha = store.put(bytes);
    if (!sha.equals(sha256)) {
      throw new IllegalStateException(what + " has sha256 " + sha + ", not " + sha256);
    }
  }
}
