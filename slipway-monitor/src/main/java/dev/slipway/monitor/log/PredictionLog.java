package dev.slipway.monitor.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.ModelUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code prediction_log} table of the metadata database (H2 or PostgreSQL; created by the
 * registry's migration V6): batched appends, window queries and retention. Times are stored to the
 * microsecond.
 *
 * <p>Thread-safe: all state is in the database. A failing database raises {@link
 * ModelUnavailableException} with the {@link SQLException} as cause.
 */
public final class PredictionLog {
  /** The largest JSON text of a row's inputs or outputs; larger ones are stored as null. */
  public static final int MAX_JSON = 1_000_000;

  /** Longest request id and entity key kept (the column sizes). */
  public static final int MAX_KEY = 1000;

  static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final DataSource db;

  public PredictionLog(DataSource db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  public DataSource dataSource() {
    return db;
  }

  /**
   * What retention deleted.
   *
   * @param predictions logged rows deleted
   * @param feedback feedback rows deleted (old, or joined to a deleted prediction)
   */
  public record Pruned(long predictions, long feedback) {}

  /** Stores rows in one transaction, in batches. Ids of the given rows are ignored. */
  public void append(List<LoggedPrediction> rows) {
    if (rows.isEmpty()) {
      return;
    }
    String sql =
        "INSERT INTO prediction_log (request_id, row_index, model_name, model_version,"
            + " predicted_at, latency_micros, served_by, entity_key, score, inputs, outputs)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement(sql)) {
        for (LoggedPrediction p : rows) {
          s.setString(1, p.requestId());
          s.setInt(2, p.row());
          s.setString(3, p.model());
          s.setInt(4, p.version());
          s.setObject(5, timestamp(p.time()));
          s.setLong(6, p.latencyMicros());
          s.setString(7, p.servedBy());
          s.setString(8, p.entity());
          if (p.score() == null || !Double.isFinite(p.score())) {
            s.setNull(9, Types.DOUBLE);
          } else {
            s.setDouble(9, p.score());
          }
          s.setString(10, json(p.inputs()));
          s.setString(11, json(p.outputs()));
          s.addBatch();
        }
        s.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("write the prediction log", e);
    }
  }

  /**
   * Logged rows of a model in {@code [from, to)}, oldest first.
   *
   * @param version a version, or null for all
   * @param limit most rows returned
   * @param withInputs whether to read (and parse) the inputs and outputs
   */
  public List<LoggedPrediction> window(
      String model, Integer version, Instant from, Instant to, int limit, boolean withInputs) {
    String sql =
        "SELECT id, request_id, row_index, model_name, model_version, predicted_at,"
            + " latency_micros, served_by, entity_key, score"
            + (withInputs ? ", inputs, outputs" : "")
            + " FROM prediction_log WHERE model_name = ? AND predicted_at >= ? AND predicted_at < ?"
            + (version == null ? "" : " AND model_version = ?")
            + " ORDER BY predicted_at, id";
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, model);
      s.setObject(2, timestamp(from));
      s.setObject(3, timestamp(to));
      if (version != null) {
        s.setInt(4, version);
      }
      s.setMaxRows(limit);
      List<LoggedPrediction> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs, withInputs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read the prediction log", e);
    }
  }

  /** The logged rows of a request, by row. */
  public List<LoggedPrediction> request(String requestId) {
    String sql =
        "SELECT id, request_id, row_index, model_name, model_version, predicted_at,"
            + " latency_micros, served_by, entity_key, score, inputs, outputs"
            + " FROM prediction_log WHERE request_id = ? ORDER BY row_index, id";
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, requestId);
      List<LoggedPrediction> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs, true));
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read the prediction log", e);
    }
  }

  /** When a version's first logged prediction was made, if any is logged. */
  public Optional<Instant> first(String model, int version) {
    String sql =
        "SELECT MIN(predicted_at) FROM prediction_log WHERE model_name = ? AND model_version = ?";
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, model);
      s.setInt(2, version);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
      }
    } catch (SQLException e) {
      throw unavailable("read the prediction log", e);
    }
  }

  /** How many rows of a model are logged. */
  public long count(String model) {
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT COUNT(*) FROM prediction_log WHERE model_name = ?")) {
      s.setString(1, model);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw unavailable("read the prediction log", e);
    }
  }

  /**
   * Deletes predictions made before {@code cutoff}, feedback received before it, and feedback
   * joined to a deleted prediction; one transaction.
   */
  public Pruned prune(Instant cutoff) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement f =
              c.prepareStatement(
                  "DELETE FROM prediction_feedback WHERE received_at < ? OR prediction_id IN"
                      + " (SELECT id FROM prediction_log WHERE predicted_at < ?)");
          PreparedStatement p =
              c.prepareStatement("DELETE FROM prediction_log WHERE predicted_at < ?")) {
        f.setObject(1, timestamp(cutoff));
        f.setObject(2, timestamp(cutoff));
        long feedback = f.executeUpdate();
        p.setObject(1, timestamp(cutoff));
        long predictions = p.executeUpdate();
        c.commit();
        return new Pruned(predictions, feedback);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("apply retention to the prediction log", e);
    }
  }

  private static LoggedPrediction read(ResultSet rs, boolean withInputs) throws SQLException {
    double score = rs.getDouble(10);
    Double s = rs.wasNull() ? null : score;
    return new LoggedPrediction(
        rs.getLong(1),
        rs.getString(2),
        rs.getInt(3),
        rs.getString(4),
        rs.getInt(5),
        rs.getObject(6, OffsetDateTime.class).toInstant(),
        rs.getLong(7),
        rs.getString(8),
        rs.getString(9),
        s,
        withInputs ? map(rs.getString(11)) : null,
        withInputs ? map(rs.getString(12)) : null);
  }

  private static String json(Map<String, Object> values) {
    if (values == null) {
      return null;
    }
    try {
      String text = JSON.writeValueAsString(values);
      return text.length() > MAX_JSON ? null : text;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static Map<String, Object> map(String text) {
    if (text == null) {
      return null;
    }
    try {
      return JSON.readValue(text, MAP);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** A database time: UTC, truncated to the microseconds both databases keep. */
  public static OffsetDateTime timestamp(Instant instant) {
    return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  static ModelUnavailableException unavailable(String what, SQLException e) {
    return new ModelUnavailableException(
        "cannot " + what + " in the metadata database: " + e.getMessage(), e);
  }
}
