package dev.slipway.monitor.alert;

/**
 * Receives alerts as they fire. Called on the thread that observed the value; an implementation
 * that does slow work (a webhook, a retraining) hands it to its own executor. An exception thrown
 * by one listener does not stop the others.
 */
@FunctionalInterface
public interface AlertListener {
  void fired(Alert alert);
}
