package dev.slipway.serving.route;

import dev.slipway.serving.InferenceRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.commons.codec.digest.MurmurHash3;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which version of a model answers a request for its bare name, per the model's {@link
 * TrafficPolicy}; a model without a policy is not routed (its default reference serves). Counts
 * routed requests in {@code slipway.route.requests} by model, version, role (primary, shadow) and
 * outcome (ok, failed, dropped).
 *
 * <p>Sticky assignment hashes {@code model + "\u0000" + salt + "\u0000" + key} (UTF-8) with
 * MurmurHash3 x64 128 (seed 0, first 64 bits) to a number in [0, 1): specified, so it is the same
 * in every JVM and after a restart. Random draws and Thompson samples come from one {@link
 * SplittableRandom} seeded at construction.
 *
 * <p>Thread-safe: policies and posteriors are swapped atomically per model; the generator is used
 * under a lock.
 */
public final class Router {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final MeterRegistry meters;
  private final SplittableRandom random;
  private final UniformRandomProvider uniform;
  private final Executor shadowExecutor;
  private final ShadowSink shadowSink;
  private final Map<String, TrafficPolicy> policies = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, Posterior>> posteriors = new ConcurrentHashMap<>();
  private final List<RouteListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  /**
   * A Beta(successes + 1, failures + 1) posterior of an arm's reward rate.
   *
   * @param successes rewards of 1 so far
   * @param failures rewards of 0 so far
   */
  public record Posterior(long successes, long failures) {
    public double mean() {
      return (successes + 1.0) / (successes + failures + 2.0);
    }
  }

  /**
   * Where one request goes.
   *
   * @param version the version that answers
   * @param shadow a version that also gets a copy, or null
   * @param variant how it was chosen: {@code split} or {@code bandit}
   */
  public record Route(int version, Integer shadow, String variant) {}

  /**
   * @param seed seeds random assignment and Thompson sampling
   * @param shadowExecutor runs shadow copies; it should drop work when saturated (a rejected shadow
   *     is counted as dropped) so that shadows never slow callers
   * @param shadowSink receives shadow answers
   */
  public Router(MeterRegistry meters, long seed, Executor shadowExecutor, ShadowSink shadowSink) {
    this.meters = meters;
    this.random = new SplittableRandom(seed);
    this.uniform = this::nextLong;
    this.shadowExecutor = shadowExecutor;
    this.shadowSink = shadowSink;
  }

  private long nextLong() {
    synchronized (random) {
      return random.nextLong();
    }
  }

  private double nextDouble() {
    synchronized (random) {
      return random.nextDouble();
    }
  }

  /** Sets (or replaces) the policy of a model; its bandit posteriors are kept. */
  public void set(String model, TrafficPolicy policy) {
    policies.put(model, policy);
  }

  /** Removes the policy of a model: its bare name serves its default reference again. */
  public void clear(String model) {
    policies.remove(model);
  }

  public Optional<TrafficPolicy> policy(String model) {
    return Optional.ofNullable(policies.get(model));
  }

  /** Every policy, by model name. */
  public Map<String, TrafficPolicy> policies() {
    return Collections.unmodifiableMap(new TreeMap<>(policies));
  }

  public void addListener(RouteListener listener) {
    listeners.add(listener);
  }

  /**
   * Where a request goes, or empty when it names a version or alias explicitly or its model has no
   * policy.
   */
  public Optional<Route> route(InferenceRequest request) {
    if (request.version() != null
        || request.model().indexOf('@') >= 0
        || request.model().indexOf('/') >= 0) {
      return Optional.empty();
    }
    TrafficPolicy p = policies.get(request.model());
    if (p == null) {
      return Optional.empty();
    }
    return Optional.of(route(request.model(), p, keyOf(p, request)));
  }

  /**
   * Where a request with this key goes under the model's policy (empty without a policy).
   *
   * @param key the sticky key, or null for a random draw
   */
  public Optional<Route> route(String model, String key) {
    TrafficPolicy p = policies.get(model);
    return p == null ? Optional.empty() : Optional.of(route(model, p, key));
  }

  private Route route(String model, TrafficPolicy p, String key) {
    int version;
    String variant;
    if (p.kind() == TrafficPolicy.Kind.BANDIT) {
      version = thompson(model, p);
      variant = "bandit";
    } else {
      double u =
          p.assignment() == TrafficPolicy.Assignment.STICKY && key != null
              ? unit(model, p.salt(), key)
              : nextDouble();
      version = pick(p.weights(), u);
      variant = "split";
    }
    Integer shadow = null;
    if (p.shadow() != null && p.shadow().version() != version) {
      double u =
          p.assignment() == TrafficPolicy.Assignment.STICKY && key != null
              ? unit(model, p.salt() + "\u0000shadow", key)
              : nextDouble();
      if (u < p.shadow().share()) {
        shadow = p.shadow().version();
      }
    }
    return new Route(version, shadow, variant);
  }

  /** The sticky draw of a key in [0, 1): MurmurHash3 x64 128 of {@code model \0 salt \0 key}. */
  public static double unit(String model, String salt, String key) {
    byte[] bytes = (model + "\u0000" + salt + "\u0000" + key).getBytes(StandardCharsets.UTF_8);
    long h = MurmurHash3.hash128x64(bytes)[0];
    return (h >>> 11) * 0x1.0p-53;
  }

  /** The version whose slice of [0, 1) holds u; slices follow ascending version order. */
  static int pick(Map<Integer, Double> weights, double u) {
    double total = 0;
    for (double w : weights.values()) {
      total += w;
    }
    double edge = 0;
    int last = -1;
    for (Map.Entry<Integer, Double> e : weights.entrySet()) {
      if (e.getValue() <= 0) {
        continue;
      }
      edge += e.getValue() / total;
      last = e.getKey();
      if (u < edge) {
        return last;
      }
    }
    return last; // rounding: u just below 1
  }

  private int thompson(String model, TrafficPolicy p) {
    Map<Integer, Posterior> post = posteriors.getOrDefault(model, Map.of());
    int best = -1;
    double bestDraw = -1;
    for (Map.Entry<Integer, Double> e : p.weights().entrySet()) {
      if (e.getValue() <= 0) {
        continue;
      }
      Posterior b = post.getOrDefault(e.getKey(), new Posterior(0, 0));
      double draw =
          BetaDistribution.of(b.successes() + 1.0, b.failures() + 1.0)
              .createSampler(uniform)
              .sample();
      if (draw > bestDraw) {
        bestDraw = draw;
        best = e.getKey();
      }
    }
    return best;
  }

  /**
   * Adds reward feedback for a bandit arm: {@code successes} rewards of 1 and {@code failures} of
   * 0.
   */
  public void reward(String model, int version, long successes, long failures) {
    if (successes < 0 || failures < 0) {
      throw new IllegalArgumentException("negative reward counts");
    }
    posteriors.compute(
        model,
        (m, old) -> {
          Map<Integer, Posterior> next = old == null ? new TreeMap<>() : new TreeMap<>(old);
          next.merge(
              version,
              new Posterior(successes, failures),
              (a, b) -> new Posterior(a.successes() + b.successes(), a.failures() + b.failures()));
          return Collections.unmodifiableMap(next);
        });
  }

  /**
   * Takes back rewards given before (a corrected label): {@code successes} rewards of 1 and {@code
   * failures} of 0 are removed from the arm; a count never goes below 0 (rewards given before a
   * restart are not remembered).
   */
  public void retractReward(String model, int version, long successes, long failures) {
    if (successes < 0 || failures < 0) {
      throw new IllegalArgumentException("negative reward counts");
    }
    posteriors.computeIfPresent(
        model,
        (m, old) -> {
          Posterior p = old.get(version);
          if (p == null) {
            return old;
          }
          Map<Integer, Posterior> next = new TreeMap<>(old);
          next.put(
              version,
              new Posterior(
                  Math.max(0, p.successes() - successes), Math.max(0, p.failures() - failures)));
          return Collections.unmodifiableMap(next);
        });
  }

  /** The bandit posteriors of a model's arms, by version. */
  public Map<Integer, Posterior> posteriors(String model) {
    return new LinkedHashMap<>(posteriors.getOrDefault(model, Map.of()));
  }

  /** The sticky key of a request: the key field of its first record, else its id. */
  static String keyOf(TrafficPolicy p, InferenceRequest request) {
    if (p.keyField() != null && request.recordMode() && !request.records().isEmpty()) {
      Object v = request.records().get(0).get(p.keyField());
      if (v != null) {
        return String.valueOf(v);
      }
    }
    return request.id();
  }

  /** Records the outcome of a routed request and tells the listeners. */
  public void served(String model, int version, boolean shadow, long nanos, boolean failed) {
    count(model, version, shadow ? "shadow" : "primary", failed ? "failed" : "ok");
    for (RouteListener l : listeners) {
      try {
        l.served(model, version, shadow, nanos, failed);
      } catch (RuntimeException e) {
        log.warn("route listener {} failed", l, e);
      }
    }
  }

  /**
   * Runs a shadow copy on the shadow executor; never throws and never blocks the caller (a rejected
   * copy is counted as dropped).
   *
   * @param run computes the shadow answer (may throw: the failure goes to the sink)
   */
  public void shadow(
      String model,
      int version,
      String requestId,
      java.util.function.Supplier<dev.slipway.serving.InferenceResult> run) {
    try {
      shadowExecutor.execute(
          () -> {
            long t = System.nanoTime();
            dev.slipway.serving.InferenceResult r = null;
            Throwable failure = null;
            try {
              r = run.get();
            } catch (RuntimeException | Error e) {
              failure = e;
            }
            served(model, version, true, System.nanoTime() - t, failure != null);
            try {
              shadowSink.shadowed(model, version, requestId, r, failure);
            } catch (RuntimeException e) {
              log.warn("shadow sink failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      count(model, version, "shadow", "dropped");
    }
  }

  private void count(String model, int version, String role, String outcome) {
    counters
        .computeIfAbsent(
            model + "/" + version + "/" + role + "/" + outcome,
            k ->
                Counter.builder("slipway.route.requests")
                    .description("Requests placed by the router, by variant")
                    .tag("model", model)
                    .tag("version", Integer.toString(version))
                    .tag("role", role)
                    .tag("outcome", outcome)
                    .register(meters))
        .increment();
  }
}
