package dev.slipway.monitor.canary;

import dev.slipway.monitor.abtest.Moments;
import java.time.Instant;

/**
 * Per-version outcomes of a model's traffic over a time window: what the canary analysis and the
 * A/B report read. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface VariantStats {
  /**
   * The outcomes of one version in {@code [from, to)}.
   *
   * @throws RuntimeException only when the source itself fails
   */
  Window window(String model, int version, Instant from, Instant to);

  /**
   * @param requests requests answered (or failed) by the version
   * @param errors those that failed (model failure or unavailable)
   * @param p99Millis the 99th percentile of their latency in milliseconds, NaN without requests
   * @param metric the feedback metric's values joined to the version's predictions (0/1 for a click
   *     or accuracy, a per-prediction loss for log loss)
   */
  record Window(long requests, long errors, double p99Millis, Moments metric) {
    public static final Window EMPTY = new Window(0, 0, Double.NaN, Moments.EMPTY);

    public Window {
      if (requests < 0 || errors < 0 || errors > requests) {
        throw new IllegalArgumentException("need 0 ≤ errors ≤ requests");
      }
      metric = metric == null ? Moments.EMPTY : metric;
    }

    public double errorRate() {
      return requests == 0 ? Double.NaN : (double) errors / requests;
    }
  }
}
