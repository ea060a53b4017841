package dev.slipway.monitor;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/** The join listener contract on an H2 file database, as the embedded setup uses. */
class H2JoinedFeedbackTest extends JoinedFeedbackContract {
  @Override
  protected DataSource newDataSource() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:file:" + work.resolve("slipway").toAbsolutePath());
    config.setMaximumPoolSize(8);
    return new HikariDataSource(config);
  }
}
