package dev.slipway.monitor.canary;

import dev.slipway.serving.route.Router;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded users sending requests through a {@link Router}: each version has an error rate, a latency
 * and a click rate; outcomes and clicks go into a {@link RecordingVariantStats} at the clock's
 * time.
 */
final class SimulatedTraffic {
  /** How a version behaves. */
  record Behaviour(double errorRate, double latencyMillis, double clickRate) {}

  private final Router router;
  private final RecordingVariantStats stats;
  private final MutableClock clock;
  private final String model;
  private final Map<Integer, Behaviour> behaviour = new HashMap<>();
  private final SplittableRandom rng;
  private long user;

  SimulatedTraffic(
      Router router, RecordingVariantStats stats, MutableClock clock, String model, long seed) {
    this.router = router;
    this.stats = stats;
    this.clock = clock;
    this.model = model;
    this.rng = new SplittableRandom(seed);
  }

  SimulatedTraffic version(int v, double errorRate, double latencyMillis, double clickRate) {
    behaviour.put(v, new Behaviour(errorRate, latencyMillis, clickRate));
    return this;
  }

  /** Sends {@code n} requests from new users; returns the requests per version. */
  Map<Integer, Integer> send(int n) {
    Map<Integer, Integer> per = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String key = "user-" + (user++);
      int v = router.route(model, key).map(Router.Route::version).orElse(1);
      per.merge(v, 1, Integer::sum);
      Behaviour b = behaviour.get(v);
      boolean failed = rng.nextDouble() < b.errorRate();
      // latency: the version's typical time with exponential jitter
      long nanos = (long) (b.latencyMillis() * (0.5 + rng.nextExponential() * 0.5) * 1e6);
      stats.served(model, v, false, nanos, failed);
      if (!failed) {
        stats.feedback(model, v, clock.instant(), rng.nextDouble() < b.clickRate() ? 1 : 0);
      }
    }
    return per;
  }
}
