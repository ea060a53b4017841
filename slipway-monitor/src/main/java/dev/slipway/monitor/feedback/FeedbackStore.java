package dev.slipway.monitor.feedback;

import static dev.slipway.monitor.log.PredictionLog.timestamp;

import dev.slipway.api.ModelUnavailableException;
import dev.slipway.monitor.log.LoggedPrediction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The {@code prediction_feedback} table and its join with the prediction log. Feedback is always
 * stored; it is joined at once when its prediction is logged, otherwise it waits ({@link
 * Status#PENDING}) and is joined when the log writer stores the prediction ({@link #joinLogged}). A
 * request-id feedback joins the row with that request id and row (of its model, when it names one);
 * an entity feedback joins the latest prediction of the model for the entity made at or before its
 * time and at most the join window before it. When several feedbacks join one prediction, the
 * latest received counts.
 *
 * <p>Thread-safe: all state is in the database. A failing database raises {@link
 * ModelUnavailableException}.
 */
public final class FeedbackStore {
  private static final int IN_CHUNK = 100;

  private final DataSource db;
  private final Clock clock;
  private final Duration window;

  /**
   * @param window how long before an entity feedback's time a prediction may have been made
   */
  public FeedbackStore(DataSource db, Clock clock, Duration window) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.window = Objects.requireNonNull(window, "window");
  }

  /** Whether a feedback found its prediction. */
  public enum Status {
    MATCHED,
    PENDING
  }

  /**
   * Stores feedback (one transaction) and joins each to its logged prediction when there is one.
   *
   * @return per feedback, in order, whether it was joined
   */
  public List<Status> submit(List<Feedback> feedback) {
    Instant now = clock.instant();
    String sql =
        "INSERT INTO prediction_feedback (request_id, row_index, model_name, entity_key,"
            + " event_time, label_value, received_at, prediction_id, matched_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement(sql)) {
        List<Status> out = new ArrayList<>(feedback.size());
        for (Feedback f : feedback) {
          OptionalLong match = match(c, f);
          s.setString(1, f.requestId());
          s.setInt(2, f.row());
          s.setString(3, f.model());
          s.setString(4, f.entity());
          if (f.time() == null) {
            s.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
          } else {
            s.setObject(5, timestamp(f.time()));
          }
          s.setDouble(6, f.label());
          s.setObject(7, timestamp(now));
          if (match.isPresent()) {
            s.setLong(8, match.getAsLong());
            s.setObject(9, timestamp(now));
          } else {
            s.setNull(8, Types.BIGINT);
            s.setNull(9, Types.TIMESTAMP_WITH_TIMEZONE);
          }
          s.addBatch();
          out.add(match.isPresent() ? Status.MATCHED : Status.PENDING);
        }
        s.executeBatch();
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("store feedback", e);
    }
  }

  /**
   * Joins waiting feedback to predictions just logged: feedback naming their request ids, or their
   * models and entities. Called by the log writer after each batch.
   *
   * @return how many feedbacks were joined
   */
  public int joinLogged(List<LoggedPrediction> logged) {
    Set<String> requests = new LinkedHashSet<>();
    Map<String, Set<String>> entities = new LinkedHashMap<>();
    for (LoggedPrediction p : logged) {
      requests.add(p.requestId());
      if (p.entity() != null) {
        entities.computeIfAbsent(p.model(), k -> new LinkedHashSet<>()).add(p.entity());
      }
    }
    Instant now = clock.instant();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Feedback> waiting = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        pendingByColumn(c, "request_id", null, requests, waiting, ids);
        for (Map.Entry<String, Set<String>> e : entities.entrySet()) {
          pendingByColumn(c, "entity_key", e.getKey(), e.getValue(), waiting, ids);
        }
        int joined = update(c, waiting, ids, now);
        c.commit();
        return joined;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("join feedback", e);
    }
  }

  /**
   * Tries again to join waiting feedback received since {@code since} (at most {@code limit}, the
   * newest first). This closes the gap where feedback and its prediction are stored at the same
   * moment and neither sees the other; run periodically.
   *
   * @return how many feedbacks were joined
   */
  public int joinPending(Instant since, int limit) {
    Instant now = clock.instant();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Feedback> waiting = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement s =
            c.prepareStatement(
                "SELECT id, request_id, row_index, model_name, entity_key, event_time, label_value"
                    + " FROM prediction_feedback WHERE prediction_id IS NULL AND received_at >= ?"
                    + " ORDER BY received_at DESC, id DESC")) {
          s.setObject(1, timestamp(since));
          s.setMaxRows(limit);
          try (ResultSet rs = s.executeQuery()) {
            readFeedback(rs, waiting, ids);
          }
        }
        int joined = update(c, waiting, ids, now);
        c.commit();
        return joined;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("join feedback", e);
    }
  }

  private int update(Connection c, List<Feedback> waiting, List<Long> ids, Instant now)
      throws SQLException {
    int joined = 0;
    try (PreparedStatement u =
        c.prepareStatement(
            "UPDATE prediction_feedback SET prediction_id = ?, matched_at = ?"
                + " WHERE id = ? AND prediction_id IS NULL")) {
      for (int i = 0; i < waiting.size(); i++) {
        OptionalLong match = match(c, waiting.get(i));
        if (match.isPresent()) {
          u.setLong(1, match.getAsLong());
          u.setObject(2, timestamp(now));
          u.setLong(3, ids.get(i));
          joined += u.executeUpdate();
        }
      }
    }
    return joined;
  }

  private static void readFeedback(ResultSet rs, List<Feedback> into, List<Long> ids)
      throws SQLException {
    while (rs.next()) {
      OffsetDateTime t = rs.getObject(6, OffsetDateTime.class);
      ids.add(rs.getLong(1));
      into.add(
          new Feedback(
              rs.getString(2),
              rs.getInt(3),
              rs.getString(4),
              rs.getString(5),
              t == null ? null : t.toInstant(),
              rs.getDouble(7)));
    }
  }

  /**
   * Joined (prediction, label) pairs of a model whose predictions were made in {@code [from, to)},
   * oldest first; predictions without a score are left out.
   */
  public List<LabeledPrediction> joined(String model, Instant from, Instant to) {
    // The latest received feedback of a prediction wins: a correction replaces the first answer.
    String sql =
        "SELECT p.id, p.model_version, p.predicted_at, p.score, f.label_value, f.id"
            + " FROM prediction_feedback f JOIN prediction_log p ON f.prediction_id = p.id"
            + " WHERE p.model_name = ? AND p.predicted_at >= ? AND p.predicted_at < ?"
            + " AND p.score IS NOT NULL ORDER BY p.predicted_at, p.id, f.id";
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, model);
      s.setObject(2, timestamp(from));
      s.setObject(3, timestamp(to));
      Map<Long, LabeledPrediction> out = new LinkedHashMap<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          out.put(
              id,
              new LabeledPrediction(
                  id,
                  rs.getInt(2),
                  rs.getObject(3, OffsetDateTime.class).toInstant(),
                  rs.getDouble(4),
                  rs.getDouble(5)));
        }
      }
      return new ArrayList<>(out.values());
    } catch (SQLException e) {
      throw unavailable("read feedback", e);
    }
  }

  /** How many feedbacks wait for their prediction. */
  public long pending() {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM prediction_feedback WHERE prediction_id IS NULL")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw unavailable("read feedback", e);
    }
  }

  private void pendingByColumn(
      Connection c,
      String column,
      String model,
      Set<String> keys,
      List<Feedback> into,
      List<Long> ids)
      throws SQLException {
    List<String> all = new ArrayList<>(keys);
    for (int from = 0; from < all.size(); from += IN_CHUNK) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
      String sql =
          "SELECT id, request_id, row_index, model_name, entity_key, event_time, label_value"
              + " FROM prediction_feedback WHERE prediction_id IS NULL"
              + (model == null ? " AND request_id IS NOT NULL" : " AND model_name = ?")
              + " AND "
              + column
              + " IN ("
              + String.join(",", java.util.Collections.nCopies(chunk.size(), "?"))
              + ")";
      try (PreparedStatement s = c.prepareStatement(sql)) {
        int k = 1;
        if (model != null) {
          s.setString(k++, model);
        }
        for (String key : chunk) {
          s.setString(k++, key);
        }
        try (ResultSet rs = s.executeQuery()) {
          readFeedback(rs, into, ids);
        }
      }
    }
  }

  /** The prediction a feedback belongs to, if it is logged. */
  private OptionalLong match(Connection c, Feedback f) throws SQLException {
    PreparedStatement s;
    if (f.requestId() != null) {
      s =
          c.prepareStatement(
              "SELECT id FROM prediction_log WHERE request_id = ? AND row_index = ?"
                  + (f.model() == null ? "" : " AND model_name = ?")
                  + " ORDER BY id");
      s.setString(1, f.requestId());
      s.setInt(2, f.row());
      if (f.model() != null) {
        s.setString(3, f.model());
      }
    } else {
      s =
          c.prepareStatement(
              "SELECT id FROM prediction_log WHERE model_name = ? AND entity_key = ?"
                  + " AND predicted_at <= ? AND predicted_at >= ?"
                  + " ORDER BY predicted_at DESC, id DESC");
      s.setString(1, f.model());
      s.setString(2, f.entity());
      s.setObject(3, timestamp(f.time()));
      s.setObject(4, timestamp(f.time().minus(window)));
    }
    try (s) {
      s.setMaxRows(1);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  private static ModelUnavailableException unavailable(String what, SQLException e) {
    return new ModelUnavailableException(
        "cannot " + what + " in the metadata database: " + e.getMessage(), e);
  }
}
