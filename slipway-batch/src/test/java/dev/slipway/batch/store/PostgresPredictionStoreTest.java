package dev.slipway.batch.store;

import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.artifact.LocalArtifactStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PredictionStoreContract} on the machine's PostgreSQL server, each test in a schema of its
 * own that is dropped afterwards. The server is a requirement: when it cannot be reached, the tests
 * fail and say how to start it.
 */
class PostgresPredictionStoreTest extends PredictionStoreContract {
  private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String USER = "postgres";
  private static final String HOW_TO_START =
      "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
          + " (the tests expect database 'test', user 'postgres', trust authentication)";

  @TempDir Path home;
  private String schema;
  private ModelRegistry registry;

  @Override
  protected PredictionStore open() {
    schema = "slipway_p_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    execute("CREATE SCHEMA " + schema);
    registry =
        ModelRegistry.postgres(
            SERVER + "?currentSchema=" + schema,
            USER,
            null,
            new LocalArtifactStore(home.resolve("artifacts")));
    return new JdbcPredictionStore(registry.dataSource());
  }

  @Override
  protected PredictionStore expiring(java.time.Duration ttl, java.time.Clock clock) {
    return new JdbcPredictionStore(registry.dataSource(), ttl, clock);
  }

  @AfterEach
  void dropSchema() {
    if (registry != null) {
      registry.close();
    }
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
