package dev.slipway.server.lifecycle;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.codec.TabularSpec;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.monitor.Monitoring;
import dev.slipway.monitor.alert.Alert;
import dev.slipway.monitor.canary.CanaryController;
import dev.slipway.monitor.canary.RolloutSpec;
import dev.slipway.monitor.feedback.LabeledPrediction;
import dev.slipway.monitor.lifecycle.LifecycleActions;
import dev.slipway.monitor.log.LoggedPrediction;
import dev.slipway.registry.Lineage;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.server.config.LifecycleConfig;
import dev.slipway.server.gate.Evaluator;
import dev.slipway.server.gate.GatePolicy;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.host.ModelManifest;
import dev.slipway.serving.host.Verifier;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.data.TrainTestSplit;
import dev.slipway.train.logistic.LogisticRegressionTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The lifecycle's actions on a real server: retraining from the prediction log and feedback with
 * Slipway's logistic-regression trainer, the evaluation gate through the serving pipeline, and the
 * canary controller.
 *
 * <ul>
 *   <li><b>retrain</b> reads the latest labelled window: predictions of the model (any version)
 *       made in the {@code retrain.window} before now that have feedback, with their logged inputs.
 *       With fewer than {@code retrain.minRows} such rows the run fails. A seeded split holds out
 *       {@code retrain.holdout} of them for the gate; the rest trains a logistic regression on the
 *       champion's features and labels (its {@link TabularSpec}). The new version is registered
 *       with lineage (parent version, rows, window, seed, the alert) and a data profile of the
 *       window's rows. A model without a champion has its current version pinned as champion first
 *       (forced, audited), so the new version takes no traffic before its canary.
 *   <li><b>gate</b> scores the candidate and the champion on the held-out rows with {@link
 *       Evaluator}, lets the policy's {@link GatePolicy} decide and records the result on the
 *       candidate.
 *   <li><b>startCanary</b> starts a rollout against the champion with the policy's steps and the
 *       canary settings.
 * </ul>
 *
 * <p>Thread-safe; the held-out rows of a candidate are kept in memory until its gate ran.
 */
public final class RegistryLifecycleActions implements LifecycleActions {
  /** The actor of the lifecycle's registry changes. */
  public static final String ACTOR = "slipway-lifecycle";

  /** Most logged rows one retraining reads. */
  static final int MAX_ROWS = 200_000;

  private static final String LABEL = "__label";

  private final ModelRegistry registry;
  private final Monitoring monitoring;
  private final Evaluator evaluator;
  private final CanaryController canary;
  private final Function<String, LifecycleConfig.Policy> policies;
  private final Clock clock;
  private final Map<String, HeldOut> heldOut = new ConcurrentHashMap<>();

  private record HeldOut(List<Record> rows, String positive) {}

  public RegistryLifecycleActions(
      ModelRegistry registry,
      Monitoring monitoring,
      Evaluator evaluator,
      CanaryController canary,
      Function<String, LifecycleConfig.Policy> policies,
      Clock clock) {
    this.registry = registry;
    this.monitoring = monitoring;
    this.evaluator = evaluator;
    this.canary = canary;
    this.policies = policies;
    this.clock = clock;
  }

  @Override
  public Retrained retrain(String model, Alert cause) throws Exception {
    LifecycleConfig.Retrain settings = policy(model).retrain();
    ModelVersion parent = champion(model);
    TabularSpec spec = spec(parent);
    String positive = spec.positiveLabel();
    String negative =
        spec.labels().stream()
            .filter(l -> !l.equals(positive))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "version "
                            + parent.version()
                            + " of '"
                            + model
                            + "' is not a binary classifier: labels "
                            + spec.labels()));
    Instant to = clock.instant();
    Instant from = to.minus(settings.window());
    List<Record> rows = labelledRows(model, spec.fields(), from, to, positive, negative);
    if (rows.size() < settings.minRows()) {
      throw new IllegalStateException(
          "only "
              + rows.size()
              + " labelled predictions with logged inputs from "
              + from
              + " to "
              + to
              + "; retraining needs "
              + settings.minRows());
    }
    TrainTestSplit<Record> split = TrainTestSplit.of(rows, settings.holdout(), settings.seed());
    Schema features = new Schema(spec.fields());
    TrainedModel trained =
        new LogisticRegressionTrainer(LogisticRegressionTrainer.Options.defaults(settings.seed()))
            .train(features, LABEL, positive, split.train(), split.test());
    Map<String, String> parameters = new LinkedHashMap<>(trained.parameters());
    parameters.put("parent_version", Integer.toString(parent.version()));
    parameters.put("trainer", "logistic_regression");
    parameters.put("window_from", from.toString());
    parameters.put("window_to", to.toString());
    parameters.put("labelled_rows", Integer.toString(rows.size()));
    parameters.put("train_rows", Integer.toString(split.train().size()));
    parameters.put("holdout_rows", Integer.toString(split.test().size()));
    parameters.put("seed", Long.toString(settings.seed()));
    parameters.put("alert", cause.rule().name());
    String description =
        String.format(
            Locale.ROOT,
            "Retrained by the lifecycle of '%s' after alert %s: %d labelled predictions from %s to"
                + " %s (parent version %d)",
            model,
            cause.rule().name(),
            rows.size(),
            from,
            to,
            parent.version());
    Path file = Files.createTempFile("slipway-retrain", ".onnx");
    ModelVersion v;
    try {
      Files.write(file, trained.onnx());
      String manifest =
          Verifier.prepare(
                  Verifier.format("onnx"),
                  file,
                  new ModelManifest(trained.spec(), description),
                  null)
              .toJson();
      v =
          registry.register(
              new Registration(
                  model,
                  file,
                  "onnx",
                  manifest,
                  trained.metrics(),
                  description,
                  ACTOR,
                  new Lineage(
                      "prediction-log:" + model + "?from=" + from + "&to=" + to,
                      parameters.get("training_sha256"),
                      parameters),
                  null));
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a temp file left behind is harmless
      }
    }
    // The profile covers the held-out rows too, so that the gate's rows pass the input checks.
    registry.putDocument(
        model, v.version(), Guards.PROFILE, DataProfile.of(features, rows).toYaml(), ACTOR);
    heldOut.put(model + "/" + v.version(), new HeldOut(split.test(), positive));
    return new Retrained(
        v.version(),
        String.format(
            Locale.ROOT,
            "%d labelled rows from %s to %s (%d trained, %d held out), parent version %d;"
                + " trainer's held-out auc %.4f",
            rows.size(),
            from,
            to,
            split.train().size(),
            split.test().size(),
            parent.version(),
            trained.metrics().getOrDefault("auc", Double.NaN)));
  }

  @Override
  public GateVerdict gate(String model, int candidate) {
    HeldOut rows = heldOut.remove(model + "/" + candidate);
    if (rows == null) {
      throw new IllegalStateException(
          "no held-out rows for version " + candidate + " of '" + model + "': retrain it first");
    }
    Integer champion = registry.aliases(model).get(ModelRegistry.CHAMPION);
    Map<String, Double> cand =
        evaluator.evaluate(model + "/" + candidate, rows.rows(), LABEL, rows.positive());
    Map<String, Double> champ =
        champion == null || champion == candidate
            ? null
            : evaluator.evaluate(model + "/" + champion, rows.rows(), LABEL, rows.positive());
    GatePolicy.Decision d = policy(model).gate().decide(cand, champ);
    String details =
        (d.blessed() ? "all checks passed" : String.join("; ", d.failures()))
            + (champ == null
                ? " (no other champion to compare with)"
                : " (champion: version " + champion + ")")
            + " on "
            + rows.rows().size()
            + " held-out rows of the retraining window";
    registry.recordGate(
        model, candidate, d.blessed() ? "BLESSED" : "NOT_BLESSED", d.numbers(), details, ACTOR);
    return new GateVerdict(d.blessed(), d.numbers(), details);
  }

  @Override
  public void startCanary(String model, int candidate, List<Integer> steps) {
    LifecycleConfig.Canary c = policy(model).canary();
    List<Double> percents = new ArrayList<>();
    for (int s : steps) {
      percents.add((double) s);
    }
    canary.start(
        new RolloutSpec(
            model,
            null,
            candidate,
            percents,
            c.minStepDuration(),
            c.minSamples(),
            c.maxErrorIncrease(),
            c.maxP99Ratio(),
            c.metric(),
            0.05,
            null,
            false),
        ACTOR);
  }

  private LifecycleConfig.Policy policy(String model) {
    LifecycleConfig.Policy p = policies.apply(model);
    if (p == null) {
      throw new IllegalStateException("model '" + model + "' has no lifecycle policy");
    }
    return p;
  }

  /** The champion, pinning the version serving now when the model has none. */
  private ModelVersion champion(String model) {
    Integer champion = registry.aliases(model).get(ModelRegistry.CHAMPION);
    if (champion != null) {
      return registry.version(model, champion).orElseThrow();
    }
    ModelVersion current = registry.resolve(model);
    registry.setAlias(
        model,
        ModelRegistry.CHAMPION,
        current.version(),
        ACTOR,
        "pinned before registering a retrained version, so that it takes no traffic before its"
            + " canary",
        true);
    return current;
  }

  private static TabularSpec spec(ModelVersion v) {
    TabularSpec spec = v.manifest() == null ? null : ModelManifest.fromJson(v.manifest()).tabular();
    if (spec == null || spec.positiveLabel() == null) {
      throw new IllegalStateException(
          "version "
              + v.version()
              + " of '"
              + v.name()
              + "' has no record preprocessing of a binary classifier in its manifest: the"
              + " lifecycle can retrain only models trained by Slipway's logistic regression");
    }
    return spec;
  }

  /**
   * The window's predictions that have feedback, as training records: the logged inputs of the
   * spec's fields, typed as the fields say, with the label.
   */
  private List<Record> labelledRows(
      String model,
      List<Field> fields,
      Instant from,
      Instant to,
      String positive,
      String negative) {
    Map<Long, Map<String, Object>> inputs = new HashMap<>();
    for (LoggedPrediction p : monitoring.log().window(model, null, from, to, MAX_ROWS, true)) {
      if (p.inputs() != null) {
        inputs.put(p.id(), p.inputs());
      }
    }
    List<Record> out = new ArrayList<>();
    for (LabeledPrediction lp : monitoring.feedback().joined(model, from, to)) {
      Map<String, Object> in = inputs.get(lp.predictionId());
      if (in == null) {
        continue;
      }
      Map<String, Object> values = new LinkedHashMap<>();
      boolean complete = true;
      for (Field f : fields) {
        Object v = typed(in.get(f.name()), f.type());
        if (v == null) {
          complete = false;
          break;
        }
        values.put(f.name(), v);
      }
      if (complete) {
        values.put(LABEL, lp.label() >= 0.5 ? positive : negative);
        out.add(Record.of(values));
      }
    }
    return out;
  }

  private static Object typed(Object v, DataType type) {
    if (v == null) {
      return null;
    }
    if (type.isFloatingPoint()) {
      return v instanceof Number n ? n.doubleValue() : null;
    }
    if (type.isNumeric()) {
      return v instanceof Number n ? n.longValue() : null;
    }
    if (type == DataType.BYTES) {
      return v instanceof String ? v : String.valueOf(v);
    }
    return v;
  }

  /** For tests: whether held-out rows of a candidate wait for its gate. */
  boolean holdsRowsFor(String model, int version) {
    return heldOut.containsKey(model + "/" + version);
  }
}
