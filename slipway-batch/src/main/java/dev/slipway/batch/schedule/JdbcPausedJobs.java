package dev.slipway.batch.schedule;

import dev.slipway.api.ModelUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * {@link PausedJobs} in the metadata database: table {@code job_pause}, created by the registry's
 * migrations (V8), one row per paused job. Portable SQL: H2 and PostgreSQL.
 *
 * <p>Thread-safe: each call uses its own connection. A failing database raises {@link
 * ModelUnavailableException} with the {@link SQLException} as its cause.
 */
public final class JdbcPausedJobs implements PausedJobs {
  private final DataSource dataSource;
  private final Clock clock;

  /**
   * @param dataSource the migrated metadata database, which the caller keeps ownership of
   * @param clock stamps when a job was paused
   */
  public JdbcPausedJobs(DataSource dataSource, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Set<String> paused() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT job_name FROM job_pause");
        ResultSet r = s.executeQuery()) {
      Set<String> names = new HashSet<>();
      while (r.next()) {
        names.add(r.getString(1));
      }
      return Set.copyOf(names);
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public void set(String job, boolean paused) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement s = c.prepareStatement("DELETE FROM job_pause WHERE job_name = ?")) {
        s.setString(1, job);
        s.executeUpdate();
      }
      if (paused) {
        try (PreparedStatement s =
            c.prepareStatement("INSERT INTO job_pause (job_name, paused_at) VALUES (?, ?)")) {
          s.setString(1, job);
          s.setObject(2, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
          s.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private static ModelUnavailableException unavailable(SQLException e) {
    return new ModelUnavailableException(
        "the scheduler's pause state could not be read or written: " + e.getMessage(), e);
  }
}
