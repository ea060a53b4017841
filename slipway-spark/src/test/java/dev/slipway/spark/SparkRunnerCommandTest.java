package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.train.data.AdClickGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit main class, run as spark-submit runs it (its own session, local[*]). */
class SparkRunnerCommandTest {
  @TempDir static Path home;
  @TempDir Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    AdClickHome.create(home);
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SparkRunner.Command.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void scoresAFileIntoOneFileAndPrintsRowsPerSecond() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(31).writeCsv(in, 500);
    Path out = dir.resolve("out.csv");

    Run r =
        run(
            "--model",
            "ad-click@champion",
            "--input",
            in.toString(),
            "--output",
            out.toString(),
            "--home",
            home.toString(),
            "--guard",
            "reject",
            "--single-file");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("Scored \\d+ of 500 rows with ad-click/1 in .* rows/s\\)");
    assertThat(Files.readAllLines(out).get(0)).startsWith("row,").contains(",served_by,");
    assertThat(dir.resolve("out.rejects.csv")).isRegularFile();
  }

  @Test
  void aBadJobStopsWithOneLineAndExitCode2() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(32).writeCsv(in, 10);

    Run unknown =
        run(
            "--model", "no-such-model",
            "--input", in.toString(),
            "--output", dir.resolve("out.csv").toString(),
            "--home", home.toString());
    Run badGuard =
        run(
            "--model", "ad-click",
            "--input", in.toString(),
            "--output", dir.resolve("out.csv").toString(),
            "--home", home.toString(),
            "--guard", "maybe");

    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).startsWith("slipway-spark: ").contains("no-such-model");
    assertThat(badGuard.code()).isEqualTo(2);
    assertThat(badGuard.err()).contains("--guard").contains("none or reject");
  }
}
