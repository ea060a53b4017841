package dev.slipway.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Issue 3: what does dynamic batching gain on a small MLP at concurrency 64?
 *
 * <p>Against a running server whose {@code slipway.yaml} gives model {@code --on} (default {@code
 * mlp-batched}) a {@code deployment.batching} section and model {@code --off} (default {@code mlp})
 * none: uploads the same seeded MLP (32 → 256 → 256 → 1, MatMul+Add+Relu, {@link
 * OnnxModelBuilder#mlp}) as both over REST, checks from {@code GET /api/v1/deployments} that one is
 * batched and the other is not, checks that 64 concurrent different rows get the same answers from
 * both (batching must not mix rows up), then drives each with {@code --concurrency} closed-loop
 * clients (each sends its next OIP v2 request of one row as soon as it has its answer) for {@code
 * --duration} seconds after {@code --warmup} seconds, off then on, {@code --rounds} times. Prints
 * throughput and latency percentiles of both and the ratios on ÷ off.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.slipway.bench.load.BatchingGain --base
 * http://127.0.0.1:PORT [--off mlp] [--on mlp-batched] [--concurrency 64] [--duration 20] [--warmup
 * 5] [--rounds 1]}.
 */
public final class BatchingGain {
  private static final int[] WIDTHS = {32, 256, 256, 1};

  private BatchingGain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = Options.parse(args);
    SlipwayClient client = new SlipwayClient(URI.create(Options.required(o, "base")));
    String off = o.getOrDefault("off", "mlp");
    String on = o.getOrDefault("on", "mlp-batched");
    int concurrency = Options.integer(o, "concurrency", 64);
    int duration = Options.integer(o, "duration", 20);
    int warmup = Options.integer(o, "warmup", 5);
    int rounds = Options.integer(o, "rounds", 1);
    PrintStream out = System.out;

    OnnxModelBuilder.Mlp mlp = OnnxModelBuilder.mlp(42, WIDTHS);
    int vOff = client.upload(off, mlp.onnx(), "slipway-bench MLP 32-256-256-1");
    int vOn = client.upload(on, mlp.onnx(), "slipway-bench MLP 32-256-256-1");
    JsonNode deployments = client.deployments();
    Map<String, Boolean> batching = new LinkedHashMap<>();
    Map<String, Integer> instances = new LinkedHashMap<>();
    for (JsonNode m : deployments.path("loaded")) {
      String name = m.path("model").asText();
      int v = m.path("version").asInt();
      if ((name.equals(off) && v == vOff) || (name.equals(on) && v == vOn)) {
        batching.put(name, m.path("batching").asBoolean());
        instances.put(name, m.path("instances").asInt());
      }
    }
    out.println("server deployments: batching " + batching + ", instances " + instances);
    if (!Boolean.FALSE.equals(batching.get(off)) || !Boolean.TRUE.equals(batching.get(on))) {
      throw new IllegalStateException(
          "expected "
              + off
              + " unbatched and "
              + on
              + " batched; check the server's slipway.yaml (models."
              + on
              + ".deployment.batching)");
    }
    checkSameAnswers(client, off, on, concurrency);

    float[] row = new float[WIDTHS[0]];
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) random.nextGaussian();
    }
    byte[] body = SlipwayClient.oipFloats("x", 1, WIDTHS[0], row);
    Map<String, LoadGenerator.Summary> results = new LinkedHashMap<>();
    Map<String, LoadGenerator.Window> windows = new LinkedHashMap<>();
    windows.put(off, new LoadGenerator.Window());
    windows.put(on, new LoadGenerator.Window());
    out.printf(
        Locale.ROOT,
        "closed loop: %d connections, 1 row per request, warm-up %d s + %d s per model, %d"
            + " round(s), order %s%n",
        concurrency,
        warmup,
        duration,
        rounds,
        windows.keySet());
    for (int r = 0; r < rounds; r++) {
      for (Map.Entry<String, LoadGenerator.Window> w : windows.entrySet()) {
        // fresh connections per run: idle ones would have been closed by the server meanwhile
        try (LoadGenerator load =
            new LoadGenerator(
                client.uri("/v2/models/" + w.getKey() + "/infer"), body, concurrency)) {
          if (warmup > 0) {
            load.closedLoop(new LoadGenerator.Window(), warmup);
          }
          load.closedLoop(w.getValue(), duration);
          results.put(w.getKey(), load.summary(w.getValue()));
        }
        Thread.sleep(1000);
      }
    }
    LoadGenerator.Summary a = results.get(off);
    LoadGenerator.Summary b = results.get(on);
    out.println();
    out.println(
        "| batching | model | req/s | ok | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
    out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    row(out, "off", off, a);
    row(out, "on", on, b);
    out.printf(
        Locale.ROOT,
        "%nthroughput on ÷ off = %.2f; p50 on ÷ off = %.2f; p99 on ÷ off = %.2f%n",
        b.okPerSecond() / a.okPerSecond(),
        b.p50() / a.p50(),
        b.p99() / a.p99());
    for (Map.Entry<String, LoadGenerator.Summary> e : results.entrySet()) {
      LoadGenerator.Summary x = e.getValue();
      out.printf(
          Locale.ROOT,
          "RESULT model=%s concurrency=%d rps=%.1f ok=%d errors=%d %s%n",
          e.getKey(),
          concurrency,
          x.okPerSecond(),
          x.ok(),
          x.errors(),
          x.percentiles());
      if (x.firstError() != null) {
        out.println("  first error for " + e.getKey() + ": " + x.firstError());
      }
    }
    out.printf(
        Locale.ROOT,
        "generator process CPU: %.1f s for the whole run, JVM start included%n",
        LoadGenerator.cpuSeconds());
  }

  private static void row(PrintStream out, String mode, String model, LoadGenerator.Summary s) {
    out.printf(
        Locale.ROOT,
        "| %s | %s | %.0f | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
        mode,
        model,
        s.okPerSecond(),
        s.ok(),
        s.errors(),
        s.p50(),
        s.p90(),
        s.p99(),
        s.p999(),
        s.max());
  }

  /**
   * Sends {@code n} different rows at once to the batched model and one by one to the unbatched
   * one: every row must get the same answer (to float rounding: a batch runs other kernels).
   */
  private static void checkSameAnswers(SlipwayClient client, String off, String on, int n)
      throws Exception {
    SplittableRandom random = new SplittableRandom(99);
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = new float[WIDTHS[0]];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) random.nextGaussian();
      }
      bodies.add(SlipwayClient.oipFloats("x", 1, WIDTHS[0], x));
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<CompletableFuture<JsonNode>> batched = new ArrayList<>();
      for (byte[] body : bodies) {
        batched.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return client.infer(on, body);
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                },
                pool));
      }
      double worst = 0;
      for (int i = 0; i < n; i++) {
        double single = value(client.infer(off, bodies.get(i)));
        double together = value(batched.get(i).join());
        worst = Math.max(worst, Math.abs(single - together));
        if (Math.abs(single - together) > 1e-4 * Math.max(1, Math.abs(single))) {
          throw new IllegalStateException(
              "row " + i + ": unbatched " + single + ", batched " + together);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "check: %d concurrent rows answered alike with and without batching (largest"
              + " difference %.2e)%n",
          n,
          worst);
    } finally {
      pool.shutdown();
    }
  }

  private static double value(JsonNode answer) {
    return answer.path("outputs").path(0).path("data").path(0).asDouble(Double.NaN);
  }
}
