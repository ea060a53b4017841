package dev.slipway.serving.event;

/**
 * Hears of every answered request. Called on the request's thread after the answer is computed and
 * before it is written: an implementation must return at once (hand the event to a queue, never
 * block on I/O) and should not throw; what it throws is caught, logged and counted in {@code
 * slipway.prediction.listener.errors}, and the request is answered anyway. Implementations must be
 * thread-safe: requests run concurrently.
 */
@FunctionalInterface
public interface PredictionListener {
  void onPrediction(PredictionEvent event);
}
