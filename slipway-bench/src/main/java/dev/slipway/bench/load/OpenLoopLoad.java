package dev.slipway.bench.load;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Sends one POST request over and over at a fixed rate (open loop) for a fixed time, and reports
 * latency percentiles: what wrk2 does, for machines that have only wrk. The engine is {@link
 * LoadGenerator#openLoop}: latencies count from the time each request was due (no coordinated
 * omission), and requests due while {@code --max-queue} are already waiting for a connection are
 * shed and counted. Only 127.0.0.1 is accepted.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.slipway.bench.load.OpenLoopLoad --url
 * http://127.0.0.1:8080/v2/models/ad-click/infer --body body.json --rate 2000 [--duration 15]
 * [--warmup 5] [--connections 64] [--max-queue 10000] [--label name]}. Prints one line starting
 * with {@code RESULT} (parsed by {@code load/run-load.sh}), then the generator's own CPU time.
 *
 * <p>One run per process.
 */
public final class OpenLoopLoad {
  private OpenLoopLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Options.parse(args);
    URI url = URI.create(Options.required(options, "url"));
    byte[] body = Files.readAllBytes(Path.of(Options.required(options, "body")));
    double rate = Double.parseDouble(Options.required(options, "rate"));
    int duration = Integer.parseInt(options.getOrDefault("duration", "15"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "5"));
    int connections = Integer.parseInt(options.getOrDefault("connections", "64"));
    int maxQueue = Integer.parseInt(options.getOrDefault("max-queue", "10000"));
    String label = options.getOrDefault("label", url.getPath());
    if (rate <= 0 || rate > 200_000 || duration <= 0 || duration > 600) {
      throw new IllegalArgumentException("--rate in (0, 200000], --duration in [1, 600] s");
    }
    try (LoadGenerator load = new LoadGenerator(url, body, connections)) {
      if (warmup > 0) {
        load.openLoop(new LoadGenerator.Window(), rate, warmup, maxQueue);
      }
      LoadGenerator.Window measured = new LoadGenerator.Window();
      load.openLoop(measured, rate, duration, maxQueue);
      report(System.out, label, rate, load.summary(measured), load.sentTotal());
    }
  }

  private static void report(
      PrintStream out, String label, double rate, LoadGenerator.Summary s, long sentTotal) {
    out.println(
        String.format(
            Locale.ROOT,
            "RESULT label=%s target_rps=%.0f achieved_rps=%.1f sent=%d ok=%d errors=%d shed=%d %s",
            label,
            rate,
            s.okPerSecond(),
            s.sent(),
            s.ok(),
            s.errors(),
            s.shed(),
            s.percentiles()));
    double cpu = LoadGenerator.cpuSeconds();
    out.println(
        String.format(
            Locale.ROOT,
            "generator CPU: %.1f s for the whole run, warm-up and JVM start included"
                + " (%.1f us per request sent)",
            cpu,
            cpu * 1e6 / Math.max(1, sentTotal)));
    if (s.firstError() != null) {
      out.println("first error: " + s.firstError());
    }
    if (s.closed() > 0) {
      out.println("connections closed by the server: " + s.closed());
    }
    out.flush();
  }
}
