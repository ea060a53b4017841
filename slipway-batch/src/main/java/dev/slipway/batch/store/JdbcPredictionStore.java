package dev.slipway.batch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.ModelUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A {@link PredictionStore} in the metadata database: table {@code stored_prediction}, created by
 * the registry's migrations (so use the data source of a {@link
 * dev.slipway.registry.ModelRegistry}, which has migrated it). Outputs are kept as JSON text. The
 * upsert is one standard SQL {@code MERGE} (H2 2.x and PostgreSQL 15+) whose update only applies
 * when the stored row is not newer.
 *
 * <p>With a time to live, a prediction scored that long ago is no longer read ({@link #get} finds
 * nothing, as Redis forgets an expired key) and {@link #purgeExpired} deletes such rows; the server
 * purges on a schedule. A prediction expires {@code ttl} after its {@code scored_at} (the time the
 * job scored it, which a re-run renews), where Redis counts from the write.
 *
 * <p>Thread-safe: each call uses its own connection; a {@link #putAll} is one transaction.
 */
public final class JdbcPredictionStore implements PredictionStore {
  // whole numbers read back as Long, whatever their size, as records carry them
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /** SQLSTATE of a unique violation, in H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  private static final String MERGE =
      "MERGE INTO stored_prediction t USING (SELECT CAST(? AS VARCHAR(128)) AS model_name,"
          + " CAST(? AS VARCHAR(256)) AS entity_key, CAST(? AS INTEGER) AS version,"
          + " CAST(? AS VARCHAR(1000000)) AS outputs,"
          + " CAST(? AS TIMESTAMP WITH TIME ZONE) AS scored_at) s"
          + " ON t.model_name = s.model_name AND t.entity_key = s.entity_key"
          + " WHEN MATCHED AND t.scored_at <= s.scored_at THEN UPDATE SET version = s.version,"
          + " outputs = s.outputs, scored_at = s.scored_at"
          + " WHEN NOT MATCHED THEN INSERT (model_name, entity_key, version, outputs, scored_at)"
          + " VALUES (s.model_name, s.entity_key, s.version, s.outputs, s.scored_at)";

  private final DataSource dataSource;
  private final Duration ttl;
  private final Clock clock;

  /** A store in the given database, which the caller keeps ownership of; nothing expires. */
  public JdbcPredictionStore(DataSource dataSource) {
    this(dataSource, null, Clock.systemUTC());
  }

  /**
   * A store in the given database, which the caller keeps ownership of.
   *
   * @param ttl how long after it was scored a prediction is still read, or null for ever
   * @param clock what "now" is for expiry
   */
  public JdbcPredictionStore(DataSource dataSource, Duration ttl, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The time to live of stored predictions, or null when they do not expire. */
  public Duration ttl() {
    return ttl;
  }

  /**
   * Deletes the predictions that have expired (none without a time to live).
   *
   * @return how many were deleted
   */
  public int purgeExpired() {
    if (ttl == null) {
      return 0;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("DELETE FROM stored_prediction WHERE scored_at <= ?")) {
      s.setObject(1, cutoff());
      return s.executeUpdate();
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /** Rows scored at or before this have expired. */
  private OffsetDateTime cutoff() {
    return OffsetDateTime.ofInstant(clock.instant().minus(ttl), ZoneOffset.UTC);
  }

  @Override
  public void putAll(List<StoredPrediction> predictions) {
    if (predictions.isEmpty()) {
      return;
    }
    try {
      merge(predictions);
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw unavailable(e);
      }
      // a concurrent writer inserted one of the keys first: now it exists, and MERGE updates it
      try {
        merge(predictions);
      } catch (SQLException again) {
        throw unavailable(again);
      }
    }
  }

  private void merge(List<StoredPrediction> predictions) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement(MERGE)) {
        for (StoredPrediction p : predictions) {
          s.setString(1, p.model());
          s.setString(2, p.key());
          s.setInt(3, p.version());
          s.setString(4, json(p.outputs()));
          s.setObject(5, OffsetDateTime.ofInstant(p.scoredAt(), ZoneOffset.UTC));
          s.addBatch();
        }
        s.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  @Override
  public Optional<StoredPrediction> get(String model, String key) {
    PredictionStore.checkKey(key);
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT version, outputs, scored_at FROM stored_prediction"
                    + " WHERE model_name = ? AND entity_key = ?"
                    + (ttl == null ? "" : " AND scored_at > ?"))) {
      s.setString(1, model);
      s.setString(2, key);
      if (ttl != null) {
        s.setObject(3, cutoff());
      }
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new StoredPrediction(
                model,
                key,
                r.getInt("version"),
                outputs(r.getString("outputs")),
                r.getObject("scored_at", OffsetDateTime.class).toInstant()));
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public void close() {
    // the data source is the caller's
  }

  static String json(Map<String, Object> outputs) {
    try {
      return JSON.writeValueAsString(outputs);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("outputs are not JSON-like values: " + e.getMessage(), e);
    }
  }

  static Map<String, Object> outputs(String json) {
    try {
      return JSON.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new ModelUnavailableException("a stored prediction is not JSON: " + e.getMessage(), e);
    }
  }

  private static ModelUnavailableException unavailable(SQLException e) {
    return new ModelUnavailableException("the prediction store failed: " + e.getMessage(), e);
  }

  @Override
  public String toString() {
    return "prediction store in the metadata database";
  }
}
