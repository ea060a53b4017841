package dev.slipway.server.demo;

import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.serving.host.ModelManifest;
import dev.slipway.train.AdClickDemo;
import dev.slipway.train.TrainedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Trains the ad-click demo model and registers it as {@value #NAME}. The same seed and row count
 * give the same model. Stateless.
 */
public final class DemoModel {
  /** The name the demo model is registered under. */
  public static final String NAME = "ad-click";

  private DemoModel() {}

  /**
   * Registers the demo model unless a version of it exists already.
   *
   * @return the version that was registered, or empty if one was there
   */
  public static Optional<ModelVersion> ensureRegistered(
      ModelRegistry registry, long seed, int rows) {
    boolean present = registry.models().stream().anyMatch(m -> m.name().equals(NAME));
    if (present) {
      return Optional.empty();
    }
    return Optional.of(register(registry, seed, rows));
  }

  /** Trains on {@code rows} seeded records and registers a new version. */
  public static ModelVersion register(ModelRegistry registry, long seed, int rows) {
    TrainedModel trained = AdClickDemo.train(seed, rows);
    Path file = null;
    try {
      file = Files.createTempFile("ad-click", ".onnx");
      Files.write(file, trained.onnx());
      // Golden records: generated from the schema, answered by the model as trained.
      String manifest =
          dev.slipway.serving.host.Verifier.prepare(
                  dev.slipway.serving.host.Verifier.format("onnx"),
                  file,
                  new ModelManifest(
                      trained.spec(), "Logistic regression: will a user click this ad?"),
                  null)
              .toJson();
      return registry.register(
          new Registration(
              NAME,
              file,
              "onnx",
              manifest,
              trained.metrics(),
              "Ad-click demo (seed " + seed + ", " + rows + " rows), trained by Slipway",
              "slipway-demo"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }
}
