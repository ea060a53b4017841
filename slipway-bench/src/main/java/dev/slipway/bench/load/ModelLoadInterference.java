package dev.slipway.bench.load;

import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 3: does loading one model hurt the latency of another? (TF Serving #1866 saw a model's p99
 * go from 20 ms to 100 ms while another model loaded; Slipway's target is at most 1.5×.)
 *
 * <p>Against a running server: model A (the ad-click demo, OIP v2) is driven at a fixed rate by an
 * open-loop {@link LoadGenerator} for the whole run, and its latencies are collected in windows of
 * the same length, in this order, {@code --rounds} times:
 *
 * <ol>
 *   <li>{@code none}: A alone (the baseline);
 *   <li>{@code upload}: meanwhile a large model B (an MLP of 1024-wide dense layers, {@code
 *       --big-mb} of weights) is uploaded as a new version over REST and the alias {@code champion}
 *       moved to it, again and again: the production path (the server checks the upload by loading
 *       it, verifies it by loading and warming it up, then swaps B's route and unloads the old
 *       version);
 *   <li>{@code alias}: meanwhile B's {@code champion} alias flips between two uploaded versions, so
 *       that the server loads one version per move (with {@code registry.keepWarmSeconds: 0}
 *       replaced versions are unloaded at once, so each move is a real load).
 * </ol>
 *
 * B's route exists because one request is sent to B first. Prints a table of A's percentiles per
 * window with the ratio to the baseline, and how long B's uploads and moves took.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.slipway.bench.load.ModelLoadInterference --base
 * http://127.0.0.1:PORT --body slipway-bench/load/bodies/oip-1.json [--model ad-click] [--rate 300]
 * [--window 20] [--warmup 10] [--rounds 1] [--connections 32] [--big-mb 48] [--big-name big]
 * [--activities upload,alias] [--pause-ms 0]}.
 */
public final class ModelLoadInterference {
  private static final int WIDTH = 1024;

  private ModelLoadInterference() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = Options.parse(args);
    SlipwayClient client = new SlipwayClient(URI.create(Options.required(o, "base")));
    byte[] bodyA = Files.readAllBytes(Path.of(Options.required(o, "body")));
    String modelA = o.getOrDefault("model", "ad-click");
    double rate = Options.number(o, "rate", 300);
    int window = Options.integer(o, "window", 20);
    int warmup = Options.integer(o, "warmup", 10);
    int rounds = Options.integer(o, "rounds", 1);
    int connections = Options.integer(o, "connections", 32);
    int bigMb = Options.integer(o, "big-mb", 48);
    String big = o.getOrDefault("big-name", "big");
    List<String> activities = List.of(o.getOrDefault("activities", "upload,alias").split(","));
    long pauseMs = Options.integer(o, "pause-ms", 0);
    PrintStream out = System.out;

    client.infer(modelA, bodyA); // A answers before anything is measured

    int layers = (int) Math.max(1, Math.round(bigMb * 1048576.0 / (WIDTH * WIDTH * 4.0)));
    int[] widths = new int[layers + 1];
    Arrays.fill(widths, WIDTH);
    OnnxModelBuilder.Mlp mlp = OnnxModelBuilder.mlp(1, widths);
    byte[] bigOnnx = mlp.onnx();
    int patchAt = offsetOf(bigOnnx, mlp.weights()[0]);
    out.printf(
        Locale.ROOT,
        "model B (%s): %d dense layers of %dx%d, %.1f MB ONNX%n",
        big,
        layers,
        WIDTH,
        WIDTH,
        bigOnnx.length / 1048576.0);

    long t = System.nanoTime();
    int v1 = client.upload(big, patch(bigOnnx, patchAt, 1), "slipway-bench large model");
    int v2 = client.upload(big, patch(bigOnnx, patchAt, 2), "slipway-bench large model");
    client.setAlias(big, "champion", v1);
    client.infer(big, SlipwayClient.oipFloats("x", 1, WIDTH, new float[WIDTH])); // B gets a route
    out.printf(
        Locale.ROOT,
        "setup: two versions of B uploaded (%d, %d), champion -> %d, one request to B: %.1f s%n",
        v1,
        v2,
        v1,
        (System.nanoTime() - t) / 1e9);

    AtomicInteger patches = new AtomicInteger(3);
    Map<String, LoadGenerator.Window> windows = new LinkedHashMap<>();
    Map<String, Churn> churns = new LinkedHashMap<>();
    windows.put("none", new LoadGenerator.Window());
    for (String a : activities) {
      if (!a.equals("upload") && !a.equals("alias")) {
        throw new IllegalArgumentException("--activities holds upload and/or alias, not " + a);
      }
      windows.put(a, new LoadGenerator.Window());
      churns.put(a, new Churn(client, big, a, bigOnnx, patchAt, v1, v2, pauseMs, patches));
    }
    try (LoadGenerator load =
        new LoadGenerator(client.uri("/v2/models/" + modelA + "/infer"), bodyA, connections)) {
      out.printf(
          Locale.ROOT,
          "A (%s): open loop at %.0f req/s on %d connections; warm-up %d s, then %d round(s)"
              + " of %s, %d s each%n",
          modelA,
          rate,
          connections,
          warmup,
          rounds,
          windows.keySet(),
          window);
      load.openLoop(new LoadGenerator.Window(), rate, warmup, 10_000);
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, LoadGenerator.Window> w : windows.entrySet()) {
          Churn churn = churns.get(w.getKey());
          Thread thread = null;
          if (churn != null) {
            thread = new Thread(churn, "churn-" + w.getKey());
            churn.stop = false;
            thread.start();
          }
          load.openLoop(w.getValue(), rate, window, 10_000);
          if (thread != null) {
            churn.stop = true;
            thread.join(); // the cycle under way finishes before the next window starts
          }
          Thread.sleep(1000);
        }
      }
      report(out, load, windows, churns, rate);
    }
  }

  /**
   * Loads B again and again until stopped: by uploads followed by an alias move, or by alias moves
   * between two versions. Runs on its own thread; the counts are read after it is joined.
   */
  private static final class Churn implements Runnable {
    final SlipwayClient client;
    final String model;
    final String activity;
    final byte[] onnx;
    final int patchAt;
    final int v1;
    final int v2;
    final long pauseMs;
    final AtomicInteger patches;
    volatile boolean stop;
    final List<Long> uploadNanos = new ArrayList<>();
    final List<Long> moveNanos = new ArrayList<>();
    int cycles;
    String error;

    Churn(
        SlipwayClient client,
        String model,
        String activity,
        byte[] onnx,
        int patchAt,
        int v1,
        int v2,
        long pauseMs,
        AtomicInteger patches) {
      this.client = client;
      this.model = model;
      this.activity = activity;
      this.onnx = onnx;
      this.patchAt = patchAt;
      this.v1 = v1;
      this.v2 = v2;
      this.pauseMs = pauseMs;
      this.patches = patches;
    }

    @Override
    public void run() {
      try {
        while (!stop) {
          int target;
          if (activity.equals("upload")) {
            long t = System.nanoTime();
            target =
                client.upload(
                    model, patch(onnx, patchAt, patches.getAndIncrement()), "slipway-bench");
            uploadNanos.add(System.nanoTime() - t);
          } else {
            target = cycles % 2 == 0 ? v1 : v2;
          }
          long t = System.nanoTime();
          client.setAlias(model, "champion", target);
          moveNanos.add(System.nanoTime() - t);
          cycles++;
          if (pauseMs > 0) {
            Thread.sleep(pauseMs);
          }
        }
      } catch (IOException | RuntimeException e) {
        error = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void report(
      PrintStream out,
      LoadGenerator load,
      Map<String, LoadGenerator.Window> windows,
      Map<String, Churn> churns,
      double rate) {
    Map<String, LoadGenerator.Summary> s = new LinkedHashMap<>();
    windows.forEach((k, w) -> s.put(k, load.summary(w)));
    LoadGenerator.Summary base = s.get("none");
    out.println();
    out.println(
        "| window (B activity) | B loads | A sent | A ok | errors | shed | A p50 ms | A p99 ms"
            + " | A p99.9 ms | A max ms | p99 ÷ none | p99.9 ÷ none |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Map.Entry<String, LoadGenerator.Summary> e : s.entrySet()) {
      LoadGenerator.Summary x = e.getValue();
      Churn c = churns.get(e.getKey());
      int loads = c == null ? 0 : c.activity.equals("upload") ? 2 * c.cycles : c.cycles;
      out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
          e.getKey(),
          loads,
          x.sent(),
          x.ok(),
          x.errors(),
          x.shed(),
          x.p50(),
          x.p99(),
          x.p999(),
          x.max(),
          x.p99() / base.p99(),
          x.p999() / base.p999());
    }
    out.println();
    out.println(
        "B loads: an upload loads B twice (upload check, then verification with warm-up); the alias"
            + " move after it swaps the route and unloads the old version. An alias flip loads once.");
    out.println(
        "| B activity | cycles | upload s p50 | upload s max | alias move s p50 | move s max |");
    out.println("|---|---:|---:|---:|---:|---:|");
    for (Churn c : churns.values()) {
      out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %s | %s | %s |%n",
          c.activity,
          c.cycles,
          seconds(c.uploadNanos, 0.5),
          seconds(c.uploadNanos, 1.0),
          seconds(c.moveNanos, 0.5),
          seconds(c.moveNanos, 1.0));
      if (c.error != null) {
        out.println("  B " + c.activity + " stopped on: " + c.error);
      }
    }
    for (Map.Entry<String, LoadGenerator.Summary> e : s.entrySet()) {
      LoadGenerator.Summary x = e.getValue();
      out.printf(
          Locale.ROOT,
          "RESULT window=%s target_rps=%.0f achieved_rps=%.1f sent=%d ok=%d errors=%d shed=%d %s"
              + " p99_ratio=%.3f%n",
          e.getKey(),
          rate,
          x.okPerSecond(),
          x.sent(),
          x.ok(),
          x.errors(),
          x.shed(),
          x.percentiles(),
          x.p99() / base.p99());
      if (x.firstError() != null) {
        out.println("  first error in " + e.getKey() + ": " + x.firstError());
      }
    }
    out.printf(
        Locale.ROOT,
        "generator process CPU: %.1f s (A's load generator and B's uploads share it)%n",
        LoadGenerator.cpuSeconds());
  }

  private static String seconds(List<Long> nanos, double q) {
    if (nanos.isEmpty()) {
      return "-";
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return String.format(Locale.ROOT, "%.2f", sorted[Math.max(0, rank)] / 1e9);
  }

  /** Where the first weights of the model start in its bytes (raw little-endian floats). */
  private static int offsetOf(byte[] onnx, float[] weights) {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 4; i++) {
      b.putFloat(weights[i]);
    }
    byte[] needle = b.array();
    outer:
    for (int i = 0; i <= onnx.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (onnx[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("weights not found in the model bytes");
  }

  /**
   * Makes each upload a distinct artifact (as real versions are) by writing a tiny weight at the
   * first weight's place; patches {@code onnx} in place and returns it.
   */
  private static byte[] patch(byte[] onnx, int at, int version) {
    ByteBuffer.wrap(onnx).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, version * 1e-6f);
    return onnx;
  }
}
