package dev.slipway.registry;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;

/** Runs the registry contract on an H2 file database, as the embedded setup uses. */
class H2ModelRegistryTest extends ModelRegistryContract {
  @TempDir Path db;

  @Override
  protected DataSource newDataSource() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:file:" + db.resolve("slipway").toAbsolutePath());
    config.setMaximumPoolSize(4);
    return new HikariDataSource(config);
  }
}
