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
 * always exits 0 unless the JVM itself dies.
 */
final class ChildJvm {
  private ChildJvm() {}

  /** What a child printed and how it ended. */
  record Result(int exitCode, List<String> lines, String all) {}

  static Result run(Path model, int rows, Map<String, String> env, String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ChildJvm.class.getName());
    command.add(model.toString());
    command.add(Integer.toString(rows));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("LIGHTGBM_NATIVE_LIB_PATH");
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in 60 s");
    }
    String all = new String(out, StandardCharsets.UTF_8);
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
}
