package dev.slipway.server.gate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a candidate must reach to be blessed, as TFX's Evaluator checks before the Pusher pushes.
 *
 * @param atLeast value thresholds for metrics where higher is better, e.g. {@code auc ≥ 0.7}
 * @param atMost value thresholds for metrics where lower is better, e.g. {@code log_loss ≤ 0.3}
 * @param maxWorsening change thresholds against the champion, by metric: how much worse the
 *     candidate may be (0 = not worse at all); the direction of each metric is known ({@link
 *     #HIGHER_IS_BETTER})
 */
public record GatePolicy(
    Map<String, Double> atLeast, Map<String, Double> atMost, Map<String, Double> maxWorsening) {
  /** Metrics where a larger value is better; all others are taken as lower-is-better. */
  public static final Set<String> HIGHER_IS_BETTER = Set.of("auc", "accuracy");

  public GatePolicy {
    atLeast = Map.copyOf(atLeast);
    atMost = Map.copyOf(atMost);
    maxWorsening = Map.copyOf(maxWorsening);
  }

  /** AUC at least 0.7; AUC not worse by more than 0.01 and log loss not worse than the champion. */
  public static GatePolicy defaults() {
    return new GatePolicy(Map.of("auc", 0.7), Map.of(), Map.of("auc", 0.01, "log_loss", 0.0));
  }

  /** The outcome: blessed or not, with every reason a check failed and the numbers compared. */
  public record Decision(boolean blessed, List<String> failures, Map<String, Double> numbers) {}

  /**
   * Applies the thresholds.
   *
   * @param candidate the candidate's metrics
   * @param champion the champion's metrics on the same data, or null when there is no champion
   */
  public Decision decide(Map<String, Double> candidate, Map<String, Double> champion) {
    List<String> failures = new ArrayList<>();
    Map<String, Double> numbers = new LinkedHashMap<>();
    candidate.forEach((k, v) -> numbers.put("candidate_" + k, v));
    if (champion != null) {
      champion.forEach((k, v) -> numbers.put("champion_" + k, v));
    }
    atLeast.forEach(
        (metric, min) -> {
          Double v = candidate.get(metric);
          if (v == null || v < min) {
            failures.add(metric + " " + v + " is below the required " + min);
          }
        });
    atMost.forEach(
        (metric, max) -> {
          Double v = candidate.get(metric);
          if (v == null || v > max) {
            failures.add(metric + " " + v + " is above the allowed " + max);
          }
        });
    if (champion != null) {
      maxWorsening.forEach(
          (metric, tolerance) -> {
            Double c = candidate.get(metric);
            Double ch = champion.get(metric);
            if (c == null || ch == null) {
              failures.add(
                  metric + " is missing for the " + (c == null ? "candidate" : "champion"));
              return;
            }
            double worse = HIGHER_IS_BETTER.contains(metric) ? ch - c : c - ch;
            if (worse > tolerance) {
              failures.add(
                  metric
                      + " "
                      + c
                      + " is worse than the champion's "
                      + ch
                      + " by "
                      + worse
                      + " (allowed "
                      + tolerance
                      + ")");
            }
          });
    }
    return new Decision(failures.isEmpty(), failures, numbers);
  }
}
