package dev.slipway.monitor.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What to do when a model's alerts fire: retrain → gate → canary.
 *
 * @param model the model name
 * @param onAlerts the names of the alert rules that start a run
 * @param cooldown the least time between the starts of two runs for the model
 * @param canarySteps the canary's traffic shares in percent, increasing, ending at 100
 */
public record LifecyclePolicy(
    String model, Set<String> onAlerts, Duration cooldown, List<Integer> canarySteps) {
  public LifecyclePolicy {
    Objects.requireNonNull(model, "model");
    onAlerts = Set.copyOf(onAlerts);
    canarySteps = List.copyOf(canarySteps);
    if (onAlerts.isEmpty()) {
      throw new IllegalArgumentException(
          "the lifecycle policy of '" + model + "' names no alert to act on");
    }
    if (cooldown.isNegative()) {
      throw new IllegalArgumentException(
          "the lifecycle policy of '" + model + "' has a negative cooldown: " + cooldown);
    }
    int previous = 0;
    for (int step : canarySteps) {
      if (step <= previous || step > 100) {
        throw new IllegalArgumentException(
            "the lifecycle policy of '"
                + model
                + "' has canary steps "
                + canarySteps
                + ": expected increasing percentages in (0, 100]");
      }
      previous = step;
    }
    if (previous != 100) {
      throw new IllegalArgumentException(
          "the lifecycle policy of '"
              + model
              + "' has canary steps "
              + canarySteps
              + ": the last step must be 100");
    }
  }
}
