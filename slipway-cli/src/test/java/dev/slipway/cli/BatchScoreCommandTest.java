package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.batch.store.JdbcPredictionStore;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchScoreCommandTest {
  @TempDir static Path home;
  @TempDir Path dir;

  @BeforeAll
  static void registerTheDemoModel() {
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      DemoModel.register(registry, 42, 3_000);
    }
  }

  @Test
  void scoresAFileDrawsProgressAndPrintsASummaryLine() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(5).writeCsv(in, 2_000);
    Path out = dir.resolve("out.csv");
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            in.toString(),
            "--output",
            out.toString(),
            "--home",
            home.toString(),
            "--chunk",
            "100");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Scored ").contains("of 2000 rows with ad-click/1");
    assertThat(r.err()).contains("Scoring");
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).startsWith("row,").endsWith("model_version,scored_at");
    assertThat(Files.exists(dir.resolve("out.rejects.csv"))).isTrue();
    assertThat(Files.exists(dir.resolve("out.csv.summary.json"))).isTrue();
  }

  @Test
  void jsonLinesOutByFormatWithAKeyColumn() throws Exception {
    Path in = dir.resolve("in.data");
    Files.writeString(
        in,
        "{\"id\":\"a\",\"hour\":3,\"ad_position\":1,\"user_past_ctr\":0.05,\"user_age\":30,"
            + "\"device\":\"mobile\",\"site_category\":\"news\",\"ad_size\":\"300x250\"}\n");
    Path out = dir.resolve("out.data");
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            in.toString(),
            "--output",
            out.toString(),
            "--format",
            "jsonl",
            "--key",
            "id",
            "--home",
            home.toString(),
            "--no-progress");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Files.readString(out)).startsWith("{\"id\":\"a\",");
  }

  @Test
  void anUnknownModelIsOneClearLineAndNoOutput() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(5).writeCsv(in, 10);
    Path out = dir.resolve("out.csv");
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click@nope",
            "--input",
            in.toString(),
            "--output",
            out.toString(),
            "--home",
            home.toString(),
            "--no-progress");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("slipway: ").contains("nope");
    assertThat(out).doesNotExist();
  }

  @Test
  void storeWritesScoredRowsToTheHomesPredictionStoreByTheKeyColumn() throws Exception {
    Path in = dir.resolve("users.jsonl");
    Files.writeString(
        in,
        "{\"user\":\"ann\",\"hour\":3,\"ad_position\":1,\"user_past_ctr\":0.05,"
            + "\"user_age\":30,\"device\":\"mobile\",\"site_category\":\"news\","
            + "\"ad_size\":\"300x250\"}\n"
            + "{\"user\":\"bob\",\"hour\":3,\"ad_position\":1,\"user_past_ctr\":0.05,"
            + "\"user_age\":\"old\",\"device\":\"mobile\",\"site_category\":\"news\","
            + "\"ad_size\":\"300x250\"}\n");
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            in.toString(),
            "--output",
            dir.resolve("users.out.jsonl").toString(),
            "--store-key",
            "user",
            "--home",
            home.toString(),
            "--no-progress");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("stored by user in the prediction store in the metadata database");
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      JdbcPredictionStore store = new JdbcPredictionStore(registry.dataSource());
      assertThat(store.get("ad-click", "ann"))
          .hasValueSatisfying(p -> assertThat(p.version()).isEqualTo(1));
      // bob's row is rejected (user_age is not a number): it is not stored
      assertThat(Files.readString(dir.resolve("users.out.rejects.jsonl"))).contains("\"bob\"");
      assertThat(store.get("ad-click", "bob")).isEmpty();
    }
  }

  @Test
  void storeNeedsAKeyColumn() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(5).writeCsv(in, 10);
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            in.toString(),
            "--output",
            dir.resolve("out.csv").toString(),
            "--store",
            "--home",
            home.toString(),
            "--no-progress");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("field 'key' is missing").contains("--key");
  }
}
