package dev.slipway.serving.host;

import java.time.Duration;

/**
 * How one model is served, as a managed online service lets you set it.
 *
 * @param instances how many calls of the model run at once (Triton's instance count); further calls
 *     wait, within the latency budget
 * @param intraOpThreads ONNX Runtime threads inside one call
 * @param batching dynamic batching, or null for none
 * @param latencyBudget the longest a call may wait and run before it fails with 503
 */
public record Deployment(
    int instances, int intraOpThreads, Batching batching, Duration latencyBudget) {

  public Deployment {
    if (instances < 1 || intraOpThreads < 1) {
      throw new IllegalArgumentException("instances and intraOpThreads must be positive");
    }
  }

  /** One call per core at a time, one thread per call, no batching, a 10 s budget. */
  public static Deployment defaults() {
    return new Deployment(
        Runtime.getRuntime().availableProcessors(), 1, null, Duration.ofSeconds(10));
  }

  /** Dynamic batching: up to {@code maxBatchSize} rows, waiting at most {@code maxQueueDelay}. */
  public record Batching(int maxBatchSize, Duration maxQueueDelay) {}
}
