package dev.slipway.monitor;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/** The prediction log contract on an H2 file database, as the embedded setup uses. */
class H2PredictionLogTest extends PredictionLogContract {
  @Override
  protected DataSource newDataSource() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:file:" + work.resolve("slipway").toAbsolutePath());
    config.setMaximumPoolSize(4);
    return new HikariDataSource(config);
  }
}
