package dev.slipway.monitor.alert;

import java.time.Instant;
import java.util.List;

/**
 * An alert that fired: the rule, and the windows that breached it.
 *
 * @param model the model name
 * @param rule the rule that fired
 * @param at the end of the last breaching window
 * @param values the breaching values, oldest first ({@code rule.windows()} of them)
 */
public record Alert(String model, AlertRule rule, Instant at, List<Double> values) {
  public Alert {
    values = List.copyOf(values);
  }

  /** One line for logs, webhooks and the audit trail. */
  public String message() {
    return "model '"
        + model
        + "': "
        + rule.name()
        + " fired ("
        + rule.describe()
        + "; last values "
        + values
        + ")";
  }
}
