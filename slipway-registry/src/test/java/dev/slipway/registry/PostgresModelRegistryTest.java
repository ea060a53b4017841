package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.registry.artifact.LocalArtifactStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Runs the registry contract on the machine's PostgreSQL server, each test in a schema of its own
 * that is dropped afterwards. The server is a requirement, not an option: when it cannot be
 * reached, every test fails and says how to start it.
 */
class PostgresModelRegistryTest extends ModelRegistryContract {
  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String USER = "postgres";
  static final String HOW_TO_START =
      "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
          + " (the tests expect database 'test', user 'postgres', trust authentication)";

  private String schema;

  @Override
  protected DataSource newDataSource() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url());
    config.setUsername(USER);
    config.setMaximumPoolSize(4);
    // Connections are opened as needed: a test opens several registries, each with its own pool.
    config.setMinimumIdle(0);
    return new HikariDataSource(config);
  }

  /** The test's schema, created on first use. */
  private String url() {
    if (schema == null) {
      String name =
          "slipway_t_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
      execute("CREATE SCHEMA " + name);
      schema = name;
    }
    return SERVER + "?currentSchema=" + schema;
  }

  @Override
  protected void afterRegistriesClosed() {
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

  @Test
  void thePostgresFactoryOpensARegistryInTheSchemaOfTheUrl() throws Exception {
    try (ModelRegistry r =
        ModelRegistry.postgres(url(), USER, null, new LocalArtifactStore(work.resolve("pg")))) {
      r.register(registration("m", "1"));

      assertThat(r.latest("m").version()).isEqualTo(1);
      assertThat(r.changeSequence()).isEqualTo(1);
    }
    assertThat(tablesOf(schema))
        .contains(
            "model_alias",
            "model_version",
            "registered_model",
            "registry_audit",
            "registry_change",
            "registry_schema_history",
            "version_tag");
    assertThat(registry.latest("m").version()).isEqualTo(1);
  }

  @Test
  void anUnreachableServerIsReportedAsUnavailableNamingIt() {
    assertThatThrownBy(
            () ->
                ModelRegistry.postgres(
                    "jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2",
                    USER,
                    "secret",
                    new LocalArtifactStore(work.resolve("pg"))))
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/test")
        .hasMessageNotContaining("connectTimeout")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aUrlOfAnotherDatabaseIsRejectedNamingTheField() {
    assertThatThrownBy(
            () ->
                ModelRegistry.postgres(
                    "jdbc:h2:mem:x", USER, null, new LocalArtifactStore(work.resolve("pg"))))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("jdbcUrl"));
  }

  private static List<String> tablesOf(String schema) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(SERVER, USER, null);
        PreparedStatement s =
            c.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?")) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    }
    return tables;
  }
}
