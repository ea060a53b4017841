package dev.slipway.monitor.lifecycle;

import dev.slipway.monitor.alert.Alert;
import java.util.List;
import java.util.Map;

/**
 * The three actions of a lifecycle run, implemented by whoever owns the trainer, the gate and the
 * router. Each may throw; the run then stops and records the reason.
 */
public interface LifecycleActions {
  /**
   * Trains a new version of the model with its trainer on the latest labelled window and registers
   * it.
   *
   * @param cause the alert that started the run
   * @return the new version's number and what it was trained on
   */
  Retrained retrain(String model, Alert cause) throws Exception;

  /** Runs the evaluation gate: the candidate against the model's champion. */
  GateVerdict gate(String model, int candidate) throws Exception;

  /** Starts a canary release of the candidate with the given steps (percent of traffic). */
  void startCanary(String model, int candidate, List<Integer> steps) throws Exception;

  /**
   * A retrained version.
   *
   * @param version its number in the registry
   * @param detail what it was trained on, e.g. "4,000 labelled rows from 10:00–11:00"
   */
  record Retrained(int version, String detail) {}

  /**
   * The gate's verdict.
   *
   * @param blessed whether the candidate may be released
   * @param metrics the numbers the verdict rests on (candidate and champion)
   * @param detail a sentence on why
   */
  record GateVerdict(boolean blessed, Map<String, Double> metrics, String detail) {
    public GateVerdict {
      metrics = Map.copyOf(metrics);
    }
  }
}
