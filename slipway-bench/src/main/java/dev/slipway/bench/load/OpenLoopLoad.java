package dev.slipway.bench.load;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends POST requests at a fixed rate (open loop) for a fixed time and reports latency percentiles.
 *
 * <p>Request {@code i} is due at {@code start + i / rate}; its latency is counted from that due
 * time, not from when it was actually sent, so time the generator spent waiting for a slow server
 * shows up in the percentiles. At most {@code --max-in-flight} requests are outstanding: a request
 * due while the limit is reached is not sent and is counted as {@code shed}, which keeps the
 * generator bounded in memory and time when the rate is above what the server can answer. Every
 * request is sent to 127.0.0.1 only.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.slipway.bench.load.OpenLoopLoad --url
 * http://127.0.0.1:8080/v2/models/ad-click/infer --body body.json --rate 2000 --duration 15
 * [--warmup 5] [--max-in-flight 256] [--label name]}. Prints one summary line starting with {@code
 * RESULT}.
 *
 * <p>Not thread-safe; one run per process.
 */
public final class OpenLoopLoad {
  private final URI url;
  private final byte[] body;
  private final double rate;
  private final int durationSeconds;
  private final int warmupSeconds;
  private final int maxInFlight;
  private final String label;

  private OpenLoopLoad(Map<String, String> options) throws IOException {
    url = URI.create(required(options, "url"));
    if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
      throw new IllegalArgumentException("--url must point at 127.0.0.1, got " + url);
    }
    body = Files.readAllBytes(Path.of(required(options, "body")));
    rate = Double.parseDouble(required(options, "rate"));
    durationSeconds = Integer.parseInt(options.getOrDefault("duration", "15"));
    warmupSeconds = Integer.parseInt(options.getOrDefault("warmup", "5"));
    maxInFlight = Integer.parseInt(options.getOrDefault("max-in-flight", "256"));
    label = options.getOrDefault("label", url.getPath());
    if (rate <= 0 || rate > 200_000 || durationSeconds <= 0 || durationSeconds > 600) {
      throw new IllegalArgumentException("--rate in (0, 200000], --duration in [1, 600] s");
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    new OpenLoopLoad(options).run(System.out);
  }

  private static String required(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return v;
  }

  /** Counters and latencies of one phase (warm-up or measurement). */
  private static final class Phase {
    final long[] latencies;
    final AtomicInteger recorded = new AtomicInteger();
    final AtomicLong errors = new AtomicLong();
    long sent;
    long shed;

    Phase(long expected) {
      latencies = new long[(int) Math.min(Integer.MAX_VALUE - 8, expected + 16)];
    }

    void record(long nanos) {
      int i = recorded.getAndIncrement();
      if (i < latencies.length) {
        latencies[i] = nanos;
      }
    }
  }

  private void run(PrintStream out) throws InterruptedException {
    ClientFactory factory =
        ClientFactory.builder().idleTimeout(Duration.ofSeconds(60)).useHttp2Preface(false).build();
    String base = "h1c://" + url.getHost() + ":" + url.getPort();
    WebClient client =
        WebClient.builder(base)
            .factory(factory)
            .responseTimeout(Duration.ofSeconds(10))
            .maxResponseLength(16 << 20)
            .build();
    AtomicInteger inFlight = new AtomicInteger();
    try {
      runPhase(client, inFlight, warmupSeconds, new Phase((long) (rate * warmupSeconds)));
      Phase measured = new Phase((long) (rate * durationSeconds));
      long elapsed = runPhase(client, inFlight, durationSeconds, measured);
      report(out, measured, elapsed);
    } finally {
      factory.close();
    }
  }

  /** Sends at the fixed rate for {@code seconds}, then waits (bounded) for answers in flight. */
  private long runPhase(WebClient client, AtomicInteger inFlight, int seconds, Phase phase)
      throws InterruptedException {
    if (seconds == 0) {
      return 0;
    }
    long period = (long) (1e9 / rate);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    String path = url.getRawPath();
    for (long i = 0; ; i++) {
      long due = start + i * period;
      if (due >= end) {
        break;
      }
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      if (inFlight.get() >= maxInFlight) {
        phase.shed++;
        continue;
      }
      inFlight.incrementAndGet();
      phase.sent++;
      client
          .execute(HttpRequest.of(HttpMethod.POST, path, MediaType.JSON_UTF_8, body))
          .aggregate()
          .handle(
              (AggregatedHttpResponse res, Throwable err) -> {
                long latency = System.nanoTime() - due;
                if (err != null || res.status().code() != 200) {
                  phase.errors.incrementAndGet();
                } else {
                  phase.record(latency);
                }
                inFlight.decrementAndGet();
                return null;
              });
    }
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(1);
    }
    return System.nanoTime() - start;
  }

  private void report(PrintStream out, Phase p, long elapsedNanos) {
    int n = Math.min(p.recorded.get(), p.latencies.length);
    long[] sorted = Arrays.copyOf(p.latencies, n);
    Arrays.sort(sorted);
    double achieved = n / (elapsedNanos / 1e9);
    out.println(
        String.format(
            Locale.ROOT,
            "RESULT label=%s target_rps=%.0f achieved_rps=%.1f sent=%d ok=%d errors=%d shed=%d"
                + " p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f",
            label,
            rate,
            achieved,
            p.sent,
            n,
            p.errors.get(),
            p.shed,
            ms(sorted, 0.50),
            ms(sorted, 0.90),
            ms(sorted, 0.99),
            ms(sorted, 0.999),
            n == 0 ? Double.NaN : sorted[n - 1] / 1e6));
    out.flush();
  }

  /** The nearest-rank percentile, in milliseconds. */
  private static double ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
  }
}
