package dev.slipway.serving.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.InvalidInputException;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the requests for one model name are shared among its versions.
 *
 * <p>{@link Kind#SPLIT}: each request goes to a version with probability proportional to its
 * weight. With {@link Assignment#STICKY} the draw is a stable hash of the model name, the salt and
 * the request's key (the value of {@code keyField} in the first record, else the request id), so a
 * key always gets the same version for the same weights, across restarts and JVMs; versions take
 * consecutive slices of the hash space in ascending version order, so raising a newer version's
 * weight only moves keys towards it (a canary ramp never sends a key back). Without a key, or with
 * {@link Assignment#RANDOM}, the draw comes from the router's seeded generator.
 *
 * <p>{@link Kind#BANDIT}: Thompson sampling over the versions with a positive weight, from Beta
 * posteriors fed by reward feedback ({@link Router#reward}); weights only name the arms.
 *
 * <p>{@code shadow}: a share of the requests is also run on another version, off the request path;
 * its answer is reported to the router's {@link ShadowSink} and never returned.
 *
 * @param kind split or bandit
 * @param weights version → weight (≥ 0, finite, at least one positive), in ascending version order
 * @param assignment sticky (hash of a key) or random
 * @param keyField the record field holding the sticky key, or null to use the request id
 * @param salt mixed into the sticky hash; changing it reshuffles the assignment
 * @param shadow a shadow copy, or null
 */
public record TrafficPolicy(
    Kind kind,
    Map<Integer, Double> weights,
    Assignment assignment,
    String keyField,
    String salt,
    Shadow shadow) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How versions are chosen. */
  public enum Kind {
    SPLIT,
    BANDIT
  }

  /** How a request is assigned within the weights. */
  public enum Assignment {
    STICKY,
    RANDOM
  }

  /**
   * A copy of a share of the traffic to another version.
   *
   * @param version the shadow version
   * @param share the fraction of requests copied, in (0, 1]
   */
  public record Shadow(int version, double share) {
    public Shadow {
      if (version < 1) {
        throw InvalidInputException.of(
            "shadow.version", Integer.toString(version), "a version number ≥ 1");
      }
      if (!(share > 0 && share <= 1)) {
        throw InvalidInputException.of(
            "shadow.share", Double.toString(share), "a fraction in (0, 1], e.g. 0.1");
      }
    }
  }

  /**
   * @throws InvalidInputException naming the field that is invalid
   */
  public TrafficPolicy {
    if (kind == null) {
      kind = Kind.SPLIT;
    }
    if (assignment == null) {
      assignment = Assignment.STICKY;
    }
    if (weights == null || weights.isEmpty()) {
      throw InvalidInputException.missing(
          "weights", "an object of version → weight, e.g. {\"1\": 95, \"2\": 5}");
    }
    TreeMap<Integer, Double> sorted = new TreeMap<>();
    double total = 0;
    for (Map.Entry<Integer, Double> e : weights.entrySet()) {
      Integer v = e.getKey();
      Double w = e.getValue();
      if (v == null || v < 1) {
        throw InvalidInputException.of("weights", String.valueOf(v), "version numbers ≥ 1 as keys");
      }
      if (w == null || !Double.isFinite(w) || w < 0) {
        throw InvalidInputException.of("weights." + v, String.valueOf(w), "a finite weight ≥ 0");
      }
      sorted.put(v, w);
      total += w;
    }
    if (!(total > 0)) {
      throw InvalidInputException.of("weights", sorted.toString(), "at least one positive weight");
    }
    weights = Collections.unmodifiableMap(sorted);
    if (keyField != null && keyField.isBlank()) {
      throw InvalidInputException.of("keyField", keyField, "a record field name, or leave it out");
    }
    salt = salt == null ? "" : salt;
    if (salt.length() > 256) {
      throw InvalidInputException.of("salt", salt, "at most 256 characters");
    }
  }

  /** A split that sends everything to one version. */
  public static TrafficPolicy only(int version) {
    return new TrafficPolicy(Kind.SPLIT, Map.of(version, 1.0), Assignment.STICKY, null, "", null);
  }

  /**
   * A sticky two-way split: {@code percent} % to {@code candidate}, the rest to {@code stable}.
   *
   * @param keyField the record field holding the sticky key, or null for the request id
   */
  public static TrafficPolicy canary(int stable, int candidate, double percent, String keyField) {
    Map<Integer, Double> w = new TreeMap<>();
    w.put(stable, 100 - percent);
    w.merge(candidate, percent, Double::sum);
    return new TrafficPolicy(Kind.SPLIT, w, Assignment.STICKY, keyField, "", null);
  }

  /** The share of requests a version gets under a split, in [0, 1]. */
  public double share(int version) {
    double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    return weights.getOrDefault(version, 0.0) / total;
  }

  /**
   * Reads a policy from JSON: {@code {"kind": "split"|"bandit", "weights": {"1": 90, "2": 10},
   * "assignment": "sticky"|"random", "keyField": "user_id", "salt": "...", "shadow": {"version": 3,
   * "share": 0.1}}}; only {@code weights} is required.
   *
   * @throws InvalidInputException naming the field that is missing or invalid
   */
  public static TrafficPolicy fromJson(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw InvalidInputException.of("body", String.valueOf(body), "a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!java.util.Set.of("kind", "weights", "assignment", "keyField", "salt", "shadow")
          .contains(f)) {
        throw InvalidInputException.of(
            f,
            body.get(f).toString(),
            "no such field; known: kind, weights, assignment, keyField, salt, shadow");
      }
    }
    Kind kind = enumOf(Kind.class, "kind", body.get("kind"));
    Assignment assignment = enumOf(Assignment.class, "assignment", body.get("assignment"));
    JsonNode w = body.get("weights");
    if (w == null || w.isNull()) {
      throw InvalidInputException.missing(
          "weights", "an object of version → weight, e.g. {\"1\": 95, \"2\": 5}");
    }
    if (!w.isObject()) {
      throw InvalidInputException.of("weights", w.toString(), "an object of version → weight");
    }
    Map<Integer, Double> weights = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int v;
      try {
        v = Integer.parseInt(e.getKey());
      } catch (NumberFormatException ex) {
        throw InvalidInputException.of(
            "weights", e.getKey(), "version numbers such as \"2\" as keys");
      }
      if (!e.getValue().isNumber()) {
        throw InvalidInputException.of(
            "weights." + e.getKey(), e.getValue().toString(), "a number ≥ 0");
      }
      weights.put(v, e.getValue().doubleValue());
    }
    String keyField = text(body, "keyField");
    String salt = text(body, "salt");
    Shadow shadow = null;
    JsonNode s = body.get("shadow");
    if (s != null && !s.isNull()) {
      if (!s.isObject()) {
        throw InvalidInputException.of(
            "shadow", s.toString(), "an object {\"version\": 3, \"share\": 0.1}");
      }
      JsonNode sv = s.get("version");
      if (sv == null || !sv.canConvertToInt() || !sv.isIntegralNumber()) {
        throw InvalidInputException.of("shadow.version", String.valueOf(sv), "a version number");
      }
      JsonNode ss = s.get("share");
      if (ss != null && !ss.isNumber()) {
        throw InvalidInputException.of("shadow.share", ss.toString(), "a fraction in (0, 1]");
      }
      shadow = new Shadow(sv.intValue(), ss == null ? 1.0 : ss.doubleValue());
    }
    return new TrafficPolicy(kind, weights, assignment, keyField, salt, shadow);
  }

  /** This policy as the JSON {@link #fromJson} reads. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("kind", kind.name().toLowerCase(Locale.ROOT));
    ObjectNode w = o.putObject("weights");
    weights.forEach((v, x) -> w.put(Integer.toString(v), x));
    o.put("assignment", assignment.name().toLowerCase(Locale.ROOT));
    if (keyField != null) {
      o.put("keyField", keyField);
    }
    o.put("salt", salt);
    if (shadow != null) {
      ObjectNode s = o.putObject("shadow");
      s.put("version", shadow.version());
      s.put("share", shadow.share());
    }
    return o;
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw InvalidInputException.of(field, n.toString(), "a string");
    }
    return n.textValue();
  }

  private static <E extends Enum<E>> E enumOf(Class<E> type, String field, JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    java.util.List<String> names =
        java.util.Arrays.stream(type.getEnumConstants())
            .map(c -> c.name().toLowerCase(Locale.ROOT))
            .toList();
    if (n.isTextual()) {
      for (E c : type.getEnumConstants()) {
        if (c.name().equalsIgnoreCase(n.textValue())) {
          return c;
        }
      }
    }
    throw InvalidInputException.of(field, n.toString(), "one of " + names);
  }
}
