package dev.slipway.serving.route;

import dev.slipway.serving.InferenceResult;

/**
 * Receives the answers of shadow runs, which are never returned to callers. Called on the router's
 * shadow executor; implementations must be thread-safe and must not throw.
 */
@FunctionalInterface
public interface ShadowSink {
  /**
   * @param model the model name
   * @param version the shadow version
   * @param requestId the caller's request id, or null
   * @param result the shadow answer, or null when it failed
   * @param failure why the shadow run failed, or null
   */
  void shadowed(
      String model, int version, String requestId, InferenceResult result, Throwable failure);
}
