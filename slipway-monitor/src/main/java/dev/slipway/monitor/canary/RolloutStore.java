package dev.slipway.monitor.canary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.serving.route.TrafficPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Rollouts, their decisions and traffic policies in the metadata database (tables of migration V7).
 * Writes take the connection of a registry change so that they commit with its audit entry; reads
 * borrow a connection. Thread-safe (stateless besides the data source).
 */
final class RolloutStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROLLOUT_COLUMNS =
      "id, model_name, spec, status, step_index, step_started_at, started_at, updated_at";

  private final DataSource dataSource;

  RolloutStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @FunctionalInterface
  private interface Read<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T read(String what, Read<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new ModelUnavailableException(
          "the metadata database failed to " + what + "; try again later", e);
    }
  }

  // ------------------------------------------------------------------ rollouts

  static void insert(Connection c, Rollout r) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO rollout (id, model_name, stable_version, candidate_version, spec, status,"
                + " step_index, step_started_at, started_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setLong(1, r.id());
      s.setString(2, r.spec().model());
      s.setInt(3, r.spec().stable());
      s.setInt(4, r.spec().candidate());
      s.setString(5, r.spec().toJson().toString());
      s.setString(6, r.status().name());
      s.setInt(7, r.stepIndex());
      s.setObject(8, ts(r.stepStartedAt()));
      s.setObject(9, ts(r.startedAt()));
      s.setObject(10, ts(r.updatedAt()));
      s.executeUpdate();
    }
  }

  static void update(Connection c, Rollout r) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE rollout SET status = ?, step_index = ?, step_started_at = ?, updated_at = ?"
                + " WHERE id = ?")) {
      s.setString(1, r.status().name());
      s.setInt(2, r.stepIndex());
      s.setObject(3, ts(r.stepStartedAt()));
      s.setObject(4, ts(r.updatedAt()));
      s.setLong(5, r.id());
      s.executeUpdate();
    }
  }

  static void insert(Connection c, Decision d) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO rollout_decision (rollout_id, audit_id, decided_at, step_index, percent,"
                + " outcome, reason, numbers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setLong(1, d.rolloutId());
      s.setLong(2, d.auditId());
      s.setObject(3, ts(d.at()));
      s.setInt(4, d.stepIndex());
      s.setDouble(5, d.percent());
      s.setString(6, d.outcome().name());
      s.setString(7, d.reason());
      s.setString(8, json(d.numbers()));
      s.executeUpdate();
    }
  }

  /** The newest rollout of a model, running or not. */
  Optional<Rollout> latest(String model) {
    return read(
        "read the rollout of model '" + model + "'",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + ROLLOUT_COLUMNS
                      + " FROM rollout WHERE model_name = ? ORDER BY id DESC")) {
            s.setMaxRows(1);
            s.setString(1, model);
            List<Rollout> r = rollouts(s);
            return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
          }
        });
  }

  /** The running rollout of a model, read on a change's connection (inside its lock). */
  static Optional<Rollout> running(Connection c, String model) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + ROLLOUT_COLUMNS
                + " FROM rollout WHERE model_name = ? AND status = 'RUNNING' ORDER BY id DESC")) {
      s.setString(1, model);
      List<Rollout> r = rollouts(s);
      return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }
  }

  /** Every running rollout. */
  List<Rollout> running() {
    return read(
        "list running rollouts",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + ROLLOUT_COLUMNS
                      + " FROM rollout WHERE status = 'RUNNING' ORDER BY id")) {
            return rollouts(s);
          }
        });
  }

  /** The decisions of a rollout, oldest first. */
  List<Decision> decisions(long rolloutId) {
    return read(
        "read the decisions of rollout " + rolloutId,
        c -> {
          List<Decision> out = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT rollout_id, audit_id, decided_at, step_index, percent, outcome, reason,"
                      + " numbers FROM rollout_decision WHERE rollout_id = ? ORDER BY audit_id")) {
            s.setLong(1, rolloutId);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new Decision(
                        rs.getLong(1),
                        rs.getLong(2),
                        instant(rs, 3),
                        rs.getInt(4),
                        rs.getDouble(5),
                        Decision.Outcome.valueOf(rs.getString(6)),
                        rs.getString(7),
                        map(rs.getString(8))));
              }
            }
          }
          return out;
        });
  }

  private static List<Rollout> rollouts(PreparedStatement s) throws SQLException {
    List<Rollout> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        RolloutSpec spec;
        try {
          spec = RolloutSpec.fromJson(rs.getString(2), JSON.readTree(rs.getString(3)));
        } catch (JsonProcessingException e) {
          throw new SQLException("rollout " + rs.getLong(1) + " has an unreadable spec", e);
        }
        out.add(
            new Rollout(
                rs.getLong(1),
                spec,
                Rollout.Status.valueOf(rs.getString(4)),
                rs.getInt(5),
                instant(rs, 6),
                instant(rs, 7),
                instant(rs, 8)));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ traffic policies

  static void putPolicy(Connection c, String model, TrafficPolicy p, Instant at, String actor)
      throws SQLException {
    deletePolicy(c, model);
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO traffic_policy (model_name, policy, updated_at, updated_by)"
                + " VALUES (?, ?, ?, ?)")) {
      s.setString(1, model);
      s.setString(2, p.toJson().toString());
      s.setObject(3, ts(at));
      s.setString(4, actor);
      s.executeUpdate();
    }
  }

  static void deletePolicy(Connection c, String model) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM traffic_policy WHERE model_name = ?")) {
      s.setString(1, model);
      s.executeUpdate();
    }
  }

  /** Every stored traffic policy, by model. */
  Map<String, TrafficPolicy> policies() {
    return read(
        "read traffic policies",
        c -> {
          Map<String, TrafficPolicy> out = new LinkedHashMap<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT model_name, policy FROM traffic_policy ORDER BY model_name");
              ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              try {
                out.put(rs.getString(1), TrafficPolicy.fromJson(JSON.readTree(rs.getString(2))));
              } catch (JsonProcessingException e) {
                throw new SQLException("unreadable traffic policy of " + rs.getString(1), e);
              }
            }
          }
          return out;
        });
  }

  // ------------------------------------------------------------------ plumbing

  private static OffsetDateTime ts(Instant i) {
    return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  static String json(Map<String, Object> numbers) {
    try {
      return JSON.writeValueAsString(numbers);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("numbers not writable as JSON", e);
    }
  }

  private static Map<String, Object> map(String json) throws SQLException {
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable decision numbers", e);
    }
  }
}
