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
 * The prediction log contract on the machine's PostgreSQL server, each test in a schema of its own
 * that is dropped afterwards. The server is required: when it cannot be reached, every test fails
 * and says how to start it.
 */
class PostgresPredictionLogTest extends PredictionLogContract {
  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String USER = "postgres";
  static final String HOW_TO_START =
      "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
          + " (the tests expect database 'test', user 'postgres', trust authentication)";

  private String schema;

  @Override
  protected DataSource newDataSource() {
    schema = "slipway_m_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    execute("CREATE SCHEMA " + schema);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(SERVER + "?currentSchema=" + schema);
    config.setUsername(USER);
    config.setMaximumPoolSize(4);
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
    try (Connection c = DriverManager.getConnection(SERVER, USER, null);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new AssertionError(
          "PostgreSQL is not reachable at " + SERVER + " (" + e.getMessage() + "); " + HOW_TO_START,
          e);
    }
  }
}
