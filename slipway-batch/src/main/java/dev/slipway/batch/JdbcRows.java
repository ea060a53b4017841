package dev.slipway.batch;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Streams the rows of a table or query: autocommit off and a fetch size, so that PostgreSQL sends
 * rows in batches instead of the whole result (memory stays flat). Values become what the records
 * API reads: integer types → {@code Long}, other numbers → {@code Double} (a decimal with no
 * fraction that fits → {@code Long}), text → {@code String}, booleans → {@code Boolean}, others
 * (dates, times) → their text. Progress is counted in rows. Not thread-safe.
 */
final class JdbcRows extends RowSource {
  static final int FETCH_SIZE = 1_000;

  private final JdbcInput in;
  private final Connection connection;
  private final Statement statement;
  private final ResultSet rs;
  private final List<String> columns;
  private long rows;

  private JdbcRows(JdbcInput in, Connection c, Statement st, ResultSet rs, List<String> columns) {
    this.in = in;
    this.connection = c;
    this.statement = st;
    this.rs = rs;
    this.columns = columns;
  }

  /**
   * Opens the query.
   *
   * @param key the job's key column: a table is read ordered by it (required for a table)
   * @throws InvalidInputException when the database cannot be reached, the table or a column is
   *     unknown, a table has no key column, or a query has no ORDER BY
   */
  static JdbcRows open(JdbcInput in, String key) {
    String sql;
    String option;
    if (in.table() != null) {
      option = "--table";
      Jdbc.identifier(in.table(), option);
      if (key == null) {
        throw InvalidInputException.missing(
            "--key",
            "a key column for table "
                + in.table()
                + ": rows are read ORDER BY it, so that a resumed job skips exactly the rows"
                + " it has done (a unique column, e.g. the primary key)");
      }
      Jdbc.identifier(key, "--key");
      sql = null; // ordered by the key's column as the database names it, known once connected
    } else {
      option = "--query";
      sql = in.query().strip();
      String lower = sql.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("select") && !lower.startsWith("with")) {
        throw InvalidInputException.of(option, sql, "a SELECT statement");
      }
      if (!lower.contains("order by")) {
        throw InvalidInputException.of(
            option,
            sql,
            "a query with an ORDER BY on a unique column, so that a resumed job skips exactly the"
                + " rows it has done");
      }
    }
    Connection c = Jdbc.connect(in.url(), "input");
    Statement st = null;
    try {
      c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
      c.setReadOnly(true);
      if (sql == null) {
        sql = "SELECT * FROM " + in.table() + " ORDER BY " + Jdbc.column(keyLabel(c, in, key));
      }
      st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
      st.setFetchSize(FETCH_SIZE);
      ResultSet rs = st.executeQuery(sql);
      ResultSetMetaData md = rs.getMetaData();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        columns.add(Jdbc.featureName(md.getColumnLabel(i)));
      }
      return new JdbcRows(in, c, st, rs, List.copyOf(columns));
    } catch (SQLException e) {
      closeQuietly(st, c);
      String what = in.table() != null ? in.table() : in.query();
      throw InvalidInputException.of(
          option,
          what,
          (in.table() != null ? "an existing table with a column " + key : "a query that runs")
              + " in "
              + Jdbc.redact(in.url())
              + " ("
              + Jdbc.firstLine(e)
              + ")");
    }
  }

  /** The table's column named {@code key} (any case), as the database names it. */
  private static String keyLabel(Connection c, JdbcInput in, String key) throws SQLException {
    List<String> labels = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + in.table() + " WHERE 1 = 0")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String label = md.getColumnLabel(i);
        if (label.equals(key)) {
          return label;
        }
        labels.add(label);
      }
    }
    for (String label : labels) {
      if (label.equalsIgnoreCase(key)) {
        return label;
      }
    }
    List<String> names = new ArrayList<>();
    for (String l : labels) {
      names.add(Jdbc.featureName(l));
    }
    throw InvalidInputException.missing(
        "input", "the key column '" + key + "'; " + in.describe() + " has " + names);
  }

  @Override
  List<String> columns() {
    return columns;
  }

  @Override
  Row next() {
    try {
      if (!rs.next()) {
        return null;
      }
      rows++;
      Map<String, Object> values = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        values.put(columns.get(i), value(rs.getObject(i + 1)));
      }
      return new Row(Record.of(values), null);
    } catch (SQLException e) {
      throw InvalidInputException.of(
          "input",
          in.describe() + " row " + (rows + 1),
          "rows that can be read ("
              + Jdbc.firstLine(e)
              + "); the output so far is left unfinished");
    }
  }

  static Object value(Object v) {
    if (v == null || v instanceof Long || v instanceof Double || v instanceof String) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float) {
      return Double.parseDouble(v.toString());
    }
    if (v instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) v;
      if (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0) {
        try {
          return d.longValueExact();
        } catch (ArithmeticException tooBig) {
          return d.doubleValue();
        }
      }
      return d.doubleValue();
    }
    if (v instanceof BigInteger) {
      BigInteger b = (BigInteger) v;
      return b.bitLength() < 64 ? (Object) b.longValue() : b.doubleValue();
    }
    if (v instanceof Boolean) {
      return v;
    }
    return v.toString();
  }

  @Override
  long bytesRead() {
    return rows;
  }

  @Override
  long total() {
    return 0;
  }

  @Override
  public void close() throws IOException {
    try {
      rs.close();
    } catch (SQLException ignored) {
      // closing
    }
    closeQuietly(statement, connection);
  }

  private static void closeQuietly(Statement st, Connection c) {
    try {
      if (st != null) {
        st.close();
      }
    } catch (SQLException ignored) {
      // closing
    }
    try {
      c.rollback(); // read only: nothing to keep
      c.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
