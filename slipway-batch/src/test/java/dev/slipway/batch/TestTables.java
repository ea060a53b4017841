package dev.slipway.batch;

import blue.strategic.parquet.ParquetWriter;
import dev.slipway.api.Record;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/** Writes test inputs as Parquet files and database tables, and reads outputs back. */
final class TestTables {
  static final String PG = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final String PG_HINT =
      "PostgreSQL must run on 127.0.0.1:5432 (database 'test', user 'postgres', trust"
          + " authentication); start it with: pg_ctlcluster --skip-systemctl-redirect"
          + " $(ls /etc/postgresql) main start";

  private TestTables() {}

  /** A table name no other test uses. */
  static String uniqueTable(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** Writes records (with an {@code id} column 1..n first) as one Parquet file, typed. */
  static void writeParquet(Path file, List<Record> rows) throws Exception {
    Map<String, Object> first = rows.get(0).asMap();
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.optional(PrimitiveTypeName.INT64).named("id");
    List<String> names = new ArrayList<>(first.keySet());
    for (String n : names) {
      Object v = first.get(n);
      if (v instanceof Long) {
        b.optional(PrimitiveTypeName.INT32).named(n); // int32 reads as Long, as CSV does
      } else if (v instanceof Double) {
        b.optional(PrimitiveTypeName.DOUBLE).named(n);
      } else {
        b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(n);
      }
    }
    MessageType schema = b.named("row");
    try (ParquetWriter<Object[]> w =
        ParquetWriter.writeFile(
            schema,
            file.toFile(),
            (Object[] r, blue.strategic.parquet.ValueWriter vw) -> {
              vw.write("id", r[0]);
              for (int i = 0; i < names.size(); i++) {
                Object v = r[i + 1];
                if (v != null) {
                  vw.write(names.get(i), v instanceof Long ? (Object) ((Long) v).intValue() : v);
                }
              }
            })) {
      long id = 1;
      for (Record r : rows) {
        Object[] values = new Object[names.size() + 1];
        values[0] = id++;
        for (int i = 0; i < names.size(); i++) {
          values[i + 1] = r.get(names.get(i));
        }
        w.write(values);
      }
    }
  }

  /** All rows of a Parquet file or directory of parts, as the Parquet source reads them. */
  static List<Record> readParquet(Path path) throws Exception {
    List<Record> out = new ArrayList<>();
    try (ParquetRows rows = ParquetRows.open(path)) {
      for (RowSource.Row r = rows.next(); r != null; r = rows.next()) {
        out.add(r.record());
      }
    }
    return out;
  }

  static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url);
  }

  /** Creates a table of the records with an {@code id} primary key 1..n. */
  static void writeTable(String url, String table, List<Record> rows) throws SQLException {
    Map<String, Object> first = rows.get(0).asMap();
    List<String> names = new ArrayList<>(first.keySet());
    // quoted: hour is a keyword in H2
    StringBuilder ddl = new StringBuilder("CREATE TABLE " + table + " (\"id\" BIGINT PRIMARY KEY");
    StringBuilder ins = new StringBuilder("INSERT INTO " + table + " (\"id\"");
    for (String n : names) {
      Object v = first.get(n);
      ddl.append(", \"")
          .append(n)
          .append('"')
          .append(
              v instanceof Long
                  ? " INTEGER"
                  : v instanceof Double ? " DOUBLE PRECISION" : " VARCHAR(100)");
      ins.append(", \"").append(n).append('"');
    }
    ins.append(") VALUES (?").append(", ?".repeat(names.size())).append(')');
    try (Connection c = connect(url)) {
      try (Statement st = c.createStatement()) {
        st.execute(ddl.append(')').toString());
      }
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(ins.toString())) {
        long id = 1;
        for (Record r : rows) {
          ps.setLong(1, id++);
          for (int i = 0; i < names.size(); i++) {
            ps.setObject(i + 2, r.get(names.get(i)));
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
    }
  }

  static void drop(String url, String... tables) throws SQLException {
    try (Connection c = connect(url);
        Statement st = c.createStatement()) {
      for (String t : tables) {
        st.execute("DROP TABLE IF EXISTS " + t);
      }
      st.execute(
          "DELETE FROM "
              + JdbcTarget.JOBS
              + " WHERE output_table IN ('"
              + String.join("','", tables)
              + "')");
    } catch (SQLException e) {
      // the jobs table may not exist when the test failed early
    }
  }
}
