package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.batch.store.JdbcPredictionStore;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
  void aChunkOrThreadCountBelowOneIsOneClearLineAndNoOutput() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(5).writeCsv(in, 10);
    Path out = dir.resolve("out.csv");
    String[][] cases = {
      {"--chunk", "0", "at least 1 row"},
      {"--threads", "0", "at least 1 thread"}
    };
    for (String[] c : cases) {
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
              c[0],
              c[1],
              "--no-progress");
      assertThat(r.code()).as(r.toString()).isEqualTo(2);
      assertThat(r.err()).startsWith("slipway: ").contains(c[1]).contains(c[2]);
      assertThat(r.err()).doesNotContain("Exception");
      assertThat(out).doesNotExist();
    }
  }

  @Test
  void parquetOutByOutputFormatIsADirectoryOfPartsWithASummaryLine() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(6).writeCsv(in, 1_000);
    Path out = dir.resolve("scores");
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            "csv:" + in,
            "--output",
            out.toString(),
            "--output-format",
            "parquet",
            "--home",
            home.toString(),
            "--no-progress");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("of 1000 rows with ad-click/1");
    assertThat(out).isDirectory();
    try (var parts = Files.list(out)) {
      assertThat(parts.map(p -> p.getFileName().toString()))
          .isNotEmpty()
          .allMatch(n -> n.matches("part-\\d{5}\\.parquet"));
    }
  }

  @Test
  void anH2TableInAndTablesOut() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_DELAY=0";
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE ads (id BIGINT PRIMARY KEY, \"hour\" INTEGER, ad_position INTEGER,"
              + " user_past_ctr DOUBLE PRECISION, user_age INTEGER, device VARCHAR(20),"
              + " site_category VARCHAR(20), ad_size VARCHAR(20))");
      st.execute("INSERT INTO ads VALUES (1, 3, 1, 0.05, 30, 'mobile', 'news', '300x250')");
      st.execute("INSERT INTO ads VALUES (2, 3, 1, NULL, 30, 'mobile', 'news', '300x250')");
    }
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            url,
            "--table",
            "ads",
            "--key",
            "id",
            "--output",
            url,
            "--output-table",
            "ad_scores",
            "--home",
            home.toString(),
            "--no-progress");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Scored 1 of 2 rows").contains("table ad_scores");
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT (SELECT COUNT(*) FROM ad_scores), (SELECT \"field\" FROM"
                    + " ad_scores_rejects)")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
      assertThat(rs.getString(2)).isEqualTo("user_past_ctr");
    }
  }

  @Test
  void aMissingInputFileOrATableWithoutAKeyIsOneClearLine() throws Exception {
    Path out = dir.resolve("out.parquet");
    CliRun r =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            dir.resolve("nope.parquet").toString(),
            "--output",
            out.toString(),
            "--home",
            home.toString(),
            "--no-progress");
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("slipway: ").contains("nope.parquet");
    assertThat(out).doesNotExist();

    CliRun noKey =
        CliRun.of(
            "batch",
            "score",
            "--model",
            "ad-click",
            "--input",
            "jdbc:h2:mem:x",
            "--table",
            "ads",
            "--output",
            out.toString(),
            "--home",
            home.toString(),
            "--no-progress");
    assertThat(noKey.code()).as(noKey.toString()).isEqualTo(2);
    assertThat(noKey.err()).contains("--key").contains("ORDER BY");
  }

  @Test
  void helpDescribesTheSourcesAndSinks() {
    CliRun r = CliRun.of("batch", "score", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("parquet")
        .contains("--table")
        .contains("--query")
        .contains("--output-table")
        .contains("--rejects-table")
        .contains("--input-format");
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
