package dev.slipway.runtime.lightgbm;

import dev.slipway.api.DataType;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a model load in a fresh JVM, so that the format is the first user of the native library, as
 * in a server that has just started. {@link #main} loads the model twice (the second time shows
 * whether a failure is repeatable rather than a poisoned class), predicts the first rows of {@link
 * SyntheticData}, and prints one line per value ({@link Double#toHexString}) or the exception; it
 * always exits 0 unless the JVM itself dies. {@link #startHolding} keeps a model loaded while the
 * test does something else.
 */
final class ChildJvm {
  private ChildJvm() {}

  /** What a child printed and how it ended. */
  record Result(int exitCode, List<String> lines, String all) {}

  static Result run(Path model, int rows, Map<String, String> env, String... jvmOptions)
      throws IOException, InterruptedException {
    return finish(start(model, rows, env, List.of(jvmOptions), List.of()), new byte[0]);
  }

  /**
   * Starts a child that loads the model, predicts once, prints {@code ready}, waits until {@code
   * go} exists, and then predicts and prints as {@link #run} does, with the same loaded model.
   */
  static Process startHolding(Path model, int rows, Path go) throws IOException {
    return start(model, rows, Map.of(), List.of(), List.of(go.toString()));
  }

  private static Process start(
      Path model, int rows, Map<String, String> env, List<String> jvmOptions, List<String> extra)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ChildJvm.class.getName());
    command.add(model.toString());
    command.add(Integer.toString(rows));
    command.addAll(extra);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("LIGHTGBM_NATIVE_LIB_PATH");
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Reads the rest of a child's output ({@code head} is what was read already) and its end. */
  static Result finish(Process p, byte[] head) throws IOException, InterruptedException {
    byte[] rest = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in 60 s");
    }
    String all =
        new String(head, StandardCharsets.UTF_8) + new String(rest, StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    for (String line : all.split("\n")) {
      if (line.startsWith("value ") || line.startsWith("error ")) {
        lines.add(line);
      }
    }
    return new Result(p.exitValue(), lines, all);
  }

  public static void main(String[] args) {
    Path model = Path.of(args[0]);
    int rows = Integer.parseInt(args[1]);
    ModelFormat format =
        ServiceLoader.load(ModelFormat.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(f -> f.name().equals("lightgbm"))
            .findFirst()
            .orElseThrow();
    if (args.length > 2) {
      hold(format, model, rows, Path.of(args[2]));
      return;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      try (Predictor p = format.load(model, ModelFormat.LoadOptions.defaults())) {
        if (attempt == 1) {
          SyntheticData data = SyntheticData.generate(42, rows);
          Tensor x = new Tensor("input", DataType.FP32, new long[] {rows, data.cols()}, data.x());
          double[] out = (double[]) p.infer(Map.of("input", x), Set.of()).get("output").data();
          for (double v : out) {
            System.out.println("value " + Double.toHexString(v));
          }
        }
      } catch (RuntimeException | Error e) {
        System.out.println("error " + e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    System.out.flush();
  }

  private static void hold(ModelFormat format, Path model, int rows, Path go) {
    SyntheticData data = SyntheticData.generate(42, rows);
    Tensor x = new Tensor("input", DataType.FP32, new long[] {rows, data.cols()}, data.x());
    try (Predictor p = format.load(model, ModelFormat.LoadOptions.defaults())) {
      p.infer(Map.of("input", x), Set.of());
      System.out.println("ready");
      System.out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!java.nio.file.Files.exists(go) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      double[] out = (double[]) p.infer(Map.of("input", x), Set.of()).get("output").data();
      for (double v : out) {
        System.out.println("value " + Double.toHexString(v));
      }
    } catch (RuntimeException | Error | InterruptedException e) {
      System.out.println("error " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    System.out.flush();
  }
}
