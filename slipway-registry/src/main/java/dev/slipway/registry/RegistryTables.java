package dev.slipway.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.api.ModelNotFoundException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry's SQL: portable statements over the tables of {@code db/migration/registry}, each
 * run on a connection (and so in the transaction) the caller gives. Stateless and thread-safe.
 */
final class RegistryTables {

  static final String VERSION_COLUMNS =
      "model_name, version, format, sha256, size_bytes, manifest, metrics, description,"
          + " created_by, created_at, training_data_ref, training_data_sha256, parameters,"
          + " verification_status, verification_message, verified_at, gate_verdict, gate_numbers,"
          + " gate_details, gated_at";

  static final String AUDIT_COLUMNS =
      "id, occurred_at, actor, action, model_name, version, alias, detail, reason, forced";

  private static final String INSERT_VERSION_COLUMNS =
      "model_name, version, format, sha256, size_bytes, manifest, metrics, description,"
          + " created_by, created_at, training_data_ref, training_data_sha256, parameters,"
          + " verification_status";

  private static final TypeReference<Map<String, Double>> NUMBERS_TYPE = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> TEXTS_TYPE = new TypeReference<>() {};

  private RegistryTables() {}

  /** What a change needs to know about a version. */
  record State(
      Verification.Status verification, String verificationMessage, GateResult.Verdict gate) {}

  /**
   * Claims the next change number. It must be the first statement of every change: the row lock it
   * takes serializes the registry's writers until commit.
   */
  static long nextChange(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE registry_change SET seq = seq + 1 WHERE id = 1")) {
      if (s.executeUpdate() != 1) {
        throw new SQLException("the registry_change row is missing");
      }
    }
    try (PreparedStatement s = c.prepareStatement("SELECT seq FROM registry_change WHERE id = 1");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static OffsetDateTime timestamp(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  static void insertAudit(
      Connection c,
      long id,
      Instant at,
      String actor,
      String action,
      String model,
      Integer version,
      String alias,
      Map<String, Object> detail)
      throws SQLException {
    insertAudit(c, id, at, actor, action, model, version, alias, detail, null, false);
  }

  static void insertAudit(
      Connection c,
      long id,
      Instant at,
      String actor,
      String action,
      String model,
      Integer version,
      String alias,
      Map<String, Object> detail,
      String reason,
      boolean forced)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO registry_audit ("
                + AUDIT_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setLong(1, id);
      s.setObject(2, timestamp(at));
      s.setString(3, actor);
      s.setString(4, action);
      s.setString(5, model);
      if (version == null) {
        s.setNull(6, Types.INTEGER);
      } else {
        s.setInt(6, version);
      }
      s.setString(7, alias);
      s.setString(8, RegistryChecks.toJson(detail));
      s.setString(9, reason);
      s.setBoolean(10, forced);
      s.executeUpdate();
    }
  }

  static List<AuditEntry> readAudit(PreparedStatement s) throws SQLException {
    List<AuditEntry> entries = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        int version = rs.getInt(6);
        Integer v = rs.wasNull() ? null : version;
        entries.add(
            new AuditEntry(
                rs.getLong(1),
                instant(rs, 2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                v,
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getBoolean(10)));
      }
    }
    return List.copyOf(entries);
  }

  static boolean modelExists(Connection c, String name) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT COUNT(*) FROM registered_model WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }

  static boolean versionExists(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT COUNT(*) FROM model_version WHERE model_name = ? AND version = ?")) {
      s.setString(1, name);
      s.setInt(2, version);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }

  /**
   * The verification and gate state of a version.
   *
   * @throws ModelNotFoundException naming the model or the version when it does not exist
   */
  static State state(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT verification_status, verification_message, gate_verdict FROM model_version"
                + " WHERE model_name = ? AND version = ?")) {
      s.setString(1, name);
      s.setInt(2, version);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          String gate = rs.getString(3);
          return new State(
              Verification.Status.valueOf(rs.getString(1)),
              rs.getString(2),
              gate == null ? null : GateResult.Verdict.valueOf(gate));
        }
      }
    }
    throw modelExists(c, name) ? versionNotFound(c, name, version) : notFound(name);
  }

  static Integer aliasTarget(Connection c, String name, String alias) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT version FROM model_alias WHERE model_name = ? AND alias = ?")) {
      s.setString(1, name);
      s.setString(2, alias);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getInt(1) : null;
      }
    }
  }

  static void insertAlias(
      Connection c, String name, String alias, int version, String actor, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO model_alias (model_name, alias, version, previous_version, updated_by,"
                + " updated_at) VALUES (?, ?, ?, NULL, ?, ?)")) {
      s.setString(1, name);
      s.setString(2, alias);
      s.setInt(3, version);
      s.setString(4, actor);
      s.setObject(5, timestamp(now));
      s.executeUpdate();
    }
  }

  static void updateAlias(
      Connection c, String name, String alias, int version, int previous, String actor, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE model_alias SET version = ?, previous_version = ?, updated_by = ?,"
                + " updated_at = ? WHERE model_name = ? AND alias = ?")) {
      s.setInt(1, version);
      s.setInt(2, previous);
      s.setString(3, actor);
      s.setObject(4, timestamp(now));
      s.setString(5, name);
      s.setString(6, alias);
      s.executeUpdate();
    }
  }

  static String tag(Connection c, String name, int version, String key) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT tag_value FROM version_tag WHERE model_name = ? AND version = ?"
                + " AND tag_key = ?")) {
      s.setString(1, name);
      s.setInt(2, version);
      s.setString(3, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The tags of one version of a model, or of all its versions when {@code version} is null. */
  static Map<Integer, Map<String, String>> tags(Connection c, String name, Integer version)
      throws SQLException {
    Map<Integer, Map<String, String>> tags = new HashMap<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT version, tag_key, tag_value FROM version_tag WHERE model_name = ?"
                + (version == null ? "" : " AND version = ?"))) {
      s.setString(1, name);
      if (version != null) {
        s.setInt(2, version);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          tags.computeIfAbsent(rs.getInt(1), v -> new TreeMap<>())
              .put(rs.getString(2), rs.getString(3));
        }
      }
    }
    return tags;
  }

  static void insertModel(Connection c, String name, String description, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO registered_model (name, description, created_at) VALUES (?, ?, ?)")) {
      s.setString(1, name);
      s.setString(2, description);
      s.setObject(3, timestamp(now));
      s.executeUpdate();
    }
  }

  static int maxVersion(Connection c, String name) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT COALESCE(MAX(version), 0) FROM model_version WHERE model_name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  static void insertVersion(Connection c, ModelVersion v, String metricsJson, String parametersJson)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO model_version ("
                + INSERT_VERSION_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, v.name());
      s.setInt(2, v.version());
      s.setString(3, v.format());
      s.setString(4, v.sha256());
      s.setLong(5, v.sizeBytes());
      s.setString(6, v.manifest());
      s.setString(7, metricsJson);
      s.setString(8, v.description());
      s.setString(9, v.createdBy());
      s.setObject(10, timestamp(v.createdAt()));
      s.setString(11, v.lineage().trainingDataRef());
      s.setString(12, v.lineage().trainingDataSha256());
      s.setString(13, parametersJson);
      s.setString(14, v.verification().status().name());
      s.executeUpdate();
    }
  }

  static Optional<ModelVersion> readVersion(Connection c, String name, int version)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + VERSION_COLUMNS
                + " FROM model_version WHERE model_name = ? AND version = ?")) {
      s.setString(1, name);
      s.setInt(2, version);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        ModelVersion v = readVersion(rs);
        return Optional.of(v.withTags(tags(c, name, version).getOrDefault(version, Map.of())));
      }
    }
  }

  static ModelVersion readLatest(Connection c, String name) throws SQLException {
    int max = maxVersion(c, name);
    if (max > 0) {
      Optional<ModelVersion> v = readVersion(c, name, max);
      if (v.isPresent()) {
        return v.get();
      }
    }
    throw notFound(name);
  }

  /** A version without its tags, from a row of {@link #VERSION_COLUMNS}. */
  static ModelVersion readVersion(ResultSet rs) throws SQLException {
    Map<String, Double> metrics = readJson(rs.getString(7), NUMBERS_TYPE, "metrics");
    String parameters = rs.getString(13);
    Lineage lineage =
        new Lineage(
            rs.getString(11),
            rs.getString(12),
            parameters == null ? Map.of() : readJson(parameters, TEXTS_TYPE, "parameters"));
    OffsetDateTime verifiedAt = rs.getObject(16, OffsetDateTime.class);
    Verification verification =
        new Verification(
            Verification.Status.valueOf(rs.getString(14)),
            rs.getString(15),
            verifiedAt == null ? null : verifiedAt.toInstant());
    String verdict = rs.getString(17);
    GateResult gate =
        verdict == null
            ? null
            : new GateResult(
                GateResult.Verdict.valueOf(verdict),
                readJson(rs.getString(18), NUMBERS_TYPE, "gate numbers"),
                rs.getString(19),
                instant(rs, 20));
    return new ModelVersion(
        rs.getString(1),
        rs.getInt(2),
        rs.getString(3),
        rs.getString(4),
        rs.getLong(5),
        rs.getString(6),
        metrics,
        rs.getString(8),
        rs.getString(9),
        instant(rs, 10),
        lineage,
        Map.of(),
        verification,
        gate);
  }

  static <T> T readJson(String text, TypeReference<T> type, String what) throws SQLException {
    try {
      return RegistryChecks.JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored " + what + " are not valid JSON", e);
    }
  }

  static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  static ModelNotFoundException notFound(String name) {
    return new ModelNotFoundException("model '" + name + "' is not registered");
  }

  static ModelNotFoundException versionNotFound(String name, int version) {
    return new ModelNotFoundException(
        "version " + version + " of model '" + name + "' is not registered");
  }

  /** As {@link #versionNotFound(String, int)}, naming the versions that do exist. */
  static ModelNotFoundException versionNotFound(Connection c, String name, int version)
      throws SQLException {
    java.util.List<Integer> known = new java.util.ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT version FROM model_version WHERE model_name = ? ORDER BY version")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          known.add(rs.getInt(1));
        }
      }
    }
    return new ModelNotFoundException(
        "version "
            + version
            + " of model '"
            + name
            + "' is not registered; registered versions: "
            + known);
  }

  static ModelNotFoundException aliasNotFound(String name, String alias) {
    return new ModelNotFoundException("alias '" + alias + "' of model '" + name + "' is not set");
  }
}
