package dev.slipway.runtime.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading XGBoost's native library in a fresh JVM, where the format is its first user: the model
 * loads and predicts as XGBoost does, and a library that cannot be loaded is a {@link
 * dev.slipway.api.ModelFailureException} that names the cause, every time, never a crash.
 */
class NativeLibraryTest {
  private static final int ROWS = 20;

  @TempDir Path dir;

  private Path model() throws Exception {
    SyntheticData data = SyntheticData.generate(42, 500);
    DMatrix train = new DMatrix(data.x(), data.rows(), data.cols(), Float.NaN);
    Booster booster;
    try {
      train.setLabel(data.y());
      booster =
          XGBoost.train(
              train,
              Map.of("objective", "binary:logistic", "max_depth", 3, "nthread", 1, "seed", 7),
              10,
              Map.of(),
              null,
              null);
    } finally {
      train.dispose();
    }
    try {
      Path file = dir.resolve("binary.ubj");
      booster.saveModel(file.toString());
      SyntheticData rows = SyntheticData.generate(42, ROWS);
      DMatrix m = new DMatrix(rows.x(), ROWS, rows.cols(), Float.NaN);
      List<String> expected = new ArrayList<>();
      try {
        for (float[] row : booster.predict(m)) {
          for (float v : row) {
            expected.add("value " + Double.toHexString(v));
          }
        }
      } finally {
        m.dispose();
      }
      Files.write(dir.resolve("expected"), expected);
      return file;
    } finally {
      booster.dispose();
    }
  }

  @Test
  void aFreshJvmLoadsTheLibraryAndPredictsAsXgboostDoes() throws Exception {
    ChildJvm.Result r = ChildJvm.run(model(), ROWS, Map.of());
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
                    .startsWith("error ModelFailureException: XGBoost's native library cannot")
                    .contains("sparc"));
  }

  @Test
  void anUnwritableTempDirectoryIsAModelFailureNotACrash() throws Exception {
    ChildJvm.Result r =
        ChildJvm.run(model(), ROWS, Map.of(), "-Djava.io.tmpdir=" + dir.resolve("absent"));
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.lines())
        .as(r.all())
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith("error ModelFailureException: XGBoost's native library cannot"));
  }
}
