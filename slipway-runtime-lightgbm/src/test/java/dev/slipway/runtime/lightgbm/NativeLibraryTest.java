package dev.slipway.runtime.lightgbm;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading LightGBM's native library in a fresh JVM, where the format is its first user: the model
 * loads and predicts as LightGBM does, and a library that cannot be loaded is a {@link
 * dev.slipway.api.ModelFailureException} that says so, every time, never a crash or a bare {@link
 * UnsatisfiedLinkError}.
 */
class NativeLibraryTest {
  private static final int ROWS = 20;

  @TempDir Path dir;

  private Path model() throws Exception {
    SyntheticData data = SyntheticData.generate(42, 500);
    try (LGBMDataset train =
        LGBMDataset.createFromMat(
            data.x(), data.rows(), data.cols(), true, "max_bin=63 verbose=-1", null)) {
      train.setField("label", data.y());
      try (LGBMBooster booster =
          LGBMBooster.create(
              train, "objective=binary num_leaves=8 seed=7 deterministic=true verbose=-1")) {
        for (int i = 0; i < 10; i++) {
          booster.updateOneIter();
        }
        Path file = dir.resolve("binary.txt");
        Files.writeString(
            file, booster.saveModelToString(0, 0, LGBMBooster.FeatureImportanceType.SPLIT));
        SyntheticData rows = SyntheticData.generate(42, ROWS);
        double[] expected =
            booster.predictForMat(
                rows.x(), ROWS, rows.cols(), true, PredictionType.C_API_PREDICT_NORMAL);
        Files.write(
            dir.resolve("expected"),
            java.util.Arrays.stream(expected)
                .mapToObj(v -> "value " + Double.toHexString(v))
                .toList());
        return file;
      }
    }
  }

  @Test
  void aFreshJvmLoadsTheLibraryFirstAndPredictsAsLightgbmDoes() throws Exception {
    Path model = model();
    ChildJvm.Result r = ChildJvm.run(model, ROWS, Map.of());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.lines()).as(r.all()).isEqualTo(Files.readAllLines(dir.resolve("expected")));
  }

  /**
   * lightgbm4j's own loader rewrites {@code /tmp/lib_lightgbm.so} in every JVM, which crashed a JVM
   * that had it mapped (SIGSEGV on its next LightGBM call): a server must survive a second process
   * (the CLI, another server) loading LightGBM while it serves.
   */
  @Test
  void anotherJvmLoadingLightgbmDoesNotDisturbOneServingAModel() throws Exception {
    Path model = model();
    Path go = dir.resolve("go");
    Process serving = ChildJvm.startHolding(model, ROWS, go);
    java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    java.io.InputStream in = serving.getInputStream();
    while (!head.toString(java.nio.charset.StandardCharsets.UTF_8).contains("ready\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    ChildJvm.Result other = ChildJvm.run(model, ROWS, Map.of());
    assertThat(other.exitCode()).as(other.all()).isZero();
    Files.createFile(go);
    ChildJvm.Result r = ChildJvm.finish(serving, head.toByteArray());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.lines()).as(r.all()).isEqualTo(Files.readAllLines(dir.resolve("expected")));
  }

  @Test
  void anUnsupportedPlatformIsAModelFailureNotACrash() throws Exception {
    ChildJvm.Result r = ChildJvm.run(model(), ROWS, Map.of(), "-Dos.arch=sparc");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.lines())
        .as(r.all())
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith("error ModelFailureException: LightGBM's native library cannot")
                    .contains("sparc"));
  }

  @Test
  void aMissingLibraryIsAModelFailureNotACrash() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("no-libraries"));
    ChildJvm.Result r =
        ChildJvm.run(model(), ROWS, Map.of("LIGHTGBM_NATIVE_LIB_PATH", empty.toString()));
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.lines())
        .as(r.all())
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith("error ModelFailureException: LightGBM's native library cannot"));
  }
}
