package dev.slipway.monitor.canary;

import dev.slipway.api.InvalidInputException;

/**
 * The model metric a rollout judges the candidate by, from feedback.
 *
 * @param name e.g. {@code click_rate}, {@code accuracy}, {@code log_loss}
 * @param higherIsBetter true for a click rate or accuracy, false for a loss
 * @param binary whether each value is 0 or 1 (a rate); else a mean of continuous values
 * @param margin how much worse than stable the candidate may be and still pass (absolute, ≥ 0); 0
 *     means the candidate must be significantly better
 * @param effect the smallest difference worth detecting (absolute, > 0): the sequential test's
 *     mixing scale and the report's target for the sample size
 */
public record MetricSpec(
    String name, boolean higherIsBetter, boolean binary, double margin, double effect) {
  public MetricSpec {
    if (name == null || name.isBlank()) {
      throw InvalidInputException.missing("metric.name", "a metric name such as click_rate");
    }
    if (!(margin >= 0) || !Double.isFinite(margin)) {
      throw InvalidInputException.of("metric.margin", margin, "a finite number ≥ 0");
    }
    if (!(effect > 0) || !Double.isFinite(effect)) {
      throw InvalidInputException.of("metric.effect", effect, "a finite number > 0, e.g. 0.01");
    }
  }

  /** +1 when higher is better, −1 when lower is. */
  public int direction() {
    return higherIsBetter ? 1 : -1;
  }
}
