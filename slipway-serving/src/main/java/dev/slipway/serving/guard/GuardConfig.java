package dev.slipway.serving.guard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.guard.heuristic.Heuristic;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.guard.output.OutputGuard;
import dev.slipway.registry.ModelRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a model's {@code guards} section of {@code slipway.yaml} into a {@link GuardSpec}, adding
 * every problem to the list with its key's path instead of stopping at the first. The one reading
 * of the section: the server's configuration, {@code slipway batch score --config} and the Spark
 * runner's {@code --config} all use it, so a section means the same everywhere:
 *
 * <pre>
 * guards:
 *   inputs:
 *     policy: reject                 # reject | impute | heuristic, for every feature
 *     features:
 *       user_age: impute             # the profile's median (numbers) or most frequent value
 *       device: {policy: impute, value: mobile}
 *   outputs:
 *     ranges: {score: [0, 1]}
 *     confidence: {output: probabilities, min: 0.55}
 *   fallback: [ad-click-simple@champion, heuristic]
 *   heuristic:
 *     rules:
 *       - when: [{feature: user_past_ctr, op: "&gt;=", value: 0.2}]
 *         then: {label: click, score: 0.3}
 *     otherwise: {label: no_click, score: 0.046}
 *   breaker: {failureRatePercent: 50, window: 20, minimumCalls: 10, openSeconds: 30,
 *             slowCallMillis: 10000}
 * </pre>
 */
public final class GuardConfig {
  private GuardConfig() {}

  /**
   * The guard settings of a {@code guards} node.
   *
   * @param g the node of the section
   * @param at the section's path, the prefix of every problem, e.g. {@code models.ad-click.guards}
   * @param problems where problems are added, each {@code <path of the key>: <got, expected>}
   * @return the settings, or null when this section added problems
   */
  public static GuardSpec parse(JsonNode g, String at, List<String> problems) {
    int before = problems.size();
    if (!g.isObject()) {
      problems.add(at + ": expected a map of settings");
      return null;
    }
    known(g, at, Set.of("inputs", "outputs", "fallback", "heuristic", "breaker"), problems);
    InputGuard.Policy policy = InputGuard.Policy.REJECT;
    Map<String, InputGuard.Policy> features = new LinkedHashMap<>();
    Map<String, Object> impute = new LinkedHashMap<>();
    JsonNode in = g.get("inputs");
    if (in != null) {
      known(in, at + ".inputs", Set.of("policy", "features"), problems);
      if (in.has("policy")) {
        policy = policy(in.get("policy"), at + ".inputs.policy", problems);
      }
      JsonNode fs = in.get("features");
      if (fs != null) {
        if (!fs.isObject()) {
          problems.add(at + ".inputs.features: expected a map of feature name to policy");
        } else {
          for (Map.Entry<String, JsonNode> e : fs.properties()) {
            String path = at + ".inputs.features." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
              known(v, path, Set.of("policy", "value"), problems);
              InputGuard.Policy p = policy(v.get("policy"), path + ".policy", problems);
              features.put(e.getKey(), p);
              if (v.has("value")) {
                if (p != InputGuard.Policy.IMPUTE) {
                  problems.add(path + ".value: only used with policy impute");
                }
                impute.put(e.getKey(), scalar(v.get("value")));
              }
            } else {
              features.put(e.getKey(), policy(v, path, problems));
            }
          }
        }
      }
    }
    Map<String, OutputGuard.Range> ranges = new LinkedHashMap<>();
    String confidence = null;
    double minConfidence = 0;
    JsonNode out = g.get("outputs");
    if (out != null) {
      known(out, at + ".outputs", Set.of("ranges", "confidence"), problems);
      JsonNode rs = out.get("ranges");
      if (rs != null) {
        if (!rs.isObject()) {
          problems.add(at + ".outputs.ranges: expected a map of output name to [min, max]");
        } else {
          for (Map.Entry<String, JsonNode> e : rs.properties()) {
            JsonNode r = e.getValue();
            String path = at + ".outputs.ranges." + e.getKey();
            if (!r.isArray() || r.size() != 2 || !bound(r.get(0)) || !bound(r.get(1))) {
              problems.add(path + ": got " + r + ", expected [min, max] (null for an open end)");
              continue;
            }
            Double lo = r.get(0).isNull() ? null : r.get(0).asDouble();
            Double hi = r.get(1).isNull() ? null : r.get(1).asDouble();
            if (lo != null && hi != null && lo > hi) {
              problems.add(path + ": got " + r + ", expected min no larger than max");
              continue;
            }
            ranges.put(e.getKey(), new OutputGuard.Range(lo, hi));
          }
        }
      }
      JsonNode c = out.get("confidence");
      if (c != null) {
        known(c, at + ".outputs.confidence", Set.of("output", "min"), problems);
        confidence = c.path("output").asText(null);
        if (confidence == null || confidence.isBlank()) {
          problems.add(at + ".outputs.confidence.output: expected the name of an output");
        }
        JsonNode m = c.get("min");
        if (m == null || !m.isNumber()) {
          problems.add(at + ".outputs.confidence.min: expected a number, the lowest confidence");
        } else {
          minConfidence = m.asDouble();
        }
      }
    }
    List<String> fallback = new ArrayList<>();
    JsonNode fb = g.get("fallback");
    if (fb != null) {
      if (!fb.isArray()) {
        problems.add(at + ".fallback: expected a list of model references and 'heuristic'");
      } else {
        for (int i = 0; i < fb.size(); i++) {
          String link = fb.get(i).asText();
          if (!link.equals(GuardSpec.HEURISTIC)) {
            try {
              ModelRef.parse(link);
            } catch (RuntimeException e) {
              problems.add(
                  at
                      + ".fallback["
                      + i
                      + "]: got \""
                      + link
                      + "\", expected a model reference (name, name@alias, name/3) or heuristic");
              continue;
            }
          }
          fallback.add(link);
        }
      }
    }
    Heuristic heuristic = null;
    JsonNode h = g.get("heuristic");
    if (h != null) {
      heuristic = heuristic(h, at + ".heuristic", problems);
    }
    GuardSpec.Breaker breaker = GuardSpec.Breaker.defaults();
    JsonNode b = g.get("breaker");
    if (b != null) {
      known(
          b,
          at + ".breaker",
          Set.of("failureRatePercent", "window", "minimumCalls", "openSeconds", "slowCallMillis"),
          problems);
      breaker =
          new GuardSpec.Breaker(
              (int)
                  number(
                      b, "failureRatePercent", breaker.failureRatePercent(), 1, 100, at, problems),
              (int) number(b, "window", breaker.window(), 1, 100_000, at, problems),
              (int) number(b, "minimumCalls", breaker.minimumCalls(), 1, 100_000, at, problems),
              Duration.ofSeconds(
                  number(b, "openSeconds", breaker.open().toSeconds(), 1, 86_400, at, problems)),
              Duration.ofMillis(
                  number(
                      b,
                      "slowCallMillis",
                      breaker.slowCall().toMillis(),
                      1,
                      600_000,
                      at,
                      problems)));
    }
    if (problems.size() > before) {
      return null;
    }
    try {
      return new GuardSpec(
          policy,
          features,
          impute,
          ranges,
          confidence,
          minConfidence,
          fallback,
          heuristic,
          breaker);
    } catch (IllegalArgumentException e) {
      problems.add(at + ": " + e.getMessage());
      return null;
    }
  }

  private static Heuristic heuristic(JsonNode h, String at, List<String> problems) {
    if (!h.isObject()) {
      problems.add(at + ": expected {rules: [...], otherwise: {...}}");
      return null;
    }
    known(h, at, Set.of("rules", "otherwise"), problems);
    List<Heuristic.Rule> rules = new ArrayList<>();
    JsonNode rs = h.get("rules");
    if (rs != null) {
      if (!rs.isArray()) {
        problems.add(at + ".rules: expected a list of {when: [...], then: {...}}");
      } else {
        for (int i = 0; i < rs.size(); i++) {
          String path = at + ".rules[" + i + "]";
          JsonNode r = rs.get(i);
          known(r, path, Set.of("when", "then"), problems);
          List<Heuristic.Condition> when = new ArrayList<>();
          JsonNode w = r.get("when");
          if (w == null || !w.isArray() || w.isEmpty()) {
            problems.add(path + ".when: expected a list of {feature, op, value}");
            continue;
          }
          for (int k = 0; k < w.size(); k++) {
            String cp = path + ".when[" + k + "]";
            JsonNode c = w.get(k);
            known(c, cp, Set.of("feature", "op", "value"), problems);
            try {
              when.add(
                  new Heuristic.Condition(
                      c.path("feature").asText(null),
                      Heuristic.Op.parse(c.path("op").asText("")),
                      c.has("value") ? value(c.get("value")) : null));
            } catch (RuntimeException e) {
              problems.add(cp + ": " + e.getMessage());
            }
          }
          Map<String, Object> then = answer(r.get("then"), path + ".then", problems);
          if (then != null && when.size() == w.size()) {
            rules.add(new Heuristic.Rule(when, then));
          }
        }
      }
    }
    Map<String, Object> otherwise = answer(h.get("otherwise"), at + ".otherwise", problems);
    if (otherwise == null) {
      return null;
    }
    return new Heuristic(rules, otherwise);
  }

  private static Map<String, Object> answer(JsonNode a, String at, List<String> problems) {
    if (a == null || !a.isObject() || a.isEmpty()) {
      problems.add(at + ": expected a map of output name to value, e.g. {label: no_click}");
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : a.properties()) {
      out.put(e.getKey(), value(e.getValue()));
    }
    return out;
  }

  private static Object value(JsonNode v) {
    if (v.isArray()) {
      List<Object> out = new ArrayList<>();
      v.forEach(x -> out.add(scalar(x)));
      return out;
    }
    return scalar(v);
  }

  private static Object scalar(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    return v.asText();
  }

  private static boolean bound(JsonNode n) {
    return n.isNull() || n.isNumber();
  }

  private static InputGuard.Policy policy(JsonNode n, String at, List<String> problems) {
    String text = n == null ? "" : n.asText("");
    try {
      return InputGuard.Policy.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(at + ": got \"" + text + "\", expected reject, impute or heuristic");
      return InputGuard.Policy.REJECT;
    }
  }

  private static long number(
      JsonNode parent,
      String name,
      long fallback,
      long min,
      long max,
      String at,
      List<String> problems) {
    JsonNode n = parent.get(name);
    if (n == null) {
      return fallback;
    }
    if (!n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
      problems.add(
          at
              + ".breaker."
              + name
              + ": got "
              + n
              + ", expected a whole number from "
              + min
              + " to "
              + max);
      return fallback;
    }
    return n.asLong();
  }

  private static void known(JsonNode n, String at, Set<String> keys, List<String> problems) {
    if (n == null || !n.isObject()) {
      if (n != null) {
        problems.add(at + ": expected a map of settings");
      }
      return;
    }
    unknownKeys(n, at, keys, problems);
  }

  /** Adds a problem for every key of the map {@code n} that is not one of {@code keys}. */
  public static void unknownKeys(JsonNode n, String at, Set<String> keys, List<String> problems) {
    n.fieldNames()
        .forEachRemaining(
            k -> {
              if (!keys.contains(k)) {
                problems.add(at + "." + k + ": unknown setting; known: " + new TreeSet<>(keys));
              }
            });
  }
}
