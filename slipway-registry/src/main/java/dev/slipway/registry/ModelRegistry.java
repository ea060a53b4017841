package dev.slipway.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.slipway.api.ConflictException;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.registry.artifact.ArtifactStore;
import dev.slipway.registry.artifact.LocalArtifactStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Registers models and their numbered versions, and answers which versions exist.
 *
 * <p>Metadata lives in a JDBC database whose schema this class migrates on construction (Flyway,
 * scripts under {@code db/migration/registry}, history table {@code registry_schema_history}, so
 * that other modules can keep their own migrations in the same database). The SQL is portable: the
 * same code runs on the embedded H2 database and on PostgreSQL. Artifacts are copied into an {@link
 * ArtifactStore} and referenced by their SHA-256.
 *
 * <p>Version numbers start at 1 and grow by one per model. Concurrent registrations of one model,
 * from threads or from processes sharing the database, each get a distinct number: a writer that
 * loses the race for a number (primary-key violation) rolls back and retries with the next one.
 *
 * <p>Thread-safe: all state is in the database and the artifact store; any number of threads may
 * call any method. The registry owns its {@link DataSource}: {@link #close} closes it when it is
 * {@link AutoCloseable} (a connection pool), and calls made after closing fail.
 *
 * <p>Errors: malformed input raises {@link InvalidInputException} naming the field; unknown models
 * raise {@link ModelNotFoundException}; a failing metadata database raises {@link
 * ModelUnavailableException} (retriable) with the {@link SQLException} as its cause.
 */
public final class ModelRegistry implements AutoCloseable {

  /** What a model name must look like; also safe in URLs and file names. */
  public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  static final int MAX_FORMAT_LENGTH = 64;
  static final int MAX_DESCRIPTION_LENGTH = 10_000;
  static final int MAX_CREATED_BY_LENGTH = 256;
  static final int MAX_METRIC_NAME_LENGTH = 128;

  /** The largest manifest or metrics JSON text, in characters (the VARCHAR size in the schema). */
  static final int MAX_JSON_LENGTH = 1_000_000;

  private static final int MAX_ATTEMPTS = 50;
  private static final String NAME_EXPECTED =
      "a name of 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit";

  /**
   * SQLStates meaning "another transaction got there first; try again": unique violation (23505),
   * serialization failure and deadlock (40001, 40P01), lock timeouts (H2 HYT00, PostgreSQL 55P03)
   * and H2's concurrent update (90131).
   */
  private static final Set<String> RACE_LOST =
      Set.of("23505", "40001", "40P01", "HYT00", "55P03", "90131");

  private static final TypeReference<Map<String, Double>> METRICS_TYPE = new TypeReference<>() {};

  private static final String VERSION_COLUMNS =
      "model_name, version, format, sha256, size_bytes, manifest, metrics, description,"
          + " created_by, created_at";

  private final DataSource dataSource;
  private final ArtifactStore artifacts;
  private final Clock clock;
  private final ObjectMapper json =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private volatile boolean closed;

  /**
   * Opens a registry on a database, migrating its schema to the current version.
   *
   * @param dataSource the metadata database; the registry takes ownership and closes it on {@link
   *     #close}, or right away if the migration fails
   * @param artifacts where model files are kept
   * @param clock the source of registration times
   */
  public ModelRegistry(DataSource dataSource, ArtifactStore artifacts, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      Flyway.configure(ModelRegistry.class.getClassLoader())
          .dataSource(dataSource)
          .locations("classpath:db/migration/registry")
          .table("registry_schema_history")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      closeDataSource(e);
      throw e;
    }
  }

  /**
   * Opens the embedded registry of a Slipway home: an H2 file database at {@code
   * <home>/metadata/slipway} behind a small connection pool, and a {@link LocalArtifactStore} at
   * {@code <home>/artifacts}. Directories are created as needed. Only one process may open a home
   * at a time.
   *
   * @throws ModelUnavailableException when the database cannot be opened, e.g. because another
   *     process has it open
   */
  public static ModelRegistry embedded(Path home) {
    Objects.requireNonNull(home, "home");
    Path metadata = home.toAbsolutePath().normalize().resolve("metadata");
    if (metadata.toString().indexOf(';') >= 0) {
      // ';' starts the settings part of an H2 URL.
      throw InvalidInputException.of("home", home.toString(), "a path without ';'");
    }
    try {
      Files.createDirectories(metadata);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + metadata, e);
    }
    ArtifactStore store = new LocalArtifactStore(home.resolve("artifacts"));
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:file:" + metadata.resolve("slipway"));
    config.setPoolName("slipway-registry");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new ModelUnavailableException(
          "cannot open the registry database in "
              + metadata
              + "; is another Slipway process using this home?",
          e);
    }
    return new ModelRegistry(pool, store, Clock.systemUTC());
  }

  /**
   * Registers a new version of a model, creating the model if it is new. The artifact is copied
   * into the artifact store before the metadata is written, so a failed registration may leave an
   * unreferenced artifact behind but never a version without its artifact.
   *
   * @return the new version, numbered one more than the model's highest version so far (1 for a new
   *     model)
   * @throws InvalidInputException naming the field ({@code name}, {@code artifact}, {@code format},
   *     {@code manifest}, {@code metrics}, {@code description}, {@code createdBy}) that is invalid
   * @throws ConflictException when no version number could be claimed after many attempts because
   *     of constant concurrent registrations of the same model
   */
  public ModelVersion register(Registration registration) {
    Objects.requireNonNull(registration, "registration");
    String name = checkName(registration.name());
    String format = required("format", registration.format(), MAX_FORMAT_LENGTH, "e.g. \"onnx\"");
    String createdBy =
        required(
            "createdBy",
            registration.createdBy(),
            MAX_CREATED_BY_LENGTH,
            "the user or service registering the model");
    String description =
        optional("description", registration.description(), MAX_DESCRIPTION_LENGTH);
    String manifest = checkManifest(registration.manifest());
    Map<String, Double> metrics = checkMetrics(registration.metrics());
    String metricsJson = writeJson(metrics);
    if (registration.artifact() == null) {
      throw InvalidInputException.missing("artifact", "the path of a model file");
    }
    ensureOpen();
    String sha256 = artifacts.put(registration.artifact());
    long size = artifacts.size(sha256);

    for (int attempt = 1; ; attempt++) {
      try {
        return inTransaction(
            c -> {
              Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
              if (!modelExists(c, name)) {
                insertModel(c, name, description, now);
              }
              int version = maxVersion(c, name) + 1;
              ModelVersion v =
                  new ModelVersion(
                      name,
                      version,
                      format,
                      sha256,
                      size,
                      manifest,
                      metrics,
                      description,
                      createdBy,
                      now);
              insertVersion(c, v, metricsJson);
              return v;
            });
      } catch (SQLException e) {
        if (!raceLost(e)) {
          throw unavailable("register a version of model '" + name + "'", e);
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw new ConflictException(
              "could not claim a version number for model '"
                  + name
                  + "' after "
                  + MAX_ATTEMPTS
                  + " attempts because of concurrent registrations; try again");
        }
        backOff(attempt, name);
      }
    }
  }

  /** All registered models, sorted by name ({@link String#compareTo} order). */
  public List<RegisteredModel> models() {
    String sql =
        "SELECT m.name, m.description, m.created_at, COALESCE(MAX(v.version), 0)"
            + " FROM registered_model m LEFT JOIN model_version v ON v.model_name = m.name"
            + " GROUP BY m.name, m.description, m.created_at";
    return query(
        "list models",
        c -> {
          List<RegisteredModel> models = new ArrayList<>();
          try (PreparedStatement s = c.prepareStatement(sql);
              ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              models.add(
                  new RegisteredModel(
                      rs.getString(1), rs.getString(2), instant(rs, 3), rs.getInt(4)));
            }
          }
          // Sorted here, not by ORDER BY: database collations differ, this order must not.
          models.sort(Comparator.comparing(RegisteredModel::name));
          return List.copyOf(models);
        });
  }

  /**
   * All versions of a model, oldest first.
   *
   * @throws ModelNotFoundException when no model has this name
   */
  public List<ModelVersion> versions(String name) {
    String n = checkName(name);
    return query(
        "list versions of model '" + n + "'",
        c -> {
          List<ModelVersion> versions = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + VERSION_COLUMNS
                      + " FROM model_version WHERE model_name = ? ORDER BY version")) {
            s.setString(1, n);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                versions.add(readVersion(rs));
              }
            }
          }
          if (versions.isEmpty() && !modelExists(c, n)) {
            throw notFound(n);
          }
          return List.copyOf(versions);
        });
  }

  /**
   * One version of a model; empty when the model or the version does not exist.
   *
   * @throws InvalidInputException naming {@code version} when it is below 1
   */
  public Optional<ModelVersion> version(String name, int version) {
    String n = checkName(name);
    if (version < 1) {
      throw InvalidInputException.of("version", version, "a version number of 1 or more");
    }
    return query(
        "read version " + n + ":" + version,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + VERSION_COLUMNS
                      + " FROM model_version WHERE model_name = ? AND version = ?")) {
            s.setString(1, n);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? Optional.of(readVersion(rs)) : Optional.empty();
            }
          }
        });
  }

  /**
   * The highest-numbered version of a model.
   *
   * @throws ModelNotFoundException when no model has this name
   */
  public ModelVersion latest(String name) {
    String n = checkName(name);
    return query(
        "read the latest version of model '" + n + "'",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + VERSION_COLUMNS
                      + " FROM model_version WHERE model_name = ? AND version ="
                      + " (SELECT MAX(version) FROM model_version WHERE model_name = ?)")) {
            s.setString(1, n);
            s.setString(2, n);
            try (ResultSet rs = s.executeQuery()) {
              if (rs.next()) {
                return readVersion(rs);
              }
            }
          }
          throw notFound(n);
        });
  }

  /**
   * The local file holding a version's artifact, to be read and never written.
   *
   * @throws ModelNotFoundException when the artifact is missing from the store
   */
  public Path artifactPath(ModelVersion version) {
    Objects.requireNonNull(version, "version");
    return artifacts.path(version.sha256());
  }

  /** Closes the data source (when it is closeable); idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeDataSource(null);
    }
  }

  // ---------------------------------------------------------------- validation

  private static String checkName(String name) {
    if (name == null) {
      throw InvalidInputException.missing("name", NAME_EXPECTED);
    }
    if (!NAME_PATTERN.matcher(name).matches()) {
      throw InvalidInputException.of("name", name, NAME_EXPECTED);
    }
    return name;
  }

  /** A non-blank text, stripped of surrounding white space. */
  private static String required(String field, String value, int maxLength, String example) {
    if (value == null || value.isBlank()) {
      throw InvalidInputException.missing(
          field, "a non-blank text of at most " + maxLength + " characters, " + example);
    }
    return optional(field, value.strip(), maxLength);
  }

  private static String optional(String field, String value, int maxLength) {
    if (value != null && value.length() > maxLength) {
      throw InvalidInputException.of(field, value, "at most " + maxLength + " characters");
    }
    return value;
  }

  private String checkManifest(String manifest) {
    if (manifest == null) {
      return null;
    }
    optional("manifest", manifest, MAX_JSON_LENGTH);
    try {
      json.readTree(manifest);
    } catch (JsonProcessingException e) {
      throw InvalidInputException.of(
          "manifest", manifest, "well-formed JSON text (" + e.getOriginalMessage() + ")");
    }
    return manifest;
  }

  private static Map<String, Double> checkMetrics(Map<String, Double> metrics) {
    Map<String, Double> checked = new TreeMap<>();
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      String key = e.getKey();
      if (key == null || key.isBlank() || key.length() > MAX_METRIC_NAME_LENGTH) {
        throw InvalidInputException.of(
            "metrics",
            key,
            "metric names of 1 to " + MAX_METRIC_NAME_LENGTH + " non-blank characters");
      }
      Double value = e.getValue();
      if (value == null || !Double.isFinite(value)) {
        throw InvalidInputException.of("metrics." + key, value, "a finite number");
      }
      checked.put(key, value);
    }
    return checked;
  }

  private String writeJson(Map<String, Double> metrics) {
    String text;
    try {
      text = json.writeValueAsString(metrics);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of finite doubles is always serialisable", e);
    }
    if (text.length() > MAX_JSON_LENGTH) {
      throw InvalidInputException.of(
          "metrics", metrics.size() + " metrics", "at most " + MAX_JSON_LENGTH + " characters");
    }
    return text;
  }

  // ---------------------------------------------------------------- SQL

  private static boolean modelExists(Connection c, String name) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT COUNT(*) FROM registered_model WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }

  private static void insertModel(Connection c, String name, String description, Instant now)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO registered_model (name, description, created_at) VALUES (?, ?, ?)")) {
      s.setString(1, name);
      s.setString(2, description);
      s.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
      s.executeUpdate();
    }
  }

  private static int maxVersion(Connection c, String name) throws SQLException {
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

  private static void insertVersion(Connection c, ModelVersion v, String metricsJson)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO model_version ("
                + VERSION_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, v.name());
      s.setInt(2, v.version());
      s.setString(3, v.format());
      s.setString(4, v.sha256());
      s.setLong(5, v.sizeBytes());
      s.setString(6, v.manifest());
      s.setString(7, metricsJson);
      s.setString(8, v.description());
      s.setString(9, v.createdBy());
      s.setObject(10, OffsetDateTime.ofInstant(v.createdAt(), ZoneOffset.UTC));
      s.executeUpdate();
    }
  }

  private ModelVersion readVersion(ResultSet rs) throws SQLException {
    Map<String, Double> metrics;
    try {
      metrics = json.readValue(rs.getString(7), METRICS_TYPE);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored metrics are not valid JSON", e);
    }
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
        instant(rs, 10));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  // ---------------------------------------------------------------- plumbing

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T query(String what, SqlWork<T> work) {
    ensureOpen();
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
  }

  private <T> T inTransaction(SqlWork<T> work) throws SQLException {
    ensureOpen();
    // Auto-commit is not restored: a pool resets it when the connection returns, and restoring it
    // on a broken connection would hide the original failure.
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    }
  }

  private static boolean raceLost(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        if (RACE_LOST.contains(s.getSQLState())) {
          return true;
        }
      }
    }
    return false;
  }

  /** Lets the winner of a race finish; jitter keeps several losers from colliding again. */
  private static void backOff(int attempt, String name) {
    if (attempt == 1) {
      return;
    }
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + Math.min(attempt, 20)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelUnavailableException(
          "interrupted while registering a version of model '" + name + "'", e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new ModelUnavailableException("the model registry is closed");
    }
  }

  private static ModelNotFoundException notFound(String name) {
    return new ModelNotFoundException("model '" + name + "' is not registered");
  }

  private static ModelUnavailableException unavailable(String what, SQLException e) {
    return new ModelUnavailableException(
        "the registry's metadata database failed to " + what + "; try again later", e);
  }

  private void closeDataSource(Throwable failure) {
    if (dataSource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        if (failure != null) {
          failure.addSuppressed(e);
        } else {
          throw new IllegalStateException("cannot close the registry's data source", e);
        }
      }
    }
  }
}
