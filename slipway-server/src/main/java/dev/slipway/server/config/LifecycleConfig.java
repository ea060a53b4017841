package dev.slipway.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.monitor.alert.AlertRule;
import dev.slipway.monitor.canary.FeedbackMetric;
import dev.slipway.monitor.canary.MetricSpec;
import dev.slipway.monitor.lifecycle.LifecyclePolicy;
import dev.slipway.server.gate.GatePolicy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code alerts} and {@code lifecycle} sections of {@code slipway.yaml}: which monitored values
 * raise alerts, and what a model's lifecycle does when they fire. Both sections are optional; every
 * problem is reported with its path. Immutable.
 *
 * <pre>
 * alerts:
 *   window: 1h            # length of the evaluated windows (10s, 5m, 1h, 1d or ISO-8601; ≥ 1 s)
 *   closeDelay: 5m        # a window is evaluated this long after it ends (late feedback)
 *   evaluateEvery: 1m     # how often closed windows are looked for
 *   minRows: 100          # a metric needs this many rows in a window, else it has no value
 *   webhook: https://...  # optional: fired alerts are POSTed here
 *   models:
 *     ad-click:
 *       - {name: drift, metric: drift.psi.max, above: 0.25, windows: 2}
 *       - {name: auc-low, metric: auc, below: 0.7, windows: 3}
 * lifecycle:
 *   models:
 *     ad-click:
 *       onAlerts: [drift, auc-low]
 *       cooldown: 6h
 *       canarySteps: [5, 25, 50, 100]
 *       retrain: {window: 1d, minRows: 1000, holdout: 0.2, seed: 42}
 *       gate: {atLeast: {auc: 0.7}, atMost: {}, maxWorsening: {auc: 0.01, log_loss: 0}}
 *       canary: {minSamples: 1000, minStepDuration: 10m, evaluateEvery: 1m, maxP99Ratio: 1.5,
 *                maxErrorIncrease: 0.01,
 *                metric: {name: accuracy, margin: 0.01, effect: 0.01}}
 *                # metric: click_rate, accuracy or log_loss (direction and kind follow the
 *                # name), or none
 * </pre>
 *
 * @param alerts the alert rules and how windows are evaluated
 * @param policies per model name, its lifecycle
 */
public record LifecycleConfig(Alerts alerts, Map<String, Policy> policies) {
  public LifecycleConfig {
    Objects.requireNonNull(alerts, "alerts");
    policies = Map.copyOf(policies);
  }

  /** No alerts, no lifecycle. */
  public static LifecycleConfig none() {
    return new LifecycleConfig(Alerts.defaults(), Map.of());
  }

  /** Whether anything is configured: without rules the server starts no evaluator. */
  public boolean isEmpty() {
    return alerts.rules().isEmpty() && policies.isEmpty();
  }

  /**
   * How alerts are evaluated.
   *
   * @param window the length of an evaluated window, aligned to the epoch
   * @param closeDelay how long after a window's end it is evaluated (feedback arrives late)
   * @param evaluateEvery how often the evaluator looks for closed windows
   * @param minRows rows a window needs before a metric has a value
   * @param webhook where fired alerts are POSTed, or null
   * @param rules per model name, its rules
   */
  public record Alerts(
      Duration window,
      Duration closeDelay,
      Duration evaluateEvery,
      int minRows,
      String webhook,
      Map<String, List<AlertRule>> rules) {
    public Alerts {
      Map<String, List<AlertRule>> copy = new LinkedHashMap<>();
      rules.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      rules = java.util.Collections.unmodifiableMap(copy);
    }

    /** Hourly windows, evaluated 5 minutes after they end, checked every minute, 100 rows. */
    public static Alerts defaults() {
      return new Alerts(
          Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofMinutes(1), 100, null, Map.of());
    }
  }

  /**
   * A model's lifecycle.
   *
   * @param policy when to run and the canary's steps
   * @param retrain what the retraining reads
   * @param canary how the canary of a blessed candidate is judged
   * @param gate what the candidate must reach on the held-out rows (default {@link
   *     GatePolicy#defaults()})
   */
  public record Policy(LifecyclePolicy policy, Retrain retrain, Canary canary, GatePolicy gate) {}

  /**
   * The latest labelled window a retraining reads.
   *
   * @param window how far back from the run's start predictions count
   * @param minRows labelled rows with logged inputs needed, else the run fails at retrain
   * @param holdout the share of those rows held out for the gate (the rest trains)
   * @param seed seeds the split and the trainer
   */
  public record Retrain(Duration window, int minRows, double holdout, long seed) {
    public static Retrain defaults() {
      return new Retrain(Duration.ofDays(1), 1000, 0.2, 42);
    }
  }

  /**
   * The canary of a blessed candidate.
   *
   * @param minSamples requests (and feedback values) per arm and step before a step is judged
   * @param minStepDuration how long a step runs at least
   * @param evaluateEvery how often the lifecycle judges the running canary
   * @param maxErrorIncrease tolerated error-rate increase
   * @param maxP99Ratio the candidate's p99 may be at most this times the stable's
   * @param metric the feedback metric, or null to judge by errors and latency only
   */
  public record Canary(
      long minSamples,
      Duration minStepDuration,
      Duration evaluateEvery,
      double maxErrorIncrease,
      double maxP99Ratio,
      MetricSpec metric) {
    public static Canary defaults() {
      return new Canary(
          1000,
          Duration.ofMinutes(10),
          Duration.ofMinutes(1),
          0.01,
          1.5,
          new MetricSpec("accuracy", true, true, 0.01, 0.01));
    }
  }

  private static final Pattern SHORT = Pattern.compile("(\\d{1,7})(s|m|h|d)");

  /** Reads both sections; problems are added with their paths. */
  static LifecycleConfig parse(JsonNode alertsNode, JsonNode lifecycleNode, List<String> problems) {
    Alerts alerts = alerts(alertsNode, problems);
    Map<String, Policy> policies = new LinkedHashMap<>();
    if (lifecycleNode != null && !lifecycleNode.isNull()) {
      if (!lifecycleNode.isObject()) {
        problems.add("lifecycle: expected a map with 'models'");
      } else {
        ConfigNodes.known(lifecycleNode, "lifecycle", Set.of("models"), problems);
        JsonNode models = lifecycleNode.get("models");
        if (models != null && !models.isObject()) {
          problems.add("lifecycle.models: expected a map of model name to its lifecycle");
        } else if (models != null) {
          for (Map.Entry<String, JsonNode> e : models.properties()) {
            Policy p = policy(e.getKey(), e.getValue(), alerts.rules().get(e.getKey()), problems);
            if (p != null) {
              policies.put(e.getKey(), p);
            }
          }
        }
      }
    }
    return new LifecycleConfig(alerts, policies);
  }

  private static Alerts alerts(JsonNode a, List<String> problems) {
    Alerts d = Alerts.defaults();
    if (a == null || a.isNull()) {
      return d;
    }
    if (!a.isObject()) {
      problems.add("alerts: expected a map of settings");
      return d;
    }
    String at = "alerts";
    ConfigNodes.known(
        a,
        at,
        Set.of("window", "closeDelay", "evaluateEvery", "minRows", "webhook", "models"),
        problems);
    Duration window = duration(a.get("window"), at + ".window", d.window(), false, problems);
    Duration delay =
        duration(a.get("closeDelay"), at + ".closeDelay", d.closeDelay(), true, problems);
    Duration every =
        duration(a.get("evaluateEvery"), at + ".evaluateEvery", d.evaluateEvery(), false, problems);
    long minRows =
        ConfigNodes.whole(a.get("minRows"), at + ".minRows", d.minRows(), 1, 10_000_000, problems);
    String webhook = null;
    JsonNode w = a.get("webhook");
    if (w != null && !w.isNull()) {
      String u = w.asText();
      if (!w.isTextual() || !(u.startsWith("http://") || u.startsWith("https://"))) {
        problems.add(at + ".webhook: got " + w + ", expected an http:// or https:// URL");
      } else {
        webhook = u;
      }
    }
    Map<String, List<AlertRule>> rules = new LinkedHashMap<>();
    JsonNode models = a.get("models");
    if (models != null && !models.isNull()) {
      if (!models.isObject()) {
        problems.add(at + ".models: expected a map of model name to a list of rules");
      } else {
        for (Map.Entry<String, JsonNode> e : models.properties()) {
          String path = at + ".models." + e.getKey();
          if (!e.getValue().isArray()) {
            problems.add(
                path
                    + ": expected a list of rules such as {name: drift, metric: drift.psi.max,"
                    + " above: 0.25, windows: 2}");
            continue;
          }
          List<AlertRule> list = new ArrayList<>();
          Set<String> names = new LinkedHashSet<>();
          for (int i = 0; i < e.getValue().size(); i++) {
            AlertRule r = rule(e.getValue().get(i), path + "[" + i + "]", problems);
            if (r != null) {
              if (!names.add(r.name())) {
                problems.add(
                    path + "[" + i + "].name: '" + r.name() + "' is used twice for this model");
              } else {
                list.add(r);
              }
            }
          }
          rules.put(e.getKey(), list);
        }
      }
    }
    return new Alerts(window, delay, every, (int) minRows, webhook, rules);
  }

  private static AlertRule rule(JsonNode n, String path, List<String> problems) {
    if (!n.isObject()) {
      problems.add(path + ": expected a rule {name, metric, below or above, windows}");
      return null;
    }
    ConfigNodes.known(n, path, Set.of("name", "metric", "below", "above", "windows"), problems);
    int before = problems.size();
    String name = text(n.get("name"), path + ".name", "the rule's name", problems);
    String metric =
        text(
            n.get("metric"),
            path + ".metric",
            "a metric: auc, accuracy, log_loss, predictions, drift.psi.<feature>, drift.psi.max"
                + " or prediction_drift.psi",
            problems);
    if (metric != null && !knownMetric(metric)) {
      problems.add(
          path
              + ".metric: got \""
              + metric
              + "\", expected auc, accuracy, log_loss, predictions, drift.psi.<feature>,"
              + " drift.psi.max or prediction_drift.psi");
    }
    JsonNode below = n.get("below");
    JsonNode above = n.get("above");
    AlertRule.Direction direction = null;
    double threshold = 0;
    if ((below == null) == (above == null)) {
      problems.add(path + ": expected exactly one of 'below' or 'above' with the threshold");
    } else {
      JsonNode t = below != null ? below : above;
      String key = path + (below != null ? ".below" : ".above");
      if (!t.isNumber() || !Double.isFinite(t.doubleValue())) {
        problems.add(key + ": got " + t + ", expected a number");
      } else {
        threshold = t.doubleValue();
        direction = below != null ? AlertRule.Direction.BELOW : AlertRule.Direction.ABOVE;
      }
    }
    long windows = ConfigNodes.whole(n.get("windows"), path + ".windows", 1, 1, 1000, problems);
    if (problems.size() > before) {
      return null;
    }
    return new AlertRule(name, metric, direction, threshold, (int) windows);
  }

  /** Whether the evaluator computes a metric of this name. */
  public static boolean knownMetric(String metric) {
    return Set.of(
                "auc",
                "accuracy",
                "log_loss",
                "predictions",
                "drift.psi.max",
                "prediction_drift.psi")
            .contains(metric)
        || (metric.startsWith("drift.psi.") && metric.length() > "drift.psi.".length());
  }

  private static Policy policy(
      String model, JsonNode n, List<AlertRule> rules, List<String> problems) {
    String path = "lifecycle.models." + model;
    if (!n.isObject()) {
      problems.add(path + ": expected a map with onAlerts, cooldown, canarySteps, retrain, canary");
      return null;
    }
    ConfigNodes.known(
        n,
        path,
        Set.of("onAlerts", "cooldown", "canarySteps", "retrain", "canary", "gate"),
        problems);
    int before = problems.size();
    Set<String> onAlerts = new LinkedHashSet<>();
    JsonNode on = n.get("onAlerts");
    if (on == null || !on.isArray() || on.isEmpty()) {
      problems.add(path + ".onAlerts: expected a list of alert rule names such as [drift]");
    } else {
      for (int i = 0; i < on.size(); i++) {
        String name = on.get(i).asText();
        boolean exists = rules != null && rules.stream().anyMatch(r -> r.name().equals(name));
        if (!on.get(i).isTextual() || !exists) {
          problems.add(
              path
                  + ".onAlerts["
                  + i
                  + "]: got "
                  + on.get(i)
                  + ", expected the name of a rule under alerts.models."
                  + model
                  + (rules == null
                      ? " (there is none)"
                      : " (" + rules.stream().map(AlertRule::name).toList() + ")"));
        }
        onAlerts.add(name);
      }
    }
    Duration cooldown =
        duration(n.get("cooldown"), path + ".cooldown", Duration.ofHours(6), true, problems);
    List<Integer> steps = new ArrayList<>();
    JsonNode s = n.get("canarySteps");
    if (s == null || s.isNull()) {
      steps.addAll(List.of(5, 25, 50, 100));
    } else if (!s.isArray() || s.isEmpty()) {
      problems.add(path + ".canarySteps: expected increasing percentages ending at 100");
    } else {
      int previous = 0;
      for (int i = 0; i < s.size(); i++) {
        JsonNode x = s.get(i);
        if (!x.canConvertToInt()
            || !x.isIntegralNumber()
            || x.intValue() <= previous
            || x.intValue() > 100) {
          problems.add(
              path
                  + ".canarySteps["
                  + i
                  + "]: got "
                  + x
                  + ", expected increasing whole"
                  + " percentages in (0, 100]");
          break;
        }
        previous = x.intValue();
        steps.add(previous);
      }
      if (previous != 100 && problems.size() == before) {
        problems.add(path + ".canarySteps: got " + s + ", expected the last step to be 100");
      }
    }
    Retrain retrain = retrain(n.get("retrain"), path + ".retrain", problems);
    Canary canary = canary(n.get("canary"), path + ".canary", problems);
    GatePolicy gate = gate(n.get("gate"), path + ".gate", problems);
    if (problems.size() > before) {
      return null;
    }
    return new Policy(new LifecyclePolicy(model, onAlerts, cooldown, steps), retrain, canary, gate);
  }

  private static GatePolicy gate(JsonNode n, String path, List<String> problems) {
    GatePolicy d = GatePolicy.defaults();
    if (n == null || n.isNull()) {
      return d;
    }
    if (!n.isObject()) {
      problems.add(path + ": expected a map with atLeast, atMost, maxWorsening");
      return d;
    }
    ConfigNodes.known(n, path, Set.of("atLeast", "atMost", "maxWorsening"), problems);
    return new GatePolicy(
        thresholds(n.get("atLeast"), path + ".atLeast", d.atLeast(), problems),
        thresholds(n.get("atMost"), path + ".atMost", d.atMost(), problems),
        thresholds(n.get("maxWorsening"), path + ".maxWorsening", d.maxWorsening(), problems));
  }

  private static Map<String, Double> thresholds(
      JsonNode n, String path, Map<String, Double> fallback, List<String> problems) {
    if (n == null || n.isNull()) {
      return fallback;
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (!n.isObject()) {
      problems.add(path + ": expected a map of metric to number, e.g. {auc: 0.7}");
      return fallback;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!Set.of("auc", "accuracy", "log_loss").contains(e.getKey())) {
        problems.add(
            path + "." + e.getKey() + ": unknown metric; known: [accuracy, auc, log_loss]");
      } else if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().doubleValue())) {
        problems.add(path + "." + e.getKey() + ": got " + e.getValue() + ", expected a number");
      } else {
        out.put(e.getKey(), e.getValue().doubleValue());
      }
    }
    return out;
  }

  private static Retrain retrain(JsonNode n, String path, List<String> problems) {
    Retrain d = Retrain.defaults();
    if (n == null || n.isNull()) {
      return d;
    }
    if (!n.isObject()) {
      problems.add(path + ": expected a map with window, minRows, holdout, seed");
      return d;
    }
    ConfigNodes.known(n, path, Set.of("window", "minRows", "holdout", "seed"), problems);
    Duration window = duration(n.get("window"), path + ".window", d.window(), false, problems);
    long minRows =
        ConfigNodes.whole(
            n.get("minRows"), path + ".minRows", d.minRows(), 10, 10_000_000, problems);
    double holdout = d.holdout();
    JsonNode h = n.get("holdout");
    if (h != null && !h.isNull()) {
      if (h.isNumber() && h.doubleValue() >= 0.05 && h.doubleValue() <= 0.5) {
        holdout = h.doubleValue();
      } else {
        problems.add(path + ".holdout: got " + h + ", expected a share from 0.05 to 0.5");
      }
    }
    long seed = d.seed();
    JsonNode sd = n.get("seed");
    if (sd != null && !sd.isNull()) {
      if (sd.isIntegralNumber() && sd.canConvertToLong()) {
        seed = sd.longValue();
      } else {
        problems.add(path + ".seed: got " + sd + ", expected a whole number");
      }
    }
    return new Retrain(window, (int) minRows, holdout, seed);
  }

  private static Canary canary(JsonNode n, String path, List<String> problems) {
    Canary d = Canary.defaults();
    if (n == null || n.isNull()) {
      return d;
    }
    if (!n.isObject()) {
      problems.add(path + ": expected a map of canary settings");
      return d;
    }
    ConfigNodes.known(
        n,
        path,
        Set.of(
            "minSamples",
            "minStepDuration",
            "evaluateEvery",
            "maxErrorIncrease",
            "maxP99Ratio",
            "metric"),
        problems);
    long minSamples =
        ConfigNodes.whole(
            n.get("minSamples"), path + ".minSamples", d.minSamples(), 1, 100_000_000, problems);
    Duration step =
        duration(
            n.get("minStepDuration"),
            path + ".minStepDuration",
            d.minStepDuration(),
            true,
            problems);
    Duration every =
        duration(
            n.get("evaluateEvery"), path + ".evaluateEvery", d.evaluateEvery(), false, problems);
    double errors =
        number(
            n.get("maxErrorIncrease"),
            path + ".maxErrorIncrease",
            d.maxErrorIncrease(),
            0,
            0.99,
            problems);
    double p99 =
        number(n.get("maxP99Ratio"), path + ".maxP99Ratio", d.maxP99Ratio(), 1, 1e6, problems);
    MetricSpec metric = d.metric();
    JsonNode m = n.get("metric");
    if (m != null && !m.isNull()) {
      if (m.isTextual() && m.asText().equals("none")) {
        metric = null;
      } else if (!m.isObject()) {
        problems.add(
            path
                + ".metric: got "
                + m
                + ", expected none or {name, higherIsBetter, binary,"
                + " margin, effect}");
      } else {
        ConfigNodes.known(
            m,
            path + ".metric",
            Set.of("name", "higherIsBetter", "binary", "margin", "effect"),
            problems);
        String name =
            text(
                m.get("name"),
                path + ".metric.name",
                "one of " + FeedbackMetric.names() + " (the metrics computed from feedback)",
                problems);
        FeedbackMetric known = name == null ? null : FeedbackMetric.named(name).orElse(null);
        if (name != null && known == null) {
          problems.add(
              path
                  + ".metric.name: got \""
                  + name
                  + "\", expected one of "
                  + FeedbackMetric.names()
                  + " (the metrics computed from feedback)");
        }
        boolean higher =
            bool(
                m.get("higherIsBetter"),
                path + ".metric.higherIsBetter",
                known == null || known.higherIsBetter(),
                problems);
        boolean binary =
            bool(
                m.get("binary"),
                path + ".metric.binary",
                known == null || known.binary(),
                problems);
        if (known != null && higher != known.higherIsBetter()) {
          problems.add(
              path
                  + ".metric.higherIsBetter: got "
                  + higher
                  + ", but "
                  + name
                  + " is "
                  + (known.higherIsBetter() ? "higher" : "lower")
                  + "-is-better");
        }
        if (known != null && binary != known.binary()) {
          problems.add(
              path
                  + ".metric.binary: got "
                  + binary
                  + ", but "
                  + name
                  + " is "
                  + (known.binary() ? "" : "not ")
                  + "a 0/1 value");
        }
        double margin = number(m.get("margin"), path + ".metric.margin", 0.01, 0, 1e6, problems);
        double effect = number(m.get("effect"), path + ".metric.effect", 0.01, 1e-9, 1e6, problems);
        metric = known == null ? null : new MetricSpec(name, higher, binary, margin, effect);
      }
    }
    return new Canary(minSamples, step, every, errors, p99, metric);
  }

  /**
   * Parses a duration: {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT30S}).
   *
   * @return null when the text is none of these
   */
  public static Duration parseDuration(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = SHORT.matcher(text.trim());
    if (m.matches()) {
      long v = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "s":
          return Duration.ofSeconds(v);
        case "m":
          return Duration.ofMinutes(v);
        case "h":
          return Duration.ofHours(v);
        default:
          return Duration.ofDays(v);
      }
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration duration(
      JsonNode n, String path, Duration fallback, boolean zeroAllowed, List<String> problems) {
    if (n == null || n.isNull()) {
      return fallback;
    }
    Duration d = n.isTextual() ? parseDuration(n.asText()) : null;
    Duration min = zeroAllowed ? Duration.ZERO : Duration.ofSeconds(1);
    if (d == null || d.compareTo(min) < 0 || d.compareTo(Duration.ofDays(366)) > 0) {
      problems.add(
          path
              + ": got "
              + n
              + ", expected a duration such as 10s, 5m, 1h or 1d ("
              + (zeroAllowed ? "0s" : "1s")
              + " to 366d)");
      return fallback;
    }
    return d;
  }

  private static String text(JsonNode n, String path, String expected, List<String> problems) {
    if (n == null || n.isNull() || !n.isTextual() || n.asText().isBlank()) {
      problems.add(path + ": got " + (n == null ? "nothing" : n) + ", expected " + expected);
      return null;
    }
    return n.asText();
  }

  private static boolean bool(JsonNode n, String path, boolean fallback, List<String> problems) {
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      problems.add(path + ": got " + n + ", expected true or false");
      return fallback;
    }
    return n.booleanValue();
  }

  private static double number(
      JsonNode n, String path, double fallback, double min, double max, List<String> problems) {
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (n.isNumber() && n.doubleValue() >= min && n.doubleValue() <= max) {
      return n.doubleValue();
    }
    problems.add(path + ": got " + n + ", expected a number from " + min + " to " + max);
    return fallback;
  }
}
