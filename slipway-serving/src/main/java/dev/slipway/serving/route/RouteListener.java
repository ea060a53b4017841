package dev.slipway.serving.route;

/**
 * Hears the outcome of every request the router placed (primary and shadow), for per-variant
 * statistics. Called on the request's thread (the shadow executor for shadows); implementations
 * must be thread-safe, fast and must not throw.
 */
@FunctionalInterface
public interface RouteListener {
  /**
   * @param model the model name
   * @param version the version that ran
   * @param shadow whether this was a shadow copy (its answer was not returned)
   * @param nanos time from routing to the answer
   * @param failed whether the model failed or was unavailable (bad input is not a failure)
   */
  void served(String model, int version, boolean shadow, long nanos, boolean failed);
}
