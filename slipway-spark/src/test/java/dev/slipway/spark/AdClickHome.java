package dev.slipway.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.api.ModelFormat;
import dev.slipway.batch.BatchEngine;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.guard.GuardConfig;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.guard.RegistryFailureFilters;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ModelManifest;
import dev.slipway.serving.host.Verifier;
import dev.slipway.train.AdClickDemo;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.data.AdClickGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Slipway home holding the ad-click model as {@code ad-click@champion} with its data profile, and
 * the embedded batch engine over it guarded as {@link Guarding#REJECT} guards it on Spark.
 */
final class AdClickHome {
  static final String MODEL = "ad-click";
  static final long SEED = 7;

  private AdClickHome() {}

  /** Trains and registers the model in a new home. */
  static void create(Path home) throws Exception {
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      TrainedModel trained = AdClickDemo.train(SEED, 4_000);
      Path file = Files.createTempFile("ad-click", ".onnx");
      Files.write(file, trained.onnx());
      String manifest =
          Verifier.prepare(
                  Verifier.format("onnx"), file, new ModelManifest(trained.spec(), "test"), null)
              .toJson();
      ModelVersion v =
          registry.register(
              new Registration(
                  MODEL, file, "onnx", manifest, trained.metrics(), "spark test", "test"));
      AdClickGenerator g = new AdClickGenerator(SEED);
      registry.putDocument(
          MODEL,
          v.version(),
          Guards.PROFILE,
          DataProfile.of(g.schema(), g.generate(4_000)).toYaml(),
          "test");
      registry.setAlias(MODEL, ModelRegistry.CHAMPION, v.version(), "test", "spark test", true);
      Files.delete(file);
    }
  }

  /** The embedded engine on an open registry, with rejecting input checks (or none). */
  static BatchEngine engine(
      ModelRegistry registry, ModelHost host, Guarding guarding, Clock clock) {
    Guards guards = null;
    if (guarding == Guarding.REJECT) {
      guards =
          new Guards(
                  n -> n.equals(MODEL) ? GuardSpec.rejecting() : null,
                  v -> Optional.empty(),
                  new SimpleMeterRegistry())
              .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    }
    Pipeline pipeline =
        new Pipeline(
            host, new SimpleMeterRegistry(), n -> null, Pipeline.Limits.defaults(), guards);
    return new BatchEngine(pipeline, clock);
  }

  /**
   * The embedded engine guarded by the {@code guards} sections of a slipway.yaml, built as {@code
   * slipway batch score --config} builds them (the server's config reads a section with the same
   * {@link GuardConfig}).
   */
  static BatchEngine engine(
      ModelRegistry registry,
      ModelHost host,
      Path slipwayYaml,
      RegistryFailureFilters filters,
      Clock clock)
      throws Exception {
    JsonNode models =
        new ObjectMapper(new YAMLFactory()).readTree(slipwayYaml.toFile()).get("models");
    Map<String, GuardSpec> specs = new HashMap<>();
    List<String> problems = new ArrayList<>();
    models
        .properties()
        .forEach(
            m ->
                specs.put(
                    m.getKey(),
                    GuardConfig.parse(
                        m.getValue().get("guards"), "models." + m.getKey() + ".guards", problems)));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.toString());
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Guards guards =
        new Guards(
                specs::get,
                v -> {
                  GuardSpec s = specs.get(v.name());
                  return s != null && !s.fallback().isEmpty() ? filters.apply(v) : Optional.empty();
                },
                meters)
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    Pipeline pipeline = new Pipeline(host, meters, n -> null, Pipeline.Limits.defaults(), guards);
    return new BatchEngine(pipeline, clock);
  }

  static ModelHost host(ModelRegistry registry) {
    return new ModelHost(registry, ModelFormat.LoadOptions.defaults());
  }
}
