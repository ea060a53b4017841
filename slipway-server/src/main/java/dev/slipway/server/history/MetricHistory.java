package dev.slipway.server.history;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the server's meters every {@link #interval()} into a bounded ring buffer per model, so
 * that the dashboard can plot them over time. Each sample after the first holds, for the window
 * since the previous sample:
 *
 * <ul>
 *   <li>per version, answered requests per second, from the deltas of the {@code
 *       slipway.request.duration} timers' counts (summed over protocols);
 *   <li>per version, the 50th, 95th and 99th latency percentiles of that window in milliseconds,
 *       interpolated within the deltas of the timers' histogram buckets (as Prometheus' {@code
 *       histogram_quantile} does), so they describe the window, not the server's lifetime;
 *   <li>the model's error rate: responses with a 4xx or 5xx status ÷ all responses, from {@link
 *       ModelResponses}' {@code slipway.model.responses} counters;
 *   <li>the model's fallback rate: rows answered by a link other than the model itself ÷ all rows,
 *       from the guards' {@code slipway.guard.answers} counters (guarded models only).
 * </ul>
 *
 * A rate or percentile is left out of a sample whose window has nothing to compute it from (no
 * requests). Retention is bounded: each model keeps its last {@link #capacity()} samples (8,640 by
 * default: 24 hours at the default 10 s interval); older ones are dropped.
 *
 * <p>Thread-safe: sampling and reading lock the same monitor; a read copies the points it returns.
 */
public final class MetricHistory implements AutoCloseable {
  /** Samples kept per model by default: 24 hours at 10 s. */
  public static final int DEFAULT_CAPACITY = 8640;

  /** The default sampling interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  static final String REQUESTS = "slipway.request.duration";
  static final String ANSWERS = "slipway.guard.answers";
  static final String PRIMARY_LINK = "primary";

  private static final Logger log = LoggerFactory.getLogger(MetricHistory.class);
  private static final double[] QUANTILES = {0.50, 0.95, 0.99};

  private final MeterRegistry meters;
  private final Clock clock;
  private final Duration interval;
  private final int capacity;

  private final Map<String, ArrayDeque<Sample>> samples = new HashMap<>();
  // the cumulative values each meter had at the previous sample
  private final Map<Meter.Id, Double> lastCounts = new HashMap<>();
  private final Map<Meter.Id, SortedMap<Double, Double>> lastBuckets = new HashMap<>();
  private Instant last;
  private ScheduledFuture<?> task;

  /**
   * @param meters the registry the server's meters are in
   * @param clock the time each {@link #sample()} is taken at
   * @param interval how often {@link #start} samples; positive
   * @param capacity samples kept per model; positive
   */
  public MetricHistory(MeterRegistry meters, Clock clock, Duration interval, int capacity) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.meters = meters;
    this.clock = clock;
    this.interval = interval;
    this.capacity = capacity;
  }

  /** One version's numbers in one window; a percentile is null when the window had no request. */
  public record VersionSample(double requestsPerSecond, Double p50, Double p95, Double p99) {}

  /**
   * A model's numbers for the window that ended at {@code time}.
   *
   * @param versions per version number, its traffic and latency
   * @param errorRate 4xx and 5xx responses ÷ all responses, or null without responses
   * @param fallbackRate rows answered by a fallback ÷ all rows, or null without guarded rows
   */
  public record Sample(
      Instant time, Map<Integer, VersionSample> versions, Double errorRate, Double fallbackRate) {
    public Sample {
      versions = Collections.unmodifiableMap(new TreeMap<>(versions));
    }
  }

  public Duration interval() {
    return interval;
  }

  public int capacity() {
    return capacity;
  }

  public Clock clock() {
    return clock;
  }

  /** Samples every {@link #interval()} on the given scheduler until {@link #close()}. */
  public synchronized void start(ScheduledExecutorService scheduler) {
    long ms = interval.toMillis();
    task =
        scheduler.scheduleAtFixedRate(
            () -> {
              try {
                sample();
              } catch (RuntimeException e) {
                log.warn("metric history sample failed: {}", e.getMessage());
              }
            },
            ms,
            ms,
            TimeUnit.MILLISECONDS);
  }

  /** Takes a sample at the clock's time. */
  public void sample() {
    sampleAt(clock.instant());
  }

  /**
   * Takes a sample at {@code time}: the window is the time since the previous sample. The first
   * sample only sets the baseline. A time not after the previous sample's is ignored.
   */
  public synchronized void sampleAt(Instant time) {
    if (last != null && !time.isAfter(last)) {
      return;
    }
    double seconds = last == null ? 0 : Duration.between(last, time).toNanos() / 1e9;

    // traffic and latency per model and version, summed over protocols
    Map<String, Map<Integer, double[]>> counts = new TreeMap<>();
    Map<String, Map<Integer, SortedMap<Double, Double>>> buckets = new HashMap<>();
    for (Timer t : meters.find(REQUESTS).timers()) {
      String model = t.getId().getTag("model");
      Integer version = parseVersion(t.getId().getTag("version"));
      if (model == null || version == null) {
        continue;
      }
      HistogramSnapshot snap = t.takeSnapshot();
      double count = snap.count();
      double delta = count - lastCounts.getOrDefault(t.getId(), 0.0);
      lastCounts.put(t.getId(), count);
      SortedMap<Double, Double> cumulative = new TreeMap<>();
      for (CountAtBucket b : snap.histogramCounts()) {
        cumulative.put(b.bucket(TimeUnit.MILLISECONDS), b.count());
      }
      Map<Double, Double> before = lastBuckets.getOrDefault(t.getId(), new TreeMap<>());
      lastBuckets.put(t.getId(), cumulative);
      counts
          .computeIfAbsent(model, m -> new TreeMap<>())
          .merge(version, new double[] {delta}, MetricHistory::add);
      SortedMap<Double, Double> window =
          buckets
              .computeIfAbsent(model, m -> new HashMap<>())
              .computeIfAbsent(version, v -> new TreeMap<>());
      cumulative.forEach(
          (bound, n) -> window.merge(bound, n - before.getOrDefault(bound, 0.0), Double::sum));
    }
    Map<String, double[]> responses =
        ratio(ModelResponses.METER, "status", s -> !s.equals(ModelResponses.OK));
    Map<String, double[]> answers = ratio(ANSWERS, "link", l -> !l.equals(PRIMARY_LINK));

    if (last != null) {
      List<String> models = new ArrayList<>(counts.keySet());
      for (String m : responses.keySet()) {
        if (!models.contains(m)) {
          models.add(m);
        }
      }
      for (String m : answers.keySet()) {
        if (!models.contains(m)) {
          models.add(m);
        }
      }
      for (String model : models) {
        Map<Integer, VersionSample> versions = new TreeMap<>();
        counts
            .getOrDefault(model, Map.of())
            .forEach(
                (version, n) -> {
                  SortedMap<Double, Double> w = buckets.get(model).get(version);
                  Double[] p = new Double[QUANTILES.length];
                  for (int i = 0; i < p.length; i++) {
                    p[i] = n[0] > 0 ? quantile(w, n[0], QUANTILES[i]) : null;
                  }
                  versions.put(version, new VersionSample(n[0] / seconds, p[0], p[1], p[2]));
                });
        ArrayDeque<Sample> ring = samples.computeIfAbsent(model, m -> new ArrayDeque<>());
        if (ring.size() == capacity) {
          ring.removeFirst();
        }
        ring.addLast(
            new Sample(time, versions, rate(responses.get(model)), rate(answers.get(model))));
      }
    }
    last = time;
  }

  /**
   * The samples of a model taken in {@code [from, to]}, oldest first; empty for a model without
   * any.
   */
  public synchronized List<Sample> samples(String model, Instant from, Instant to) {
    ArrayDeque<Sample> ring = samples.get(model);
    if (ring == null) {
      return List.of();
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : ring) {
      if (!s.time().isBefore(from) && !s.time().isAfter(to)) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * The {@code q} quantile of a window's latencies from its histogram: the bucket holding the rank
   * {@code q × n} and linear interpolation inside it; the largest bound when the rank lies above
   * every bucket.
   *
   * @param cumulative per upper bound (ms), the window's count of values at or below it
   */
  static double quantile(SortedMap<Double, Double> cumulative, double n, double q) {
    double rank = q * n;
    double lower = 0;
    double below = 0;
    double bound = 0;
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      bound = e.getKey();
      double c = e.getValue();
      if (c >= rank && c > below) {
        return lower + (bound - lower) * (rank - below) / (c - below);
      }
      lower = bound;
      below = Math.max(below, c);
    }
    return bound;
  }

  /** Per model, {delta of the counters matching {@code part}, delta of all}. */
  private Map<String, double[]> ratio(
      String name, String tag, java.util.function.Predicate<String> part) {
    Map<String, double[]> out = new HashMap<>();
    for (Counter c : meters.find(name).counters()) {
      String model = c.getId().getTag("model");
      String value = c.getId().getTag(tag);
      if (model == null || value == null) {
        continue;
      }
      double count = c.count();
      double delta = count - lastCounts.getOrDefault(c.getId(), 0.0);
      lastCounts.put(c.getId(), count);
      double[] r = out.computeIfAbsent(model, m -> new double[2]);
      if (part.test(value)) {
        r[0] += delta;
      }
      r[1] += delta;
    }
    return out;
  }

  private static Double rate(double[] r) {
    return r == null || r[1] <= 0 ? null : r[0] / r[1];
  }

  private static double[] add(double[] a, double[] b) {
    return new double[] {a[0] + b[0]};
  }

  private static Integer parseVersion(String v) {
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Stops sampling; the samples taken stay readable. */
  @Override
  public synchronized void close() {
    if (task != null) {
      task.cancel(false);
    }
  }
}
