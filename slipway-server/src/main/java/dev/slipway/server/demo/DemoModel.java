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
      ModelVersion v =
          registry.register(
              new Registration(
                  NAME,
                  file,
                  "onnx",
                  manifest,
                  trained.metrics(),
                  "Ad-click demo (seed " + seed + ", " + rows + " rows), trained by Slipway",
                  "slipway-demo"));
      // The data profile of the generated data: the baseline of input checks (and of drift).
      dev.slipway.train.data.AdClickGenerator generator =
          new dev.slipway.train.data.AdClickGenerator(seed);
      registry.putDocument(
          v.name(),
          v.version(),
          dev.slipway.serving.guard.Guards.PROFILE,
          dev.slipway.guard.profile.DataProfile.of(generator.schema(), generator.generate(rows))
              .toYaml(),
          "slipway-demo");
      return v;
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

  /**
   * The demo's guards: values outside the training data's range or domain are refused, a missing or
   * odd {@code user_age} is imputed with the median, answers must be probabilities, and when the
   * model cannot answer, a heuristic does (a high past click rate → click; otherwise the base rate
   * of about 4.6 %).
   */
  public static dev.slipway.serving.guard.GuardSpec guardSpec() {
    java.util.Map<String, Object> baseRate = new java.util.LinkedHashMap<>();
    baseRate.put("label", "no_click");
    baseRate.put("score", 0.046);
    baseRate.put("probabilities", java.util.List.of(0.046, 0.954));
    java.util.Map<String, Object> likely = new java.util.LinkedHashMap<>();
    likely.put("label", "click");
    likely.put("score", 0.5);
    likely.put("probabilities", java.util.List.of(0.5, 0.5));
    dev.slipway.guard.heuristic.Heuristic heuristic =
        new dev.slipway.guard.heuristic.Heuristic(
            java.util.List.of(
                new dev.slipway.guard.heuristic.Heuristic.Rule(
                    java.util.List.of(
                        new dev.slipway.guard.heuristic.Heuristic.Condition(
                            "user_past_ctr", dev.slipway.guard.heuristic.Heuristic.Op.GE, 0.2)),
                    likely)),
            baseRate);
    return new dev.slipway.serving.guard.GuardSpec(
        dev.slipway.guard.input.InputGuard.Policy.REJECT,
        java.util.Map.of("user_age", dev.slipway.guard.input.InputGuard.Policy.IMPUTE),
        java.util.Map.of(),
        java.util.Map.of(
            "score", new dev.slipway.guard.output.OutputGuard.Range(0.0, 1.0),
            "probabilities", new dev.slipway.guard.output.OutputGuard.Range(0.0, 1.0)),
        null,
        0,
        java.util.List.of(dev.slipway.serving.guard.GuardSpec.HEURISTIC),
        heuristic,
        null);
  }
}
