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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code prediction_feedback} table and its join with the prediction log. Feedback is always
 * stored; it is joined at once when its prediction is logged, otherwise it waits ({@link
 * Status#PENDING}) and is joined when the log writer stores the prediction ({@link #joinLogged}). A
 * request-id feedback joins the row with that request id and row (of its model, when it names one);
 * an entity feedback joins the latest prediction of the model for the entity made at or before its
 * time and at most the join window before it. When several feedbacks join one prediction, the
 * latest received counts.
 *
 * <p>Listeners given to {@link #onJoined} hear of every change a join makes to a prediction's
 * label, once, after the join commits: its first label, or a correction. To make "once" exact when
 * the immediate join of {@link #submit}, the log writer's join and the sweep meet on one prediction
 * (in this process or another sharing the database), a join that has listeners locks the joined
 * prediction rows ({@code SELECT ... FOR UPDATE}, in ascending id order) before it reads their
 * current label.
 *
 * <p>Thread-safe: all state is in the database. A failing database raises {@link
 * ModelUnavailableException}.
 */
public final class FeedbackStore {
  private static final Logger log = LoggerFactory.getLogger(FeedbackStore.class);
  private static final int IN_CHUNK = 100;

  private final List<Consumer<List<JoinedFeedback>>> listeners = new CopyOnWriteArrayList<>();

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

  /**
   * Adds a listener of label changes: called after each join that changed labels commits, on the
   * joining thread (the request posting feedback, the log writer, the sweep), with the changes of
   * that join. A listener should be quick; what it throws is logged and ignored.
   */
  public void onJoined(Consumer<List<JoinedFeedback>> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private void publish(List<JoinedFeedback> changes) {
    if (changes.isEmpty()) {
      return;
    }
    List<JoinedFeedback> view = Collections.unmodifiableList(changes);
    for (Consumer<List<JoinedFeedback>> l : listeners) {
      try {
        l.accept(view);
      } catch (RuntimeException e) {
        log.warn("a feedback join listener failed: {}", e.toString());
      }
    }
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
    boolean tracking = !listeners.isEmpty();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement(sql)) {
        List<OptionalLong> matches = new ArrayList<>(feedback.size());
        for (Feedback f : feedback) {
          matches.add(match(c, f));
        }
        Map<Long, Target> targets = Map.of();
        Map<Long, Latest> before = Map.of();
        if (tracking) {
          Set<Long> ids = new TreeSet<>();
          matches.forEach(m -> m.ifPresent(ids::add));
          targets = lock(c, ids);
          before = latest(c, targets.keySet());
        }
        // The rows inserted here are newer than every joined row: their labels win.
        Map<Long, Double> after = new LinkedHashMap<>();
        List<Status> out = new ArrayList<>(feedback.size());
        for (int i = 0; i < feedback.size(); i++) {
          Feedback f = feedback.get(i);
          OptionalLong match = matches.get(i);
          if (match.isPresent() && targets.containsKey(match.getAsLong())) {
            after.put(match.getAsLong(), f.label());
          }
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
        publish(changes(targets, before, after));
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
        Joins joins = update(c, waiting, ids, now);
        c.commit();
        publish(joins.changes());
        return joins.count();
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
        Joins joins = update(c, waiting, ids, now);
        c.commit();
        publish(joins.changes());
        return joins.count();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("join feedback", e);
    }
  }

  /** How many feedbacks a join joined, and the label changes it made. */
  private record Joins(int count, List<JoinedFeedback> changes) {}

  private Joins update(Connection c, List<Feedback> waiting, List<Long> ids, Instant now)
      throws SQLException {
    List<OptionalLong> matches = new ArrayList<>(waiting.size());
    for (Feedback f : waiting) {
      matches.add(match(c, f));
    }
    boolean tracking = !listeners.isEmpty();
    Map<Long, Target> targets = Map.of();
    Map<Long, Latest> before = Map.of();
    if (tracking) {
      Set<Long> locked = new TreeSet<>();
      matches.forEach(m -> m.ifPresent(locked::add));
      targets = lock(c, locked);
      before = latest(c, targets.keySet());
    }
    Map<Long, Latest> newest = new HashMap<>(before);
    int joined = 0;
    try (PreparedStatement u =
        c.prepareStatement(
            "UPDATE prediction_feedback SET prediction_id = ?, matched_at = ?"
                + " WHERE id = ? AND prediction_id IS NULL")) {
      for (int i = 0; i < waiting.size(); i++) {
        OptionalLong match = matches.get(i);
        if (match.isPresent()) {
          long pid = match.getAsLong();
          u.setLong(1, pid);
          u.setObject(2, timestamp(now));
          u.setLong(3, ids.get(i));
          int n = u.executeUpdate();
          joined += n;
          // another join may have taken this feedback first (n = 0): then it counted it
          if (n == 1 && targets.containsKey(pid)) {
            Latest mine = new Latest(ids.get(i), waiting.get(i).label());
            newest.merge(pid, mine, (a, b) -> a.id() >= b.id() ? a : b);
          }
        }
      }
    }
    if (!tracking) {
      return new Joins(joined, List.of());
    }
    Map<Long, Double> after = new LinkedHashMap<>();
    for (Long pid : targets.keySet()) {
      Latest l = newest.get(pid);
      if (l != null) {
        after.put(pid, l.label());
      }
    }
    return new Joins(joined, changes(targets, before, after));
  }

  /** A logged prediction a join locked. */
  private record Target(String model, int version, Instant time, Double score) {}

  /** The latest joined feedback of a prediction: its id and label. */
  private record Latest(long id, double label) {}

  /**
   * Locks the predictions with these ids, one at a time in ascending order (so that two joins
   * cannot wait for each other), and reads them; ids no longer logged are left out.
   */
  private static Map<Long, Target> lock(Connection c, Set<Long> ascending) throws SQLException {
    Map<Long, Target> out = new LinkedHashMap<>();
    if (ascending.isEmpty()) {
      return out;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT model_name, model_version, predicted_at, score FROM prediction_log"
                + " WHERE id = ? FOR UPDATE")) {
      for (long id : ascending) {
        s.setLong(1, id);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            double score = rs.getDouble(4);
            boolean noScore = rs.wasNull();
            out.put(
                id,
                new Target(
                    rs.getString(1),
                    rs.getInt(2),
                    rs.getObject(3, OffsetDateTime.class).toInstant(),
                    noScore ? null : score));
          }
        }
      }
    }
    return out;
  }

  /** The latest joined feedback of each prediction that has one. */
  private static Map<Long, Latest> latest(Connection c, Set<Long> predictions) throws SQLException {
    Map<Long, Latest> out = new HashMap<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT id, label_value FROM prediction_feedback WHERE prediction_id = ?"
                + " ORDER BY id DESC")) {
      s.setMaxRows(1);
      for (long pid : predictions) {
        s.setLong(1, pid);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            out.put(pid, new Latest(rs.getLong(1), rs.getDouble(2)));
          }
        }
      }
    }
    return out;
  }

  /** The label changes from {@code before} to {@code after}, by prediction. */
  private static List<JoinedFeedback> changes(
      Map<Long, Target> targets, Map<Long, Latest> before, Map<Long, Double> after) {
    List<JoinedFeedback> out = new ArrayList<>();
    for (Map.Entry<Long, Double> e : after.entrySet()) {
      Latest was = before.get(e.getKey());
      double now = e.getValue();
      if (was != null && was.label() == now) {
        continue; // the same label again
      }
      Target t = targets.get(e.getKey());
      out.add(
          new JoinedFeedback(
              t.model(),
              t.version(),
              e.getKey(),
              t.time(),
              t.score(),
              now,
              was == null ? null : was.label()));
    }
    return out;
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
