package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job writing Parquet or PostgreSQL tables, killed with -9 in another JVM, resumes: every row is
 * in the output exactly once, with the scores of an uninterrupted run.
 */
class KillAndResumeSinksTest {
  private static final int ROWS = 40_000;

  @TempDir static Path dir;
  static Path home;
  static Path childHome;
  static Path in;
  static Map<Long, String> reference = new HashMap<>();
  static BatchSummary whole;

  static BatchJob job(Path in, String mode, String target) {
    BatchJob job =
        BatchJob.of("ad-click@champion", in, Path.of("unused.csv")).withChunking(256, 2, 2);
    if (mode.equals("parquet")) {
      return BatchJob.of("ad-click@champion", in, Path.of(target)).withChunking(256, 2, 2);
    }
    return job.withJdbcOutput(JdbcOutput.of(TestTables.PG, target));
  }

  @BeforeAll
  static void scoreOnceWithoutInterruption() throws Exception {
    home = dir.resolve("home");
    AdClickHome.create(home);
    childHome = dir.resolve("child-home");
    copy(home, childHome); // an embedded database is held by one process at a time
    in = dir.resolve("in.csv");
    new dev.slipway.train.data.AdClickGenerator(23).writeCsv(in, ROWS);
    List<String> lines = new ArrayList<>(Files.readAllLines(in));
    for (int row : new int[] {10, 30_001}) { // rows 10 and 30,001 are rejects
      lines.set(row, lines.get(row).replaceFirst("^[0-9]+,", "77,"));
    }
    Files.write(in, lines);
    Path ref = dir.resolve("reference.parquet");
    try (AdClickHome h = AdClickHome.open(home)) {
      whole = h.engine().run(job(in, "parquet", ref.toString()), p -> {});
    }
    assertThat(whole.rejected()).isGreaterThanOrEqualTo(2);
    for (Record r : TestTables.readParquet(ref)) {
      reference.put((Long) r.get("row"), scores(r.asMap()));
    }
  }

  /** Parquet reads float32 as a double of the same decimal, PostgreSQL's REAL as a Float. */
  private static Object normal(Object v) {
    if (v instanceof Float || v instanceof Double) {
      return Double.parseDouble(v.toString());
    }
    if (v instanceof Number n) {
      return n.longValue();
    }
    return v;
  }

  /** Everything but the timestamp. */
  private static String scores(Map<String, Object> row) {
    Map<String, Object> m = new java.util.TreeMap<>();
    row.forEach(
        (k, v) -> {
          if (!k.equals("scored_at")) {
            m.put(k.toLowerCase(), normal(v));
          }
        });
    return m.toString();
  }

  @Test
  void aParquetJobKilledWithSigkillResumesWithEveryRowOnce() throws Exception {
    Path out = dir.resolve("out.parquet");
    Path checkpoint = job(in, "parquet", out.toString()).checkpointFile();
    killWhenCommitted(
        "parquet",
        out.toString(),
        () -> {
          try {
            return Files.exists(checkpoint) ? Checkpoint.read(checkpoint).rows() : 0;
          } catch (RuntimeException racing) {
            return 0; // renamed under us
          }
        });
    assertThat(out).doesNotExist();
    long left = Checkpoint.read(checkpoint).rows();
    assertThat(left).isBetween(1L, (long) ROWS - 1);

    BatchSummary resumed;
    try (AdClickHome h = AdClickHome.open(home)) {
      resumed = h.engine().run(job(in, "parquet", out.toString()), p -> {});
    }
    assertThat(resumed.resumedAtRow()).isEqualTo(left);
    assertSameAsReference(
        resumed, TestTables.readParquet(out).stream().map(Record::asMap).toList());
    assertThat(TestTables.readParquet(dir.resolve("out.rejects.parquet")))
        .hasSize((int) whole.rejected());
  }

  @Test
  void aTableJobKilledWithSigkillResumesWithEveryRowOnce() throws Exception {
    String table = TestTables.uniqueTable("killed");
    try (Connection c = TestTables.connect(TestTables.PG)) {
      c.isValid(1);
    } catch (SQLException e) {
      throw new AssertionError(TestTables.PG_HINT, e);
    }
    try (Connection c = TestTables.connect(TestTables.PG)) {
      killWhenCommitted("table", table, () -> committedRows(c, table));
      try (Statement st = c.createStatement()) {
        // nothing in the output table while the job is unfinished
        assertThat(tableExists(c, table)).isFalse();
      }
      long left = committedRows(c, table);
      assertThat(left).isBetween(1L, (long) ROWS - 1);

      BatchSummary resumed;
      try (AdClickHome h = AdClickHome.open(home)) {
        resumed = h.engine().run(job(in, "table", table), p -> {});
      }
      assertThat(resumed.resumedAtRow()).isEqualTo(left);
      List<Map<String, Object>> got = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, Object> m = new HashMap<>();
          for (int i = 1; i <= n; i++) {
            m.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
          }
          got.add(m);
        }
      }
      assertSameAsReference(resumed, got);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table + "_rejects")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(whole.rejected());
      }
    } finally {
      TestTables.drop(
          TestTables.PG, table, table + "_rejects", table + "_part", table + "_rejects_part");
    }
  }

  private static boolean tableExists(Connection c, String table) {
    try (Statement st = c.createStatement()) {
      st.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static long committedRows(Connection c, String table) {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT checkpoint FROM " + JdbcTarget.JOBS + " WHERE output_table = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getString(1) != null ? Checkpoint.parse(rs.getString(1)).rows() : 0;
      }
    } catch (SQLException e) {
      return 0; // the jobs table is not there yet
    }
  }

  private static void assertSameAsReference(BatchSummary resumed, List<Map<String, Object>> got) {
    assertThat(resumed.rowsIn()).isEqualTo(ROWS);
    assertThat(resumed.scored()).isEqualTo(whole.scored());
    assertThat(resumed.rejected()).isEqualTo(whole.rejected());
    assertThat(got).hasSize((int) whole.scored());
    Map<Long, String> seen = new HashMap<>();
    for (Map<String, Object> row : got) {
      Long key = ((Number) row.get("row")).longValue();
      assertThat(seen.put(key, scores(row))).as("row %s once", key).isNull();
    }
    assertThat(seen.keySet()).isEqualTo(reference.keySet());
    for (Map.Entry<Long, String> e : seen.entrySet()) {
      assertThat(e.getValue()).as("row %s", e.getKey()).isEqualTo(reference.get(e.getKey()));
    }
  }

  private void killWhenCommitted(String mode, String target, LongSupplier committed)
      throws Exception {
    Path log = dir.resolve(mode + "-child.log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SinkChild.class.getName(),
                childHome.toString(),
                in.toString(),
                mode,
                target)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    long done = 0;
    while (done < 4_000 && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
      done = committed.getAsLong();
    }
    assertThat(child.isAlive())
        .as("the child is still scoring (log: %s)", Files.readString(log))
        .isTrue();
    child.destroyForcibly(); // SIGKILL
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private static void copy(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
