package dev.slipway.monitor;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The join listener contract on the machine's PostgreSQL server (required; see {@link
 * PostgresPredictionLogTest}), each test in a schema of its own that is dropped afterwards.
 */
class PostgresJoinedFeedbackTest extends JoinedFeedbackContract {
  private String schema;

  @Override
  protected DataSource newDataSource() {
    schema = "slipway_j_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    execute("CREATE SCHEMA " + schema);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(PostgresPredictionLogTest.SERVER + "?currentSchema=" + schema);
    config.setUsername(PostgresPredictionLogTest.USER);
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(0);
    return new HikariDataSource(config);
  }

  @Override
  protected void afterClosed() {
    if (schema != null) {
      execute("DROP SCHEMA " + schema + " CASCADE");
      schema = null;
    }
  }

  private static void execute(String sql) {
    try (Connection c =
            DriverManager.getConnection(
                PostgresPredictionLogTest.SERVER, PostgresPredictionLogTest.USER, null);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new AssertionError(
          "PostgreSQL is not reachable at "
              + PostgresPredictionLogTest.SERVER
              + " ("
              + e.getMessage()
              + "); "
              + PostgresPredictionLogTest.HOW_TO_START,
          e);
    }
  }
}
