package dev.slipway.batch.schedule;

import dev.slipway.api.ModelUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A {@link RunHistory} in the metadata database: table {@code job_run}, created by the registry's
 * migrations (so use the data source of a {@link dev.slipway.registry.ModelRegistry}, which has
 * migrated it). Portable SQL: H2 and PostgreSQL.
 *
 * <p>Thread-safe: each call uses its own connection. A failing database raises {@link
 * ModelUnavailableException} with the {@link SQLException} as its cause.
 */
public final class JdbcRunHistory implements RunHistory {

  /** The longest error message kept (the column's size). */
  static final int MAX_ERROR_LENGTH = 10_000;

  private static final String COLUMNS =
      "job_name, business_date, attempt, status, run_trigger, scheduled_at, started_at,"
          + " finished_at, rows_done, error";

  private final DataSource dataSource;

  /** A history in the given database, which the caller keeps ownership of. */
  public JdbcRunHistory(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public void save(JobRun run) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      int updated;
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE job_run SET status = ?, run_trigger = ?, scheduled_at = ?, started_at = ?,"
                  + " finished_at = ?, rows_done = ?, error = ?"
                  + " WHERE job_name = ? AND business_date = ? AND attempt = ?")) {
        s.setString(1, run.status().name());
        s.setString(2, run.trigger().name());
        s.setObject(3, utc(run.scheduledAt()));
        s.setObject(4, utc(run.startedAt()));
        setInstant(s, 5, run.finishedAt());
        setLong(s, 6, run.rows());
        s.setString(7, truncate(run.error()));
        s.setString(8, run.job());
        s.setObject(9, run.businessDate());
        s.setInt(10, run.attempt());
        updated = s.executeUpdate();
      }
      if (updated == 0) {
        try (PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO job_run (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
          s.setString(1, run.job());
          s.setObject(2, run.businessDate());
          s.setInt(3, run.attempt());
          s.setString(4, run.status().name());
          s.setString(5, run.trigger().name());
          s.setObject(6, utc(run.scheduledAt()));
          s.setObject(7, utc(run.startedAt()));
          setInstant(s, 8, run.finishedAt());
          setLong(s, 9, run.rows());
          s.setString(10, truncate(run.error()));
          s.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public List<JobRun> runs(String job) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM job_run WHERE job_name = ? ORDER BY business_date, attempt")) {
      s.setString(1, job);
      List<JobRun> runs = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long rows = r.getLong("rows_done");
          Long rowsOrNull = r.wasNull() ? null : rows;
          runs.add(
              new JobRun(
                  r.getString("job_name"),
                  r.getObject("business_date", LocalDate.class),
                  r.getInt("attempt"),
                  RunStatus.valueOf(r.getString("status")),
                  RunTrigger.valueOf(r.getString("run_trigger")),
                  instant(r, "scheduled_at"),
                  instant(r, "started_at"),
                  instant(r, "finished_at"),
                  rowsOrNull,
                  r.getString("error")));
        }
      }
      return runs;
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private static OffsetDateTime utc(Instant at) {
    return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    OffsetDateTime at = r.getObject(column, OffsetDateTime.class);
    return at == null ? null : at.toInstant();
  }

  private static void setInstant(PreparedStatement s, int index, Instant at) throws SQLException {
    if (at == null) {
      s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      s.setObject(index, utc(at));
    }
  }

  private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.BIGINT);
    } else {
      s.setLong(index, value);
    }
  }

  private static String truncate(String error) {
    return error == null || error.length() <= MAX_ERROR_LENGTH
        ? error
        : error.substring(0, MAX_ERROR_LENGTH - 1) + "…";
  }

  private static ModelUnavailableException unavailable(SQLException e) {
    return new ModelUnavailableException(
        "the scheduler's run history failed: " + e.getMessage(), e);
  }
}
