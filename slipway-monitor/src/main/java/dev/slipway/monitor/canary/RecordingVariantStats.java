package dev.slipway.monitor.canary;

import dev.slipway.monitor.abtest.Moments;
import dev.slipway.serving.route.RouteListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@link VariantStats} kept in memory from the router's outcomes ({@link RouteListener}) and from
 * feedback values given to {@link #feedback}: per model, version and minute, the count of requests
 * and errors, a log-scale latency histogram (buckets 5 % wide, so p99 is within 5 %) and the
 * metric's moments. Windows are read at minute granularity; minutes older than the retention are
 * dropped. Shadow outcomes are not counted (a shadow's answer reaches nobody).
 *
 * <p>A stand-in until the prediction log provides these numbers; it forgets everything on restart,
 * so a rollout continued after a restart judges its current step on the traffic since then.
 *
 * <p>Thread-safe.
 */
public final class RecordingVariantStats implements VariantStats, RouteListener {
  private static final double LOG_STEP = Math.log(1.05);
  private static final long MINUTE = 60_000;

  private final Clock clock;
  private final Duration retention;
  private final Map<String, ConcurrentSkipListMap<Long, Bucket>> series = new ConcurrentHashMap<>();

  public RecordingVariantStats(Clock clock, Duration retention) {
    this.clock = clock;
    this.retention = retention;
  }

  private static final class Bucket {
    long requests;
    long errors;
    final Map<Integer, Long> latency = new HashMap<>();
    Moments metric = Moments.EMPTY;
  }

  @Override
  public void served(String model, int version, boolean shadow, long nanos, boolean failed) {
    if (shadow) {
      return;
    }
    Bucket b = bucket(model, version, clock.millis());
    synchronized (b) {
      b.requests++;
      if (failed) {
        b.errors++;
      }
      b.latency.merge(index(nanos), 1L, Long::sum);
    }
  }

  /**
   * Adds one feedback value (0/1 for a click or a correct answer, or a loss) for a version, in the
   * minute of {@code at}: the time of the prediction it belongs to, so late feedback lands in the
   * step that served the request. A time older than the retention is dropped.
   */
  public void feedback(String model, int version, Instant at, double value) {
    Bucket b = bucket(model, version, at.toEpochMilli());
    synchronized (b) {
      b.metric = b.metric.plus(new Moments(1, value, value * value));
    }
  }

  /**
   * Replaces one feedback value given before for a version's prediction made at {@code at} (a
   * corrected label): {@code old} is taken out of that minute and {@code value} added. When the
   * minute no longer holds a value (dropped by retention), only {@code value} is added.
   */
  public void correct(String model, int version, Instant at, double old, double value) {
    Bucket b = bucket(model, version, at.toEpochMilli());
    synchronized (b) {
      Moments m = b.metric;
      if (m.n() > 0) {
        m = m.minus(new Moments(1, old, old * old));
      }
      b.metric = m.plus(new Moments(1, value, value * value));
    }
  }

  private Bucket bucket(String model, int version, long millis) {
    ConcurrentSkipListMap<Long, Bucket> s =
        series.computeIfAbsent(model + "/" + version, k -> new ConcurrentSkipListMap<>());
    long minute = Math.floorDiv(millis, MINUTE);
    Bucket b = s.computeIfAbsent(minute, k -> new Bucket());
    long oldest = Math.floorDiv(clock.millis() - retention.toMillis(), MINUTE);
    s.headMap(oldest).clear();
    return b;
  }

  /** Latency bucket of a duration: bucket i holds (1.05^(i-1), 1.05^i] microseconds. */
  private static int index(long nanos) {
    double micros = Math.max(1, nanos / 1000.0);
    return (int) Math.ceil(Math.log(micros) / LOG_STEP);
  }

  @Override
  public Window window(String model, int version, Instant from, Instant to) {
    ConcurrentSkipListMap<Long, Bucket> s = series.get(model + "/" + version);
    if (s == null) {
      return Window.EMPTY;
    }
    long requests = 0;
    long errors = 0;
    Moments metric = Moments.EMPTY;
    Map<Integer, Long> latency = new java.util.TreeMap<>();
    for (Bucket b :
        s.subMap(
                Math.floorDiv(from.toEpochMilli(), MINUTE),
                true,
                Math.floorDiv(to.toEpochMilli(), MINUTE),
                true)
            .values()) {
      synchronized (b) {
        requests += b.requests;
        errors += b.errors;
        metric = metric.plus(b.metric);
        b.latency.forEach((k, v) -> latency.merge(k, v, Long::sum));
      }
    }
    double p99 = Double.NaN;
    long seen = 0;
    long target = (long) Math.ceil(0.99 * requests);
    for (Map.Entry<Integer, Long> e : latency.entrySet()) {
      seen += e.getValue();
      if (seen >= target) {
        p99 = Math.exp(e.getKey() * LOG_STEP) / 1000.0;
        break;
      }
    }
    return new Window(requests, errors, p99, metric);
  }
}
