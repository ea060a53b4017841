package dev.slipway.monitor.log;

import java.util.SplittableRandom;

/**
 * Decides which requests are logged: a request id is in the sample when a seeded hash of it falls
 * below the rate, so the same id is always decided the same way (all rows of a request, retries of
 * it, and a test run with the same seed). Thread-safe and stateless.
 */
public final class Sampler {
  private final long seed;

  public Sampler(long seed) {
    this.seed = seed;
  }

  /** Whether a request is logged at a rate from 0 (none) to 1 (all). */
  public boolean sampled(String requestId, double rate) {
    if (rate >= 1) {
      return true;
    }
    if (rate <= 0) {
      return false;
    }
    return new SplittableRandom(seed ^ (31L * requestId.hashCode() + requestId.length()))
            .nextDouble()
        < rate;
  }
}
