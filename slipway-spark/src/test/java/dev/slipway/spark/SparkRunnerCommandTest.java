package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.train.data.AdClickGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aBadGuardsSectionOrConfigWithGuardStopsBeforeSparkNamingTheKey() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(33).writeCsv(in, 10);
    Path config = dir.resolve("slipway.yaml");
    Files.writeString(
        config,
        """
        server: {port: 8080}
        models:
          ad-click:
            guards:
              inputs: {policy: ignore, features: {user_age: impute}}
              outputs: {ranges: {score: [1, 0]}}
        """);
    Path notYaml = dir.resolve("broken.yaml");
    Files.writeString(notYaml, "models: {ad-click: [\n");

    Run bad = run(job(in, "--config", config.toString()));
    Run broken = run(job(in, "--config", notYaml.toString()));
    Run both = run(job(in, "--config", config.toString(), "--guard", "reject"));

    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err())
        .startsWith("slipway-spark: ")
        .contains("--config")
        .contains("models.ad-click.guards.inputs.policy: got \"ignore\"")
        .contains("models.ad-click.guards.outputs.ranges.score");
    assertThat(broken.code()).isEqualTo(2);
    assertThat(broken.err()).contains("--config").contains("broken.yaml");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("--guard").contains("no --guard with --config");
    assertThat(dir.resolve("out.csv")).doesNotExist();
  }

  @Test
  void aFallbackLinkThatResolvesToNothingIsABadJobNamingItsKey() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(34).writeCsv(in, 10);
    Path config = dir.resolve("slipway.yaml");
    Files.writeString(
        config,
        """
        models:
          ad-click:
            guards:
              fallback: [heuristic, ad-click@nosuch]
              heuristic: {otherwise: {label: no_click, score: 0.046}}
        """);

    Run r = run(job(in, "--config", config.toString()));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("slipway-spark: ")
        .contains("models.ad-click.guards.fallback[1]")
        .contains("ad-click@nosuch");
    assertThat(dir.resolve("out.csv")).doesNotExist();
  }

  /** A job of the test home's ad-click on {@code in} into out.csv, with more options. */
  private String[] job(Path in, String... more) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--model",
            "ad-click",
            "--input",
            in.toString(),
            "--output",
            dir.resolve("out.csv").toString()));
    if (!List.of(more).contains("--home")) {
      args.addAll(List.of("--home", home.toString()));
    }
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }
}
