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
import java.util.Map;
import java.util.Optional;

/**
 * Trains the ad-click demo model and registers it as {@value #NAME}. The same seed and row count
 * give the same model. Stateless.
 */
public final class DemoModel {
  /** The name the demo model is registered under. */
  public static final String NAME = "ad-click";

  /** Held-out rows the demo's filtering model is trained and measured on. */
  public static final int FILTER_ROWS = 10_000;

  /** The filter's rows are generated with the model's seed plus this: rows it never saw. */
  public static final long FILTER_SEED_OFFSET = 1000;

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DemoModel.class);

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
      trainFilter(registry, v, trained, file, seed);
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
   * Trains the version's filtering model on {@value #FILTER_ROWS} fresh generated rows (seed {@code
   * seed + }{@value #FILTER_SEED_OFFSET}) labelled by whether the model, run from {@code file}, got
   * them right, and stores it with the version. A filter that cannot be trained (too few mistakes
   * to learn from) is logged and left out: the demo serves without it.
   */
  private static void trainFilter(
      ModelRegistry registry, ModelVersion v, TrainedModel trained, Path file, long seed) {
    long filterSeed = seed + FILTER_SEED_OFFSET;
    java.util.List<dev.slipway.api.Record> rows =
        new dev.slipway.train.data.AdClickGenerator(filterSeed).generate(FILTER_ROWS);
    dev.slipway.api.codec.TabularCodec codec =
        new dev.slipway.api.codec.TabularCodec(trained.spec());
    try (dev.slipway.api.Predictor p =
        dev.slipway.serving.host.Verifier.format("onnx")
            .load(file, dev.slipway.api.ModelFormat.LoadOptions.defaults())) {
      boolean[] failed =
          dev.slipway.server.filter.FilterTraining.failures(
              records ->
                  codec.decode(p.infer(codec.encode(records), java.util.Set.of()), records.size()),
              rows,
              dev.slipway.server.filter.FilterTraining.Labelling.classifier(
                  dev.slipway.train.data.AdClickGenerator.LABEL));
      dev.slipway.serving.guard.FilterDocument doc =
          dev.slipway.server.filter.FilterTraining.trainAndStore(
              registry,
              v,
              codec.schema(),
              rows,
              failed,
              dev.slipway.train.filter.FilterTrainer.Options.defaults(filterSeed),
              java.time.Clock.systemUTC(),
              "slipway-demo");
      Map<String, Double> m = doc.metrics();
      log.info(
          String.format(
              java.util.Locale.ROOT,
              "%s/%d: filtering model routes %.1f%% of held-out rows away (precision %.2f, recall"
                  + " %.2f); the model's accuracy %.4f on all rows, %.4f on the rows let through",
              v.name(),
              v.version(),
              100 * m.get("routed_share"),
              m.get("precision"),
              m.get("recall"),
              m.get("accuracy_all"),
              m.get("accuracy_kept")));
    } catch (dev.slipway.api.InvalidInputException e) {
      log.warn("{}/{}: no filtering model: {}", v.name(), v.version(), e.getMessage());
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
