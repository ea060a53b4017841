package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet files and database tables (H2, PostgreSQL) as batch sources and sinks. */
class SourcesAndSinksTest {
  @TempDir static Path homeDir;
  @TempDir Path dir;
  private static AdClickHome home;

  @BeforeAll
  static void setUp() throws Exception {
    AdClickHome.create(homeDir);
    home = AdClickHome.open(homeDir);
  }

  @AfterAll
  static void tearDown() {
    home.close();
  }

  /** Generated rows, with row 3's hour out of range (a reject with the online reason). */
  private static List<Record> rows(int n) {
    List<Record> rows = new ArrayList<>(new AdClickGenerator(31).generate(n));
    rows.set(2, rows.get(2).with(Map.of("hour", 99L)));
    return rows;
  }

  private String onlineReason(Record bad) {
    return org.junit.jupiter.api.Assertions.assertThrows(
            InvalidInputException.class,
            () -> home.pipeline.run(InferenceRequest.ofRecords("ad-click", null, List.of(bad))))
        .getMessage();
  }

  @Test
  void parquetInParquetOutTypedWithKeyVersionAndTimestamp() throws Exception {
    Path in = dir.resolve("in.parquet");
    List<Record> rows = rows(2_000);
    TestTables.writeParquet(in, rows);
    Path out = dir.resolve("out.parquet");
    BatchSummary s =
        home.engine()
            .run(BatchJob.of("ad-click", in, out).withKey("id").withChunking(100, 2, 4), p -> {});

    assertThat(s.rowsIn()).isEqualTo(2_000);
    assertThat(s.rejected()).isGreaterThanOrEqualTo(1);
    assertThat(s.scored() + s.rejected()).isEqualTo(2_000);
    // a directory of parts, one per checkpoint
    assertThat(out).isDirectory();
    assertThat(dir.resolve("out.parquet.part")).doesNotExist();
    try (var parts = Files.list(out)) {
      assertThat(parts.count()).isGreaterThan(1);
    }
    List<Record> got = TestTables.readParquet(out);
    assertThat(got).hasSize((int) s.scored());
    Record first = got.get(0);
    assertThat(first.get("id")).isEqualTo(1L);
    assertThat(first.get("model_version")).isEqualTo((long) s.modelVersion());
    assertThat(first.get("scored_at")).isInstanceOf(Long.class); // timestamp, micros UTC
    assertThat((Long) first.get("scored_at")).isGreaterThan(1_600_000_000_000_000L);
    assertThat(got).noneMatch(r -> r.get("id").equals(3L));
    // the same scores as one online request
    var online =
        home.pipeline
            .run(InferenceRequest.ofRecords("ad-click", s.modelVersion(), List.of(rows.get(0))))
            .predictions()
            .get(0);
    for (Map.Entry<String, Object> e : online.values().entrySet()) {
      if (e.getValue() instanceof List<?> l) {
        for (int j = 0; j < l.size(); j++) {
          // float32 as the model answers it (read back as a double of the same decimal)
          assertThat(String.valueOf(first.get(e.getKey() + "_" + j)))
              .isEqualTo(String.valueOf(l.get(j)));
        }
      } else if (e.getValue() instanceof Number n) {
        assertThat(String.valueOf(first.get(e.getKey()))).isEqualTo(String.valueOf(n));
      } else {
        assertThat(first.get(e.getKey())).isEqualTo(e.getValue());
      }
    }
    // rejects: Parquet too, with the reason the records API gives
    List<Record> rej = TestTables.readParquet(dir.resolve("out.rejects.parquet"));
    Record bad = rej.stream().filter(r -> r.get("key").equals(3L)).findFirst().orElseThrow();
    assertThat(bad.get("field")).isEqualTo("hour");
    assertThat(bad.get("reason")).isEqualTo(onlineReason(rows.get(2)));
  }

  @Test
  void aParquetInputLackingAColumnTheModelNeedsIsAClearError() throws Exception {
    Path in = dir.resolve("in.parquet");
    List<Record> rows = new ArrayList<>();
    for (Record r : new AdClickGenerator(3).generate(5)) {
      Map<String, Object> m = new HashMap<>(r.asMap());
      m.remove("user_past_ctr");
      rows.add(Record.of(m));
    }
    TestTables.writeParquet(in, rows);
    Path out = dir.resolve("out.parquet");
    assertThatThrownBy(() -> home.engine().run(BatchJob.of("ad-click", in, out), p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'user_past_ctr' (FP64)");
    assertThat(out).doesNotExist();
  }

  @Test
  void aFileThatIsNotParquetIsAClearError() throws Exception {
    Path in = dir.resolve("in.parquet");
    Files.writeString(in, "hour,device\n3,mobile\n");
    assertThatThrownBy(
            () -> home.engine().run(BatchJob.of("ad-click", in, dir.resolve("o.csv")), p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("in.parquet")
        .hasMessageContaining("Parquet");
  }

  @Test
  void h2TableInH2TablesOutWithRejectsTable() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("features") + ";DB_CLOSE_DELAY=0";
    scoreTableIntoTables(url, "features", "scores");
  }

  @Test
  void postgresTableInPostgresTablesOut() throws Exception {
    String in = TestTables.uniqueTable("features");
    String out = TestTables.uniqueTable("scores");
    try {
      scoreTableIntoTables(TestTables.PG, in, out);
    } finally {
      TestTables.drop(
          TestTables.PG, in, out, out + "_rejects", out + "_part", out + "_rejects_part");
    }
  }

  private void scoreTableIntoTables(String url, String in, String out) throws Exception {
    List<Record> rows = rows(1_500);
    try {
      TestTables.writeTable(url, in, rows);
    } catch (SQLException e) {
      throw new AssertionError(TestTables.PG_HINT + " (" + e.getMessage() + ")", e);
    }
    BatchJob job =
        BatchJob.of("ad-click", Path.of("x.csv"), Path.of("y.csv"))
            .withJdbcInput(new JdbcInput(url, in, null))
            .withJdbcOutput(JdbcOutput.of(url, out))
            .withKey("id")
            .withChunking(100, 2, 3);
    BatchSummary s = home.engine().run(job, p -> {});

    assertThat(s.rowsIn()).isEqualTo(1_500);
    assertThat(s.scored() + s.rejected()).isEqualTo(1_500);
    try (Connection c = TestTables.connect(url);
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT \"id\") FROM " + out)) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(s.scored());
        assertThat(rs.getLong(2)).isEqualTo(s.scored());
      }
      try (ResultSet rs = st.executeQuery("SELECT * FROM " + out + " WHERE \"id\" = 1")) {
        assertThat(rs.next()).isTrue();
        ResultSetMetaData md = rs.getMetaData();
        Map<String, String> types = new HashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          types.put(md.getColumnLabel(i).toLowerCase(), md.getColumnTypeName(i).toLowerCase());
        }
        assertThat(types.get("id")).contains("int");
        assertThat(types.get("model_version")).contains("int");
        assertThat(types.get("scored_at")).contains("timestamp");
        assertThat(rs.getInt("model_version")).isEqualTo(s.modelVersion());
        // the same scores as one online request, float32 as the model answers them
        var online =
            home.pipeline
                .run(InferenceRequest.ofRecords("ad-click", s.modelVersion(), List.of(rows.get(0))))
                .predictions()
                .get(0);
        assertThat(types.get("score")).isIn("real", "float4");
        assertThat(String.valueOf(rs.getObject("score")))
            .isEqualTo(String.valueOf(online.values().get("score")));
        assertThat(rs.getObject("scored_at")).isNotNull();
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT \"key\", \"field\", \"reason\" FROM " + out + "_rejects ORDER BY \"row\"")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("key")).isEqualTo("3");
        assertThat(rs.getString("field")).isEqualTo("hour");
        assertThat(rs.getString("reason")).isEqualTo(onlineReason(rows.get(2)));
      }
      // the staging tables are gone: nothing partial is left behind
      assertThatThrownBy(() -> st.executeQuery("SELECT 1 FROM " + out + "_part").close())
          .isInstanceOf(SQLException.class);
    }
  }

  @Test
  void anUnknownTableIsAClearErrorNamingIt() {
    String url = "jdbc:h2:file:" + dir.resolve("empty") + ";DB_CLOSE_DELAY=0";
    BatchJob job =
        BatchJob.of("ad-click", Path.of("x.csv"), dir.resolve("out.csv"))
            .withJdbcInput(new JdbcInput(url, "no_such_table", null))
            .withKey("id");
    assertThatThrownBy(() -> home.engine().run(job, p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no_such_table");
    assertThat(dir.resolve("out.csv")).doesNotExist();
  }

  @Test
  void aTableLackingAColumnTheModelNeedsIsAClearError() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("partial") + ";DB_CLOSE_DELAY=0";
    try (Connection c = TestTables.connect(url);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, \"hour\" INTEGER)");
      st.execute("INSERT INTO t VALUES (1, 3)");
    }
    BatchJob job =
        BatchJob.of("ad-click", Path.of("x.csv"), dir.resolve("out.csv"))
            .withJdbcInput(new JdbcInput(url, "t", null))
            .withKey("id");
    assertThatThrownBy(() -> home.engine().run(job, p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'user_past_ctr' (FP64)");
  }

  @Test
  void aTableNeedsAKeyToOrderByAndAQueryAnOrderBy() {
    String url = "jdbc:h2:mem:x";
    Path out = dir.resolve("out.csv");
    assertThatThrownBy(
            () ->
                home.engine()
                    .run(
                        BatchJob.of("ad-click", Path.of("x.csv"), out)
                            .withJdbcInput(new JdbcInput(url, "t", null)),
                        p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--key")
        .hasMessageContaining("ORDER BY");
    assertThatThrownBy(
            () ->
                home.engine()
                    .run(
                        BatchJob.of("ad-click", Path.of("x.csv"), out)
                            .withJdbcInput(new JdbcInput(url, null, "SELECT * FROM t")),
                        p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("ORDER BY");
  }
}
