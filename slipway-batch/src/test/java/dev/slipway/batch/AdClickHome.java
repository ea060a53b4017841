package dev.slipway.batch;

import dev.slipway.api.ModelFormat;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ModelManifest;
import dev.slipway.serving.host.Verifier;
import dev.slipway.train.AdClickDemo;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.data.AdClickGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Slipway home holding the ad-click model as {@code ad-click@champion}, with its data profile so
 * that rejecting input checks guard it, and the online pipeline over it.
 */
final class AdClickHome implements AutoCloseable {
  static final String MODEL = "ad-click";
  static final long SEED = 7;

  final ModelRegistry registry;
  final ModelHost host;
  final Pipeline pipeline;

  private AdClickHome(Path home) {
    registry = ModelRegistry.embedded(home);
    host = new ModelHost(registry, ModelFormat.LoadOptions.defaults());
    Guards guards =
        new Guards(
                n -> n.equals(MODEL) ? GuardSpec.rejecting() : null,
                v -> Optional.empty(),
                new SimpleMeterRegistry())
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    pipeline =
        new Pipeline(
            host, new SimpleMeterRegistry(), n -> null, Pipeline.Limits.defaults(), guards);
  }

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
                  MODEL, file, "onnx", manifest, trained.metrics(), "batch test", "test"));
      AdClickGenerator g = new AdClickGenerator(SEED);
      registry.putDocument(
          MODEL,
          v.version(),
          Guards.PROFILE,
          DataProfile.of(g.schema(), g.generate(4_000)).toYaml(),
          "test");
      registry.setAlias(MODEL, ModelRegistry.CHAMPION, v.version(), "test", "batch test", true);
      Files.delete(file);
    }
  }

  static AdClickHome open(Path home) {
    return new AdClickHome(home);
  }

  BatchEngine engine() {
    return new BatchEngine(pipeline, java.time.Clock.systemUTC());
  }

  @Override
  public void close() {
    host.close();
    registry.close();
  }
}
