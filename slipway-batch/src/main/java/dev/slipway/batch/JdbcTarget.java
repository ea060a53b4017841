package dev.slipway.batch;

import dev.slipway.api.ConflictException;
import dev.slipway.api.InvalidInputException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tables in one database (H2 or PostgreSQL). Rows go with batched inserts into staging tables
 * {@code <table>_part} and {@code <rejects>_part}; the checkpoint is a row of {@code
 * slipway_batch_job} (keyed by the output table), written in the <em>same transaction</em> as the
 * rows since the last checkpoint. A killed job therefore leaves exactly the rows its checkpoint
 * counts, and resumes from there: every row exactly once.
 *
 * <p>Finishing creates the output and rejects tables when missing (typed like the staging tables)
 * and, in one transaction, appends the staged rows to them and replaces the checkpoint by the
 * summary; the staging tables are dropped after. Readers of the output table never see a partial
 * job. Not thread-safe.
 */
final class JdbcTarget implements Target {
  static final String JOBS = "slipway_batch_job";

  private final JdbcOutput out;
  private final Connection c;
  private JdbcSink output;
  private JdbcSink rejects;

  JdbcTarget(JdbcOutput out) {
    this.out = out;
    Jdbc.identifier(out.table(), "--output-table");
    Jdbc.identifier(out.rejectsTable(), "--rejects-table");
    c = Jdbc.connect(out.url(), "--output");
    try {
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS "
                + JOBS
                + " (output_table VARCHAR(255) PRIMARY KEY, checkpoint VARCHAR(100000),"
                + " summary VARCHAR(100000))");
      }
      c.setAutoCommit(false);
    } catch (SQLException e) {
      close();
      throw InvalidInputException.of(
          "--output",
          Jdbc.redact(out.url()),
          "a database Slipway may create tables in (" + Jdbc.firstLine(e) + ")");
    }
  }

  @Override
  public Checkpoint checkpoint() throws IOException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT checkpoint FROM " + JOBS + " WHERE output_table = ?")) {
      ps.setString(1, out.table());
      try (ResultSet rs = ps.executeQuery()) {
        String json = rs.next() ? rs.getString(1) : null;
        c.commit();
        return json == null ? null : Checkpoint.parse(json);
      }
    } catch (SQLException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void open(Checkpoint resume) throws IOException {
    output = new JdbcSink(out.table(), resume == null ? null : resume.output());
    rejects = new JdbcSink(out.rejectsTable(), resume == null ? null : resume.rejects());
    try {
      output.start();
      rejects.start();
      c.commit();
    } catch (SQLException e) {
      throw new IOException(e);
    }
  }

  @Override
  public RowSink output() {
    return output;
  }

  @Override
  public RowSink rejects() {
    return rejects;
  }

  @Override
  public void commit(Checkpoint cp) throws IOException {
    try {
      saveJob(cp.toJson(), null);
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IOException("cannot commit to " + describe() + ": " + Jdbc.firstLine(e), e);
    }
  }

  private void saveJob(String checkpoint, String summary) throws SQLException {
    try (PreparedStatement del =
        c.prepareStatement("DELETE FROM " + JOBS + " WHERE output_table = ?")) {
      del.setString(1, out.table());
      del.executeUpdate();
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO " + JOBS + " (output_table, checkpoint, summary) VALUES (?, ?, ?)")) {
      ins.setString(1, out.table());
      ins.setString(2, checkpoint);
      ins.setString(3, summary);
      ins.executeUpdate();
    }
  }

  @Override
  public void finish(BatchSummary summary) throws IOException {
    try {
      output.prepare();
      rejects.prepare();
      c.commit();
      // DDL first: H2 commits on DDL, so the appending transaction holds none
      output.createTables();
      rejects.createTables();
      c.commit();
      rejects.append();
      output.append();
      saveJob(null, Checkpoint.JSON.writeValueAsString(summary));
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ConflictException(
          "the job is scored but its rows cannot be added to "
              + describe()
              + " ("
              + Jdbc.firstLine(e)
              + "); fix the table and run the job again: it resumes and finishes");
    }
    try {
      output.dropStaging();
      rejects.dropStaging();
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly(); // left-over staging tables are dropped when a job starts afresh
    }
  }

  @Override
  public String describe() {
    return out.describe();
  }

  private void rollbackQuietly() {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // reporting the first error
    }
  }

  @Override
  public void close() {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      c.close();
    } catch (SQLException ignored) {
      // closing
    }
  }

  /** One table's rows, staged in {@code <table>_part}. */
  private final class JdbcSink implements RowSink {
    private final String table;
    private final String staging;
    private final SinkState resume;
    private List<String> columns;
    private List<ColumnType> types;
    private PreparedStatement insert;
    private long rows;
    private int pending;

    JdbcSink(String table, SinkState resume) {
      this.table = table;
      this.staging = table + "_part";
      this.resume = resume;
    }

    void start() throws SQLException {
      if (resume == null || resume.columns() == null) {
        // no committed row: a staging table left by a crashed run holds none that count
        exec("DROP TABLE IF EXISTS " + staging);
        rows = 0;
        return;
      }
      columns = resume.columns();
      types = new ArrayList<>();
      for (String t : resume.types()) {
        types.add(ColumnType.valueOf(t));
      }
      rows = resume.at();
    }

    @Override
    public void write(Map<String, Object> row) throws IOException {
      Map<String, Object> flat = RowSink.flatten(row);
      try {
        if (columns == null) {
          columns = List.copyOf(flat.keySet());
          types = new ArrayList<>();
          for (String t : ColumnType.of(flat)) {
            types.add(ColumnType.valueOf(t));
          }
          exec("CREATE TABLE " + staging + " (" + columnDefs() + ")");
        } else if (!columns.equals(new ArrayList<>(flat.keySet()))) {
          throw new IllegalStateException(
              "a row has columns "
                  + flat.keySet()
                  + " after "
                  + columns
                  + "; cannot write one table");
        }
        if (insert == null) {
          StringBuilder sql =
              new StringBuilder("INSERT INTO " + staging + " (" + columnList() + ") VALUES (");
          for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "?" : ", ?");
          }
          insert = c.prepareStatement(sql.append(')').toString());
        }
        int i = 0;
        for (Object v : flat.values()) {
          bind(i + 1, types.get(i), types.get(i).convert(columns.get(i), v));
          i++;
        }
        // executed only in prepare(): H2 commits on DDL (a staging table created at its first
        // row), which must never commit rows without their checkpoint
        insert.addBatch();
        rows++;
        pending++;
      } catch (SQLException e) {
        throw new IOException("cannot write to " + staging + ": " + Jdbc.firstLine(e), e);
      }
    }

    private void bind(int i, ColumnType t, Object v) throws SQLException {
      if (v == null) {
        insert.setNull(i, sqlType(t));
      } else if (v instanceof Instant) {
        insert.setObject(i, OffsetDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
      } else {
        insert.setObject(i, v);
      }
    }

    private int sqlType(ColumnType t) {
      switch (t) {
        case INT32:
          return java.sql.Types.INTEGER;
        case INT64:
          return java.sql.Types.BIGINT;
        case FLOAT:
          return java.sql.Types.REAL;
        case DOUBLE:
          return java.sql.Types.DOUBLE;
        case BOOLEAN:
          return java.sql.Types.BOOLEAN;
        case TIMESTAMP:
          return java.sql.Types.TIMESTAMP_WITH_TIMEZONE;
        default:
          return java.sql.Types.VARCHAR;
      }
    }

    private String columnDefs() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < columns.size(); i++) {
        if (i > 0) {
          b.append(", ");
        }
        b.append(Jdbc.column(columns.get(i))).append(' ').append(sqlTypeName(types.get(i)));
      }
      return b.toString();
    }

    private String sqlTypeName(ColumnType t) {
      switch (t) {
        case INT32:
          return "INTEGER";
        case INT64:
          return "BIGINT";
        case FLOAT:
          return "REAL";
        case DOUBLE:
          return "DOUBLE PRECISION";
        case BOOLEAN:
          return "BOOLEAN";
        case TIMESTAMP:
          return "TIMESTAMP WITH TIME ZONE";
        default:
          return "VARCHAR(1000000)";
      }
    }

    private String columnList() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < columns.size(); i++) {
        b.append(i == 0 ? "" : ", ").append(Jdbc.column(columns.get(i)));
      }
      return b.toString();
    }

    @Override
    public SinkState prepare() throws IOException {
      try {
        if (insert != null && pending > 0) {
          insert.executeBatch();
          pending = 0;
        }
      } catch (SQLException e) {
        throw new IOException("cannot write to " + staging + ": " + Jdbc.firstLine(e), e);
      }
      List<String> t = null;
      if (types != null) {
        t = new ArrayList<>();
        for (ColumnType ct : types) {
          t.add(ct.name());
        }
      }
      return new SinkState(rows, columns, t);
    }

    /** Creates the staging table when no row came, and the target table when missing. */
    void createTables() throws SQLException {
      if (columns == null) {
        // no row: the rejects' known columns, else an empty output of the columns always there
        if (table.equals(out.rejectsTable())) {
          columns = List.of("key", "row", "field", "reason");
          types =
              List.of(ColumnType.STRING, ColumnType.INT64, ColumnType.STRING, ColumnType.STRING);
        } else {
          columns = List.of("key", "model_version", "scored_at");
          types = List.of(ColumnType.STRING, ColumnType.INT32, ColumnType.TIMESTAMP);
        }
        exec("CREATE TABLE " + staging + " (" + columnDefs() + ")");
      }
      if (!exists(table)) {
        exec("CREATE TABLE " + table + " (" + columnDefs() + ")");
      }
    }

    void append() throws SQLException {
      exec(
          "INSERT INTO "
              + table
              + " ("
              + columnList()
              + ") SELECT "
              + columnList()
              + " FROM "
              + staging);
    }

    void dropStaging() throws SQLException {
      exec("DROP TABLE IF EXISTS " + staging);
    }

    @Override
    public void publish() {
      // see finish(): both tables are published in one transaction
    }

    @Override
    public void close() {
      if (insert != null) {
        try {
          insert.close();
        } catch (SQLException ignored) {
          // closing
        }
      }
    }
  }

  private boolean exists(String table) throws SQLException {
    // a failed statement aborts a PostgreSQL transaction: look in a savepoint
    java.sql.Savepoint sp = c.setSavepoint();
    try (Statement st = c.createStatement()) {
      st.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
      c.releaseSavepoint(sp);
      return true;
    } catch (SQLException missing) {
      c.rollback(sp);
      return false;
    }
  }

  private void exec(String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
