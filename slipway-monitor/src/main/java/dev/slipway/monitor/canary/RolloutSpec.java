package dev.slipway.monitor.canary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What a canary rollout does: the candidate's traffic share at each step, how much data a step
 * needs before it is judged, and the thresholds it is judged by.
 *
 * @param model the model name
 * @param stable the version the candidate is compared with (null: the {@code champion} at start)
 * @param candidate the new version
 * @param steps the candidate's percentage at each step, increasing, in (0, 100], ending at 100
 * @param minStepDuration how long a step runs at least before it may advance
 * @param minSamples requests (and metric values) each arm needs in a step before it is judged
 * @param maxErrorIncrease the error-rate increase tolerated (absolute, e.g. 0.01 = one point)
 * @param maxP99Ratio the candidate's p99 latency may be at most this times the stable's
 * @param metric the feedback metric, or null to judge by errors and latency only
 * @param alpha the significance level of the sequential tests
 * @param keyField the record field whose value keeps a caller on one version, or null for the
 *     request id
 * @param forcePromotion whether promotion may move {@code champion} to a version that is not
 *     BLESSED (audited as forced); otherwise such a rollout waits at 100 %
 */
public record RolloutSpec(
    String model,
    Integer stable,
    int candidate,
    List<Double> steps,
    Duration minStepDuration,
    long minSamples,
    double maxErrorIncrease,
    double maxP99Ratio,
    MetricSpec metric,
    double alpha,
    String keyField,
    boolean forcePromotion) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of(
          "stable",
          "candidate",
          "steps",
          "minStepSeconds",
          "minSamples",
          "maxErrorIncrease",
          "maxP99Ratio",
          "metric",
          "alpha",
          "keyField",
          "forcePromotion");

  /** The defaults: 5 → 25 → 50 → 100 %, 10 minutes and 1,000 requests per step. */
  public static final List<Double> DEFAULT_STEPS = List.of(5.0, 25.0, 50.0, 100.0);

  /**
   * @throws InvalidInputException naming the field that is invalid
   */
  public RolloutSpec {
    if (candidate < 1) {
      throw InvalidInputException.of("candidate", candidate, "a version number ≥ 1");
    }
    if (stable != null && stable < 1) {
      throw InvalidInputException.of("stable", stable, "a version number ≥ 1");
    }
    if (stable != null && stable == candidate) {
      throw InvalidInputException.of("candidate", candidate, "a version other than stable");
    }
    steps = steps == null ? DEFAULT_STEPS : List.copyOf(steps);
    double last = 0;
    for (int i = 0; i < steps.size(); i++) {
      double s = steps.get(i);
      if (!(s > last && s <= 100)) {
        throw InvalidInputException.of(
            "steps[" + i + "]", s, "increasing percentages in (0, 100], e.g. [5, 25, 50, 100]");
      }
      last = s;
    }
    if (last != 100) {
      throw InvalidInputException.of("steps", steps, "percentages ending at 100");
    }
    if (minStepDuration == null || minStepDuration.isNegative()) {
      throw InvalidInputException.of("minStepSeconds", minStepDuration, "seconds ≥ 0");
    }
    if (minSamples < 1) {
      throw InvalidInputException.of("minSamples", minSamples, "at least 1");
    }
    if (!(maxErrorIncrease >= 0 && maxErrorIncrease < 1)) {
      throw InvalidInputException.of("maxErrorIncrease", maxErrorIncrease, "a fraction in [0, 1)");
    }
    if (!(maxP99Ratio >= 1) || !Double.isFinite(maxP99Ratio)) {
      throw InvalidInputException.of("maxP99Ratio", maxP99Ratio, "a finite ratio ≥ 1, e.g. 1.5");
    }
    if (!(alpha > 0 && alpha < 0.5)) {
      throw InvalidInputException.of("alpha", alpha, "a significance level in (0, 0.5)");
    }
    if (keyField != null && keyField.isBlank()) {
      throw InvalidInputException.of("keyField", keyField, "a record field name, or leave it out");
    }
  }

  /** This spec with the stable version filled in. */
  public RolloutSpec withStable(int version) {
    return new RolloutSpec(
        model,
        version,
        candidate,
        steps,
        minStepDuration,
        minSamples,
        maxErrorIncrease,
        maxP99Ratio,
        metric,
        alpha,
        keyField,
        forcePromotion);
  }

  /**
   * Reads a spec from the JSON body of {@code POST /api/v1/models/{m}/rollout}: {@code
   * {"candidate": 2, "stable": 1, "steps": [5, 25, 50, 100], "minStepSeconds": 600, "minSamples":
   * 1000, "maxErrorIncrease": 0.01, "maxP99Ratio": 1.5, "alpha": 0.05, "keyField": "user_id",
   * "forcePromotion": false, "metric": {"name": "click_rate", "higherIsBetter": true, "binary":
   * true, "margin": 0, "effect": 0.01}}}; only {@code candidate} is required.
   *
   * @throws InvalidInputException naming the field that is missing, unknown or invalid
   */
  public static RolloutSpec fromJson(String model, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw InvalidInputException.of("body", String.valueOf(body), "a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw InvalidInputException.of(
            f, body.get(f).toString(), "no such field; known: " + FIELDS);
      }
    }
    JsonNode c = body.get("candidate");
    if (c == null || c.isNull()) {
      throw InvalidInputException.missing("candidate", "the candidate version number");
    }
    int candidate = integer(body, "candidate", 0);
    Integer stable = body.hasNonNull("stable") ? integer(body, "stable", 0) : null;
    List<Double> steps = null;
    JsonNode s = body.get("steps");
    if (s != null && !s.isNull()) {
      if (!s.isArray() || s.isEmpty()) {
        throw InvalidInputException.of("steps", s.toString(), "an array of percentages");
      }
      steps = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        if (!s.get(i).isNumber()) {
          throw InvalidInputException.of("steps[" + i + "]", s.get(i).toString(), "a number");
        }
        steps.add(s.get(i).doubleValue());
      }
    }
    MetricSpec metric = null;
    JsonNode m = body.get("metric");
    if (m != null && !m.isNull()) {
      if (!m.isObject()) {
        throw InvalidInputException.of(
            "metric", m.toString(), "an object with name, higherIsBetter, binary, margin, effect");
      }
      JsonNode name = m.get("name");
      if (name != null && !name.isTextual()) {
        throw InvalidInputException.of("metric.name", name.toString(), "a string");
      }
      // a metric Slipway computes from feedback knows its direction and kind
      java.util.Optional<FeedbackMetric> known =
          FeedbackMetric.named(name == null ? null : name.textValue());
      metric =
          new MetricSpec(
              name == null ? null : name.textValue(),
              bool(m, "metric.", "higherIsBetter", known.map(k -> k.higherIsBetter()).orElse(true)),
              bool(m, "metric.", "binary", known.map(k -> k.binary()).orElse(true)),
              number(m, "metric.", "margin", 0),
              number(m, "metric.", "effect", 0.01));
    }
    JsonNode k = body.get("keyField");
    if (k != null && !k.isNull() && !k.isTextual()) {
      throw InvalidInputException.of("keyField", k.toString(), "a string");
    }
    double seconds = number(body, "", "minStepSeconds", 600);
    if (!(seconds >= 0) || seconds > 365 * 86400.0) {
      throw InvalidInputException.of("minStepSeconds", seconds, "seconds in [0, 31536000]");
    }
    return new RolloutSpec(
        model,
        stable,
        candidate,
        steps,
        Duration.ofMillis(Math.round(seconds * 1000)),
        integer(body, "minSamples", 1000),
        number(body, "", "maxErrorIncrease", 0.01),
        number(body, "", "maxP99Ratio", 1.5),
        metric,
        number(body, "", "alpha", 0.05),
        k == null || k.isNull() ? null : k.textValue(),
        bool(body, "", "forcePromotion", false));
  }

  /** This spec as the JSON {@link #fromJson} reads. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    if (stable != null) {
      o.put("stable", stable);
    }
    o.put("candidate", candidate);
    ArrayNode s = o.putArray("steps");
    steps.forEach(s::add);
    o.put("minStepSeconds", minStepDuration.toMillis() / 1000.0);
    o.put("minSamples", minSamples);
    o.put("maxErrorIncrease", maxErrorIncrease);
    o.put("maxP99Ratio", maxP99Ratio);
    if (metric != null) {
      ObjectNode m = o.putObject("metric");
      m.put("name", metric.name());
      m.put("higherIsBetter", metric.higherIsBetter());
      m.put("binary", metric.binary());
      m.put("margin", metric.margin());
      m.put("effect", metric.effect());
    }
    o.put("alpha", alpha);
    if (keyField != null) {
      o.put("keyField", keyField);
    }
    o.put("forcePromotion", forcePromotion);
    return o;
  }

  private static int integer(JsonNode body, String field, int dflt) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw InvalidInputException.of(field, n.toString(), "an integer");
    }
    return n.intValue();
  }

  private static double number(JsonNode body, String prefix, String field, double dflt) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber()) {
      throw InvalidInputException.of(prefix + field, n.toString(), "a number");
    }
    return n.doubleValue();
  }

  private static boolean bool(JsonNode body, String prefix, String field, boolean dflt) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw InvalidInputException.of(prefix + field, n.toString(), "true or false");
    }
    return n.booleanValue();
  }
}
