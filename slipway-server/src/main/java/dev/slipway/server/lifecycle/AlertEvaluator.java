package dev.slipway.server.lifecycle;

import dev.slipway.guard.profile.DataProfile;
import dev.slipway.monitor.Monitoring;
import dev.slipway.monitor.alert.AlertEngine;
import dev.slipway.monitor.drift.ProfileDrift;
import dev.slipway.monitor.feedback.LabeledPrediction;
import dev.slipway.monitor.performance.BinaryMetrics;
import dev.slipway.monitor.performance.WindowDrift;
import dev.slipway.monitor.performance.Windows;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.config.LifecycleConfig;
import dev.slipway.serving.guard.Guards;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes monitoring windows and feeds their values to the {@link AlertEngine}. Windows have the
 * configured length, aligned to the epoch in UTC; a window {@code [s, e)} is closed, and evaluated
 * once, at the first evaluation at or after {@code e + closeDelay} (the delay lets feedback for the
 * window's predictions arrive). The first window evaluated is the one holding the time the
 * evaluator was made: windows before the server started are not judged.
 *
 * <p>Per model with rules, only the metrics its rules watch are computed:
 *
 * <ul>
 *   <li>{@code auc}, {@code accuracy} (at the model's monitoring threshold), {@code log_loss}: of
 *       the predictions made in the window that have feedback, all versions together;
 *   <li>{@code predictions}: rows logged in the window;
 *   <li>{@code drift.psi.<feature>} and {@code drift.psi.max}: PSI of each profiled feature of the
 *       window's logged inputs against the training profile of the version that served most rows in
 *       the window, and the largest of them;
 *   <li>{@code prediction_drift.psi}: PSI of that version's scores against its first window of
 *       logged traffic.
 * </ul>
 *
 * A metric computed from fewer than {@code minRows} rows has no value and is not observed: the
 * window neither breaches nor recovers the rule.
 *
 * <p>Thread-safe: evaluations are serialised.
 */
public final class AlertEvaluator {
  private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);

  /** Most windows closed in one evaluation (after a long pause the oldest are skipped). */
  static final int MAX_WINDOWS_PER_EVALUATION = 100;

  private final LifecycleConfig.Alerts settings;
  private final AlertEngine engine;
  private final Monitoring monitoring;
  private final ModelRegistry registry;
  private final Map<String, Instant> next = new HashMap<>();
  private final Map<String, Evaluated> latest = new HashMap<>();

  /**
   * The values of one closed window.
   *
   * @param model the model
   * @param start the window's start
   * @param end the window's end
   * @param values the computed metrics that had enough rows, by name
   */
  public record Evaluated(String model, Instant start, Instant end, Map<String, Double> values) {
    public Evaluated {
      values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
  }

  /**
   * @param start the first evaluated window is the one holding this instant
   */
  public AlertEvaluator(
      LifecycleConfig.Alerts settings,
      AlertEngine engine,
      Monitoring monitoring,
      ModelRegistry registry,
      Instant start) {
    this.settings = settings;
    this.engine = engine;
    this.monitoring = monitoring;
    this.registry = registry;
    for (String model : settings.rules().keySet()) {
      next.put(model, Windows.start(start, settings.window()));
    }
  }

  /** The last closed window of a model, if one was evaluated. */
  public synchronized Optional<Evaluated> latest(String model) {
    return Optional.ofNullable(latest.get(model));
  }

  /**
   * Evaluates every window closed at {@code now} and not evaluated yet.
   *
   * @return what was observed, oldest first
   */
  public synchronized List<Evaluated> evaluateAt(Instant now) {
    List<Evaluated> out = new ArrayList<>();
    Duration w = settings.window();
    for (Map.Entry<String, Instant> e : next.entrySet()) {
      String model = e.getKey();
      Instant start = e.getValue();
      int closed = 0;
      while (!start.plus(w).plus(settings.closeDelay()).isAfter(now)) {
        closed++;
        start = start.plus(w);
      }
      if (closed > MAX_WINDOWS_PER_EVALUATION) {
        LOG.warn(
            "alerts of '{}': {} windows closed since the last evaluation; judging the last {}",
            model,
            closed,
            MAX_WINDOWS_PER_EVALUATION);
      }
      Instant s = start.minus(w.multipliedBy(Math.min(closed, MAX_WINDOWS_PER_EVALUATION)));
      for (; s.isBefore(start); s = s.plus(w)) {
        Evaluated ev;
        try {
          ev = evaluate(model, s, s.plus(w));
        } catch (RuntimeException ex) {
          LOG.warn("alerts of '{}': window {} not evaluated: {}", model, s, ex.getMessage());
          continue;
        }
        latest.put(model, ev);
        out.add(ev);
        ev.values().forEach((metric, value) -> engine.observe(model, metric, ev.end(), value));
      }
      e.setValue(start);
    }
    return out;
  }

  /** The metrics of one window of one model (those its rules watch). */
  Evaluated evaluate(String model, Instant start, Instant end) {
    Set<String> watched = engine.metrics(model);
    Map<String, Double> values = new LinkedHashMap<>();
    boolean performance =
        watched.contains("auc") || watched.contains("accuracy") || watched.contains("log_loss");
    if (performance) {
      List<LabeledPrediction> joined = monitoring.feedback().joined(model, start, end);
      if (joined.size() >= settings.minRows()) {
        double[] s = new double[joined.size()];
        double[] l = new double[joined.size()];
        for (int i = 0; i < s.length; i++) {
          s[i] = joined.get(i).score();
          l[i] = joined.get(i).label();
        }
        put(values, watched, "auc", BinaryMetrics.auc(s, l));
        put(
            values,
            watched,
            "accuracy",
            BinaryMetrics.accuracy(s, l, monitoring.settings().threshold(model)));
        put(values, watched, "log_loss", BinaryMetrics.logLoss(s, l));
      }
    }
    boolean drift =
        watched.contains("predictions")
            || watched.contains("prediction_drift.psi")
            || watched.stream().anyMatch(m -> m.startsWith("drift.psi."));
    if (drift) {
      WindowDrift.Result r =
          monitoring.drift(
              model, start, end, settings.window(), v -> profile(model, v), null, null);
      long total = 0;
      WindowDrift.ScorePoint top = null;
      for (WindowDrift.ScorePoint p : r.scores()) {
        total += p.count();
        if (top == null || p.count() > top.count()) {
          top = p;
        }
      }
      put(values, watched, "predictions", (double) total);
      if (top != null && top.count() >= settings.minRows()) {
        if (top.drift() != null) {
          put(values, watched, "prediction_drift.psi", top.drift().psi());
        }
        double max = Double.NaN;
        for (WindowDrift.FeaturePoint f : r.features()) {
          if (f.version() != top.version() || f.drift().windowValues() < settings.minRows()) {
            continue;
          }
          double psi = psi(f.drift());
          if (Double.isFinite(psi)) {
            put(values, watched, "drift.psi." + f.drift().feature(), psi);
            max = Double.isNaN(max) ? psi : Math.max(max, psi);
          }
        }
        put(values, watched, "drift.psi.max", max);
      }
    }
    return new Evaluated(model, start, end, values);
  }

  private static double psi(ProfileDrift.FeatureDrift d) {
    if (d.numeric() != null) {
      return d.numeric().psi();
    }
    return d.categorical() == null ? Double.NaN : d.categorical().psi();
  }

  private static void put(Map<String, Double> values, Set<String> watched, String k, double v) {
    if (watched.contains(k) && Double.isFinite(v)) {
      values.put(k, v);
    }
  }

  private Optional<DataProfile> profile(String model, int version) {
    return registry.document(model, version, Guards.PROFILE).map(DataProfile::fromYaml);
  }
}
