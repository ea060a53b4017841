package dev.slipway.monitor.alert;

import java.util.Objects;

/**
 * A threshold on one monitored value of a model.
 *
 * @param name the rule's name, unique per model (it labels the alert and its metric)
 * @param metric the monitored value, e.g. {@code auc}, {@code log_loss} or {@code drift.psi.age}
 * @param direction whether values below or above the threshold breach it
 * @param threshold the limit; a value equal to it does not breach (both directions are strict)
 * @param windows how many consecutive windows must breach before the alert fires (at least 1)
 */
public record AlertRule(
    String name, String metric, Direction direction, double threshold, int windows) {

  /** Which side of the threshold is bad. */
  public enum Direction {
    /** Breached by values strictly below the threshold (AUC, accuracy). */
    BELOW,
    /** Breached by values strictly above the threshold (drift, log loss, error rate). */
    ABOVE
  }

  public AlertRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(direction, "direction");
    if (name.isBlank() || metric.isBlank()) {
      throw new IllegalArgumentException("an alert rule needs a name and a metric");
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException(
          "alert rule '" + name + "': threshold must be a finite number, not " + threshold);
    }
    if (windows < 1) {
      throw new IllegalArgumentException(
          "alert rule '" + name + "': windows must be at least 1, not " + windows);
    }
  }

  /** Whether a value breaches the threshold; NaN (no data) never does. */
  public boolean breachedBy(double value) {
    if (Double.isNaN(value)) {
      return false;
    }
    return direction == Direction.BELOW ? value < threshold : value > threshold;
  }

  /** The rule in words, e.g. {@code auc < 0.7 for 2 windows}. */
  public String describe() {
    return metric
        + (direction == Direction.BELOW ? " < " : " > ")
        + threshold
        + " for "
        + windows
        + (windows == 1 ? " window" : " consecutive windows");
  }
}
