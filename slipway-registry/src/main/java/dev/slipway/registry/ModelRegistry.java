package dev.slipway.registry;

import static dev.slipway.registry.RegistryChecks.checkActor;
import static dev.slipway.registry.RegistryChecks.checkAlias;
import static dev.slipway.registry.RegistryChecks.checkLimit;
import static dev.slipway.registry.RegistryChecks.checkLineage;
import static dev.slipway.registry.RegistryChecks.checkManifest;
import static dev.slipway.registry.RegistryChecks.checkName;
import static dev.slipway.registry.RegistryChecks.checkNumbers;
import static dev.slipway.registry.RegistryChecks.checkTagKey;
import static dev.slipway.registry.RegistryChecks.checkVerdict;
import static dev.slipway.registry.RegistryChecks.checkVersion;
import static dev.slipway.registry.RegistryChecks.optional;
import static dev.slipway.registry.RegistryChecks.required;
import static dev.slipway.registry.RegistryChecks.writeJson;
import static dev.slipway.registry.RegistryTables.AUDIT_COLUMNS;
import static dev.slipway.registry.RegistryTables.VERSION_COLUMNS;
import static dev.slipway.registry.RegistryTables.aliasNotFound;
import static dev.slipway.registry.RegistryTables.aliasTarget;
import static dev.slipway.registry.RegistryTables.insertAlias;
import static dev.slipway.registry.RegistryTables.insertAudit;
import static dev.slipway.registry.RegistryTables.insertModel;
import static dev.slipway.registry.RegistryTables.insertVersion;
import static dev.slipway.registry.RegistryTables.instant;
import static dev.slipway.registry.RegistryTables.maxVersion;
import static dev.slipway.registry.RegistryTables.modelExists;
import static dev.slipway.registry.RegistryTables.nextChange;
import static dev.slipway.registry.RegistryTables.notFound;
import static dev.slipway.registry.RegistryTables.readAudit;
import static dev.slipway.registry.RegistryTables.readLatest;
import static dev.slipway.registry.RegistryTables.readVersion;
import static dev.slipway.registry.RegistryTables.state;
import static dev.slipway.registry.RegistryTables.tag;
import static dev.slipway.registry.RegistryTables.tags;
import static dev.slipway.registry.RegistryTables.timestamp;
import static dev.slipway.registry.RegistryTables.updateAlias;
import static dev.slipway.registry.RegistryTables.versionExists;
import static dev.slipway.registry.RegistryTables.versionNotFound;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.slipway.api.ConflictException;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.registry.RegistryEvent.AliasMoved;
import dev.slipway.registry.RegistryEvent.AliasRemoved;
import dev.slipway.registry.RegistryEvent.GateRecorded;
import dev.slipway.registry.RegistryEvent.VerificationRecorded;
import dev.slipway.registry.RegistryEvent.VersionCreated;
import dev.slipway.registry.RegistryTables.State;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers models and their numbered versions, and keeps what happens to them: aliases, tags,
 * lineage, verification and evaluation-gate results, and an audit log of every change.
 *
 * <p>Metadata lives in a JDBC database whose schema this class migrates on construction (Flyway,
 * scripts under {@code db/migration/registry}, history table {@code registry_schema_history}, so
 * that other modules can keep their own migrations in the same database). The SQL is portable: the
 * same code runs on the embedded H2 database ({@link #embedded}) and on PostgreSQL ({@link
 * #postgres}). Artifacts are copied into an {@link ArtifactStore} and referenced by their SHA-256.
 *
 * <p>Every change (registration, alias set/move/removal, tag set/removal, verification, gate
 * result) runs in one transaction that first increments the single row of {@code registry_change}
 * and then writes an {@link AuditEntry} numbered with the new value. That row lock serializes the
 * registry's writers, across threads and processes sharing the database, so checks made inside a
 * change (does the version exist, is it BLESSED, which version does the alias point to) cannot be
 * invalidated by a concurrent change, audit ids follow commit order without gaps, and {@link
 * #changeSequence()} is a cheap, reliable "has anything changed?" for pollers. Writes to a registry
 * are rare, so the serialization costs nothing that matters. A writer that still loses a race (a
 * lock timeout, or a writer that does not take the lock) rolls back and retries.
 *
 * <p>Version numbers start at 1 and grow by one per model unless a registration asks for a number
 * ({@link Registration#version()}), which fails with {@link ConflictException} when that version
 * exists.
 *
 * <p>Listeners ({@link #addListener}) hear of each change made through this instance after it has
 * committed, on the calling thread. Changes are made only by the methods of this class, so a change
 * that fails validation leaves the registry, its audit log and its change sequence as they were,
 * and is not announced.
 *
 * <p>Thread-safe: all state is in the database and the artifact store; any number of threads may
 * call any method. The registry owns its {@link DataSource}: {@link #close} closes it when it is
 * {@link AutoCloseable} (a connection pool), and calls made after closing fail.
 *
 * <p>Errors: malformed input raises {@link InvalidInputException} naming the field; unknown models,
 * versions, aliases and tags raise {@link ModelNotFoundException} naming them; a change that
 * contradicts stored state raises {@link ConflictException} saying why; a failing metadata database
 * raises {@link ModelUnavailableException} (retriable) with the {@link SQLException} as its cause.
 */
public final class ModelRegistry implements AutoCloseable {

  /** What a model name must look like; also safe in URLs and file names. */
  public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  /**
   * What an alias must look like. Besides, {@value #LATEST} and {@code v<digits>} are reserved, in
   * any letter case: in a {@link ModelRef} they mean the latest and a numbered version.
   */
  public static final Pattern ALIAS_PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** What a tag key must look like. */
  public static final Pattern TAG_KEY_PATTERN =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}");

  /** The alias whose moves need a BLESSED gate result (or force). */
  public static final String CHAMPION = "champion";

  /** The reserved alias meaning the latest version. */
  public static final String LATEST = "latest";

  static final String ALIAS_EXPECTED =
      "an alias of 1 to 64 letters, digits, '_' or '-', other than 'latest' and 'v<digits>'";

  static final int MAX_FORMAT_LENGTH = 64;
  static final int MAX_DESCRIPTION_LENGTH = 10_000;
  static final int MAX_CREATED_BY_LENGTH = 256;
  static final int MAX_METRIC_NAME_LENGTH = 128;
  static final int MAX_TRAINING_DATA_REF_LENGTH = 2048;
  static final int MAX_TEXT_LENGTH = 10_000;

  /** The largest JSON text or gate details, in characters (the VARCHAR size in the schema). */
  static final int MAX_JSON_LENGTH = 1_000_000;

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final int MAX_ATTEMPTS = 50;
  private static final String VERIFIER = "slipway-verifier";
  private static final String GATE = "slipway-gate";

  /**
   * SQLStates meaning "another transaction got there first; try again": unique violation (23505),
   * serialization failure and deadlock (40001, 40P01), lock timeouts (H2 HYT00, PostgreSQL 55P03)
   * and H2's concurrent update (90131).
   */
  private static final Set<String> RACE_LOST =
      Set.of("23505", "40001", "40P01", "HYT00", "55P03", "90131");

  private final DataSource dataSource;
  private final ArtifactStore artifacts;
  private final Clock clock;
  private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * Opens a registry on a database, migrating its schema to the current version.
   *
   * @param dataSource the metadata database; the registry takes ownership and closes it on {@link
   *     #close}, or right away if the migration fails
   * @param artifacts where model files are kept
   * @param clock the source of registration and audit times
   */
  public ModelRegistry(DataSource dataSource, ArtifactStore artifacts, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      if (!schemaIsCurrent(dataSource)) {
        Flyway.configure(ModelRegistry.class.getClassLoader())
            .dataSource(dataSource)
            .locations("classpath:" + MIGRATIONS)
            .table(SCHEMA_HISTORY)
            .load()
            .migrate();
      }
    } catch (RuntimeException e) {
      closeDataSource(e);
      throw e;
    }
  }

  /** Where the schema's migrations are, on the class path. */
  static final String MIGRATIONS = "db/migration/registry";

  /** Flyway's record of the migrations applied. */
  private static final String SCHEMA_HISTORY = "registry_schema_history";

  /**
   * The version of the last migration in {@link #MIGRATIONS} ({@code V<n>__...sql}); a test keeps
   * it equal to the highest file there.
   */
  static final int SCHEMA_VERSION = 8;

  /**
   * Whether the database already has every migration applied successfully, so that opening it needs
   * no Flyway at all: one query instead of loading and running Flyway (~350 classes, a noticeable
   * part of every CLI command's start). Anything else (a new database, an older schema, a failed
   * migration, an unreadable history) goes through Flyway, which migrates or explains.
   */
  static boolean schemaIsCurrent(DataSource dataSource) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT COUNT(CASE WHEN \"version\" = ? AND \"success\" THEN 1 END),"
                    + " COUNT(CASE WHEN NOT \"success\" THEN 1 END) FROM \""
                    + SCHEMA_HISTORY
                    + "\"")) {
      s.setString(1, Integer.toString(SCHEMA_VERSION));
      try (ResultSet r = s.executeQuery()) {
        return r.next() && r.getLong(1) == 1 && r.getLong(2) == 0;
      }
    } catch (SQLException e) {
      return false; // no history yet, or one this query cannot read: Flyway decides
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
    return embedded(home, null);
  }

  /**
   * Opens the embedded metadata database of a Slipway home, as {@link #embedded(Path)} does, with
   * model files kept in the given store (e.g. an S3 bucket) instead of {@code <home>/artifacts}.
   *
   * @param artifacts where model files are kept, or {@code null} for a {@link LocalArtifactStore}
   *     at {@code <home>/artifacts}; the caller keeps ownership of a given store
   */
  public static ModelRegistry embedded(Path home, ArtifactStore artifacts) {
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
    ArtifactStore store =
        artifacts != null ? artifacts : new LocalArtifactStore(home.resolve("artifacts"));
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
   * Opens a registry on a PostgreSQL database behind a connection pool, migrating its schema. Any
   * number of processes may share the database. The schema is the connection's current schema
   * ({@code ?currentSchema=...} in the URL selects another one than {@code public}).
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port/database[?parameters]}
   * @param user the database user
   * @param password the password, or {@code null} (e.g. with trust authentication)
   * @param store where model files are kept
   * @throws InvalidInputException naming {@code jdbcUrl} when it is not a PostgreSQL JDBC URL
   * @throws ModelUnavailableException when the database cannot be reached
   */
  public static ModelRegistry postgres(
      String jdbcUrl, String user, String password, ArtifactStore store) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw InvalidInputException.of(
          "jdbcUrl", jdbcUrl, "a URL jdbc:postgresql://host:port/database");
    }
    Objects.requireNonNull(store, "store");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName("slipway-registry-postgres");
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      int parameters = jdbcUrl.indexOf('?');
      throw new ModelUnavailableException(
          "cannot connect to the registry database at "
              + (parameters < 0 ? jdbcUrl : jdbcUrl.substring(0, parameters))
              + " as user '"
              + user
              + "' ("
              + rootMessage(e)
              + "); is PostgreSQL running and reachable?",
          e);
    }
    return new ModelRegistry(pool, store, Clock.systemUTC());
  }

  // ================================================================ versions

  /**
   * Registers a new version of a model, creating the model if it is new. The artifact is copied
   * into the artifact store before the metadata is written, so a failed registration may leave an
   * unreferenced artifact behind but never a version without its artifact. The new version is
   * {@link Verification.Status#PENDING} and has no tags.
   *
   * @return the new version, numbered {@link Registration#version()} when given, else one more than
   *     the model's highest version so far (1 for a new model)
   * @throws InvalidInputException naming the field ({@code name}, {@code artifact}, {@code format},
   *     {@code manifest}, {@code metrics}, {@code description}, {@code createdBy}, {@code
   *     trainingDataRef}, {@code trainingDataSha256}, {@code parameters}, {@code version}) that is
   *     invalid
   * @throws ConflictException when the requested version exists, or when no version number could be
   *     claimed after many attempts because of constant concurrent changes
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
    Map<String, Double> metrics = checkNumbers("metrics", registration.metrics());
    String metricsJson = writeJson("metrics", metrics);
    Lineage lineage = checkLineage(registration.lineage());
    String parametersJson = writeJson("parameters", lineage.parameters());
    Integer requested = registration.version();
    if (requested != null && requested < 1) {
      throw InvalidInputException.of("version", requested, "a version number of 1 or more");
    }
    if (registration.artifact() == null) {
      throw InvalidInputException.missing("artifact", "the path of a model file");
    }
    ensureOpen();
    String sha256 = artifacts.put(registration.artifact());
    long size = artifacts.size(sha256);

    return write(
        "register a version of model '" + name + "'",
        c -> {
          long change = nextChange(c);
          Instant now = now();
          if (!modelExists(c, name)) {
            insertModel(c, name, description, now);
          }
          int version;
          if (requested == null) {
            version = maxVersion(c, name) + 1;
          } else if (versionExists(c, name, requested)) {
            throw new ConflictException(
                "version "
                    + requested
                    + " of model '"
                    + name
                    + "' already exists; versions are immutable, register another number or"
                    + " leave it out to get the next one");
          } else {
            version = requested;
          }
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
                  now,
                  lineage,
                  Map.of(),
                  Verification.PENDING,
                  null);
          insertVersion(c, v, metricsJson, parametersJson);
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("format", format);
          detail.put("sha256", sha256);
          detail.put("sizeBytes", size);
          insertAudit(c, change, now, createdBy, AuditEntry.REGISTER, name, version, null, detail);
          return Change.of(v, new VersionCreated(v));
        });
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
          Map<Integer, Map<String, String>> tags = tags(c, n, null);
          return versions.stream()
              .map(v -> v.withTags(tags.getOrDefault(v.version(), Map.of())))
              .toList();
        });
  }

  /**
   * One version of a model; empty when the model or the version does not exist.
   *
   * @throws InvalidInputException naming {@code version} when it is below 1
   */
  public Optional<ModelVersion> version(String name, int version) {
    String n = checkName(name);
    checkVersion(version);
    return query("read version " + n + ":" + version, c -> readVersion(c, n, version));
  }

  /**
   * The highest-numbered version of a model.
   *
   * @throws ModelNotFoundException when no model has this name
   */
  public ModelVersion latest(String name) {
    String n = checkName(name);
    return query("read the latest version of model '" + n + "'", c -> readLatest(c, n));
  }

  /**
   * The version a reference points to: the latest version, a numbered one, or an alias's.
   *
   * @throws ModelNotFoundException naming the model, version or alias that does not exist
   */
  public ModelVersion resolve(ModelRef ref) {
    Objects.requireNonNull(ref, "ref");
    String n = ref.name();
    return query(
        "resolve " + ref,
        c -> {
          if (ref.isLatest()) {
            return readLatest(c, n);
          }
          int version;
          if (ref.version() != null) {
            version = ref.version();
          } else {
            Integer target = aliasTarget(c, n, ref.alias());
            if (target == null) {
              throw modelExists(c, n) ? aliasNotFound(n, ref.alias()) : notFound(n);
            }
            version = target;
          }
          Optional<ModelVersion> v = readVersion(c, n, version);
          if (v.isEmpty()) {
            throw modelExists(c, n) ? versionNotFound(c, n, version) : notFound(n);
          }
          return v.get();
        });
  }

  /**
   * Parses and {@linkplain #resolve(ModelRef) resolves} a reference written {@code name}, {@code
   * name@alias} or {@code name/version}.
   *
   * @throws InvalidInputException naming {@code model} when the text is not a reference
   * @throws ModelNotFoundException naming the model, version or alias that does not exist
   */
  public ModelVersion resolve(String ref) {
    return resolve(ModelRef.parse(ref));
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

  /**
   * Stores a file kept beside a version but not its model, such as its filtering model, in the
   * artifact store. Content-addressed: storing the same bytes again returns the same id. Whatever
   * refers to it (a version document) keeps the id.
   *
   * @return the lowercase hex SHA-256 of the content
   */
  public String storeArtifact(byte[] content) {
    Objects.requireNonNull(content, "content");
    return artifacts.put(content);
  }

  /**
   * The local file holding an artifact stored with {@link #storeArtifact}, to be read and never
   * written.
   *
   * @throws InvalidInputException naming {@code sha256} when it is not 64 lowercase hex characters
   * @throws ModelNotFoundException when the artifact is missing from the store
   */
  public Path artifactPath(String sha256) {
    return artifacts.path(sha256);
  }

  // ================================================================ aliases

  /**
   * Points an alias of a model at a version, creating the alias or moving it. Moving {@value
   * #CHAMPION} needs the version's gate result to be BLESSED, unless {@code force} is set: such a
   * forced move is audited (and announced) as forced. A version that failed verification can never
   * get an alias. The version the alias pointed to before is kept for {@link #previousVersion}.
   * Pointing an alias at the version it already points to changes nothing and is not audited.
   *
   * @param reason why, for the audit log, or {@code null}
   * @param force whether to move {@value #CHAMPION} to a version that is not BLESSED
   * @throws InvalidInputException naming {@code name}, {@code alias}, {@code version}, {@code
   *     actor} or {@code reason}
   * @throws ModelNotFoundException naming the model or version that does not exist
   * @throws ConflictException when the version failed verification, or the alias is {@value
   *     #CHAMPION}, the version is not BLESSED and {@code force} is not set
   */
  public void setAlias(
      String model, String alias, int version, String actor, String reason, boolean force) {
    String n = checkName(model);
    String a = checkAlias(alias);
    checkVersion(version);
    String who = checkActor(actor);
    String why = optional("reason", reason, MAX_TEXT_LENGTH);
    write(
        "set alias '" + a + "' of model '" + n + "'",
        c -> {
          long change = nextChange(c);
          State state = state(c, n, version);
          if (state.verification() == Verification.Status.FAILED) {
            throw new ConflictException(
                "version "
                    + version
                    + " of model '"
                    + n
                    + "' failed verification"
                    + (state.verificationMessage() == null
                        ? ""
                        : " (" + state.verificationMessage() + ")")
                    + ", so it cannot get alias '"
                    + a
                    + "'; register a version that passes");
          }
          Integer current = aliasTarget(c, n, a);
          if (current != null && current == version) {
            return Change.none(null);
          }
          boolean forced = false;
          if (a.equals(CHAMPION) && state.gate() != GateResult.Verdict.BLESSED) {
            if (!force) {
              throw new ConflictException(
                  "alias '"
                      + CHAMPION
                      + "' of model '"
                      + n
                      + "' can only move to a BLESSED version, and version "
                      + version
                      + (state.gate() == null
                          ? " has no gate result"
                          : " is " + state.gate().name())
                      + "; run the evaluation gate, or force the move (it is audited as forced)");
            }
            forced = true;
          }
          Instant now = now();
          if (current == null) {
            insertAlias(c, n, a, version, who, now);
          } else {
            updateAlias(c, n, a, version, current, who, now);
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("from", current);
          detail.put("to", version);
          insertAudit(
              c,
              change,
              now,
              who,
              current == null ? AuditEntry.ALIAS_SET : AuditEntry.ALIAS_MOVE,
              n,
              version,
              a,
              detail,
              why,
              forced);
          return Change.of(null, new AliasMoved(n, a, current, version, forced));
        });
  }

  /**
   * Removes an alias of a model.
   *
   * @param reason why, for the audit log, or {@code null}
   * @throws InvalidInputException naming {@code name}, {@code alias}, {@code actor} or {@code
   *     reason}
   * @throws ModelNotFoundException naming the model that does not exist or the alias that is not
   *     set
   */
  public void removeAlias(String model, String alias, String actor, String reason) {
    String n = checkName(model);
    String a = checkAlias(alias);
    String who = checkActor(actor);
    String why = optional("reason", reason, MAX_TEXT_LENGTH);
    write(
        "remove alias '" + a + "' of model '" + n + "'",
        c -> {
          long change = nextChange(c);
          Integer current = aliasTarget(c, n, a);
          if (current == null) {
            throw modelExists(c, n) ? aliasNotFound(n, a) : notFound(n);
          }
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM model_alias WHERE model_name = ? AND alias = ?")) {
            s.setString(1, n);
            s.setString(2, a);
            s.executeUpdate();
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("from", current);
          insertAudit(
              c, change, now(), who, AuditEntry.ALIAS_REMOVE, n, current, a, detail, why, false);
          return Change.of(null, new AliasRemoved(n, a, current));
        });
  }

  /**
   * The aliases of a model and the versions they point to, sorted by alias.
   *
   * @throws ModelNotFoundException when no model has this name
   */
  public Map<String, Integer> aliases(String model) {
    String n = checkName(model);
    return query(
        "list aliases of model '" + n + "'",
        c -> {
          Map<String, Integer> aliases = new TreeMap<>();
          try (PreparedStatement s =
              c.prepareStatement("SELECT alias, version FROM model_alias WHERE model_name = ?")) {
            s.setString(1, n);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                aliases.put(rs.getString(1), rs.getInt(2));
              }
            }
          }
          if (aliases.isEmpty() && !modelExists(c, n)) {
            throw notFound(n);
          }
          return Collections.unmodifiableMap(aliases);
        });
  }

  /**
   * The version an alias pointed to before its last move, to roll back to; empty when the alias has
   * not moved since it was set.
   *
   * @throws ModelNotFoundException naming the model that does not exist or the alias that is not
   *     set
   */
  public Optional<Integer> previousVersion(String model, String alias) {
    String n = checkName(model);
    String a = checkAlias(alias);
    return query(
        "read alias '" + a + "' of model '" + n + "'",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT previous_version FROM model_alias WHERE model_name = ? AND alias = ?")) {
            s.setString(1, n);
            s.setString(2, a);
            try (ResultSet rs = s.executeQuery()) {
              if (rs.next()) {
                int previous = rs.getInt(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(previous);
              }
            }
          }
          throw modelExists(c, n) ? aliasNotFound(n, a) : notFound(n);
        });
  }

  // ================================================================ tags

  /**
   * Sets a tag on a version, replacing the tag's value if it has one. Setting the value a tag
   * already has changes nothing and is not audited.
   *
   * @throws InvalidInputException naming {@code name}, {@code version}, {@code tag} (the key),
   *     {@code tags.<key>} (the value, at most 10,000 characters) or {@code actor}
   * @throws ModelNotFoundException naming the model or version that does not exist
   */
  public void setTag(String model, int version, String key, String value, String actor) {
    String n = checkName(model);
    checkVersion(version);
    String k = checkTagKey(key);
    if (value == null) {
      throw InvalidInputException.missing(
          "tags." + k, "a text of at most " + MAX_TEXT_LENGTH + " characters");
    }
    String v = optional("tags." + k, value, MAX_TEXT_LENGTH);
    String who = checkActor(actor);
    write(
        "set tag '" + k + "' on " + n + ":" + version,
        c -> {
          long change = nextChange(c);
          state(c, n, version);
          String current = tag(c, n, version, k);
          if (v.equals(current)) {
            return Change.none(null);
          }
          String sql =
              current == null
                  ? "INSERT INTO version_tag (tag_value, model_name, version, tag_key)"
                      + " VALUES (?, ?, ?, ?)"
                  : "UPDATE version_tag SET tag_value = ?"
                      + " WHERE model_name = ? AND version = ? AND tag_key = ?";
          try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, v);
            s.setString(2, n);
            s.setInt(3, version);
            s.setString(4, k);
            s.executeUpdate();
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("key", k);
          detail.put("value", v);
          detail.put("previous", current);
          insertAudit(c, change, now(), who, AuditEntry.TAG_SET, n, version, null, detail);
          return Change.unannounced(null);
        });
  }

  /** The longest document {@link #putDocument} stores, in characters. */
  public static final int MAX_DOCUMENT_LENGTH = 10_000_000;

  private static final java.util.regex.Pattern DOCUMENT_KIND =
      java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  /**
   * Stores or replaces an editable document kept with a version, such as its data profile ({@code
   * kind} "profile"). The version itself stays immutable; the replacement is audited (with the old
   * and new sizes and SHA-256) and announced as a change, so that servers pick it up.
   *
   * @throws InvalidInputException naming {@code kind} (lowercase letters, digits, '_' and '-',
   *     starting with a letter, at most 64), {@code content} (at most {@link #MAX_DOCUMENT_LENGTH}
   *     characters), {@code name}, {@code version} or {@code actor}
   * @throws ModelNotFoundException naming the model or version that does not exist
   */
  public void putDocument(String model, int version, String kind, String content, String actor) {
    String n = checkName(model);
    checkVersion(version);
    String k = checkDocumentKind(kind);
    if (content == null) {
      throw InvalidInputException.missing("content", "the document's text");
    }
    if (content.length() > MAX_DOCUMENT_LENGTH) {
      throw InvalidInputException.of(
          "content",
          content.length() + " characters",
          "at most " + MAX_DOCUMENT_LENGTH + " characters");
    }
    String who = checkActor(actor);
    write(
        "store document '" + k + "' of " + n + ":" + version,
        c -> {
          long change = nextChange(c);
          state(c, n, version);
          String current = readDocument(c, n, version, k);
          if (content.equals(current)) {
            return Change.none(null);
          }
          String sql =
              current == null
                  ? "INSERT INTO version_document (content, updated_by, updated_at, model_name,"
                      + " version, kind) VALUES (?, ?, ?, ?, ?, ?)"
                  : "UPDATE version_document SET content = ?, updated_by = ?, updated_at = ?"
                      + " WHERE model_name = ? AND version = ? AND kind = ?";
          java.time.Instant at = now();
          try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, content);
            s.setString(2, who);
            s.setObject(3, timestamp(at));
            s.setString(4, n);
            s.setInt(5, version);
            s.setString(6, k);
            s.executeUpdate();
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("kind", k);
          detail.put("sha256", sha256Hex(content));
          detail.put("characters", content.length());
          detail.put("previous_sha256", current == null ? null : sha256Hex(current));
          insertAudit(c, change, at, who, AuditEntry.DOCUMENT_PUT, n, version, null, detail);
          return Change.unannounced(null);
        });
  }

  /**
   * The document of a kind kept with a version, if one was stored.
   *
   * @throws ModelNotFoundException naming the model or version that does not exist
   */
  public java.util.Optional<String> document(String model, int version, String kind) {
    String n = checkName(model);
    checkVersion(version);
    String k = checkDocumentKind(kind);
    return query(
        "read document '" + k + "' of " + n + ":" + version,
        c -> {
          state(c, n, version);
          return java.util.Optional.ofNullable(readDocument(c, n, version, k));
        });
  }

  private static String checkDocumentKind(String kind) {
    if (kind == null || !DOCUMENT_KIND.matcher(kind).matches()) {
      throw InvalidInputException.of(
          "kind",
          kind,
          "a document kind: lowercase letters, digits, '_' and '-', starting with a letter, at"
              + " most 64");
    }
    return kind;
  }

  private static String readDocument(Connection c, String name, int version, String kind)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT content FROM version_document WHERE model_name = ? AND version = ?"
                + " AND kind = ?")) {
      s.setString(1, name);
      s.setInt(2, version);
      s.setString(3, kind);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static String sha256Hex(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Removes a tag from a version.
   *
   * @throws InvalidInputException naming {@code name}, {@code version}, {@code tag} or {@code
   *     actor}
   * @throws ModelNotFoundException naming the model, version or tag that does not exist
   */
  public void removeTag(String model, int version, String key, String actor) {
    String n = checkName(model);
    checkVersion(version);
    String k = checkTagKey(key);
    String who = checkActor(actor);
    write(
        "remove tag '" + k + "' from " + n + ":" + version,
        c -> {
          long change = nextChange(c);
          state(c, n, version);
          String current = tag(c, n, version, k);
          if (current == null) {
            throw new ModelNotFoundException(
                "tag '" + k + "' is not set on version " + version + " of model '" + n + "'");
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM version_tag WHERE model_name = ? AND version = ? AND tag_key = ?")) {
            s.setString(1, n);
            s.setInt(2, version);
            s.setString(3, k);
            s.executeUpdate();
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("key", k);
          detail.put("previous", current);
          insertAudit(c, change, now(), who, AuditEntry.TAG_REMOVE, n, version, null, detail);
          return Change.unannounced(null);
        });
  }

  // ================================================================ verification and gate

  /**
   * Records the verification of a version as done by Slipway's verifier. See {@link
   * #recordVerification(String, int, boolean, String, String)}.
   */
  public Verification recordVerification(
      String model, int version, boolean passed, String message) {
    return recordVerification(model, version, passed, message, VERIFIER);
  }

  /**
   * Records whether a version passed verification (loading, schema check, golden records): its
   * status goes from PENDING to VERIFIED or FAILED, once. A FAILED version cannot get an alias from
   * then on; aliases it already has are left alone.
   *
   * @param message what the verifier found, at most 10,000 characters, or {@code null}
   * @throws InvalidInputException naming {@code name}, {@code version}, {@code message} or {@code
   *     actor}
   * @throws ModelNotFoundException naming the model or version that does not exist
   * @throws ConflictException when the version's verification was already recorded
   */
  public Verification recordVerification(
      String model, int version, boolean passed, String message, String actor) {
    String n = checkName(model);
    checkVersion(version);
    String text = optional("message", message, MAX_TEXT_LENGTH);
    String who = checkActor(actor);
    Verification.Status status = passed ? Verification.Status.VERIFIED : Verification.Status.FAILED;
    return write(
        "record the verification of " + n + ":" + version,
        c -> {
          long change = nextChange(c);
          State state = state(c, n, version);
          if (state.verification() != Verification.Status.PENDING) {
            throw new ConflictException(
                "version "
                    + version
                    + " of model '"
                    + n
                    + "' was already verified ("
                    + state.verification()
                    + "); a verification result is recorded once per version");
          }
          Instant now = now();
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE model_version SET verification_status = ?, verification_message = ?,"
                      + " verified_at = ? WHERE model_name = ? AND version = ?")) {
            s.setString(1, status.name());
            s.setString(2, text);
            s.setObject(3, timestamp(now));
            s.setString(4, n);
            s.setInt(5, version);
            s.executeUpdate();
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("status", status.name());
          detail.put("message", text);
          insertAudit(c, change, now, who, AuditEntry.VERIFY, n, version, null, detail);
          Verification v = new Verification(status, text, now);
          return Change.of(v, new VerificationRecorded(n, version, v));
        });
  }

  /**
   * Records an evaluation-gate result as given by Slipway's gate. See {@link #recordGate(String,
   * int, String, Map, String, String)}.
   */
  public GateResult recordGate(
      String model, int version, String verdict, Map<String, Double> numbers, String details) {
    return recordGate(model, version, verdict, numbers, details, GATE);
  }

  /**
   * Records the result of the evaluation gate on a version, replacing an earlier one (a candidate
   * is gated again when the champion changes).
   *
   * @param verdict {@code BLESSED} or {@code NOT_BLESSED}
   * @param numbers the evaluated figures by name, finite; {@code null} means none
   * @param details free text, at most 1,000,000 characters, or {@code null}
   * @throws InvalidInputException naming {@code name}, {@code version}, {@code verdict}, {@code
   *     numbers}, {@code numbers.<name>}, {@code details} or {@code actor}
   * @throws ModelNotFoundException naming the model or version that does not exist
   */
  public GateResult recordGate(
      String model,
      int version,
      String verdict,
      Map<String, Double> numbers,
      String details,
      String actor) {
    String n = checkName(model);
    checkVersion(version);
    GateResult.Verdict v = checkVerdict(verdict);
    Map<String, Double> figures = checkNumbers("numbers", numbers == null ? Map.of() : numbers);
    String figuresJson = writeJson("numbers", figures);
    String text = optional("details", details, MAX_JSON_LENGTH);
    String who = checkActor(actor);
    return write(
        "record the gate result of " + n + ":" + version,
        c -> {
          long change = nextChange(c);
          state(c, n, version);
          Instant now = now();
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE model_version SET gate_verdict = ?, gate_numbers = ?, gate_details = ?,"
                      + " gated_at = ? WHERE model_name = ? AND version = ?")) {
            s.setString(1, v.name());
            s.setString(2, figuresJson);
            s.setString(3, text);
            s.setObject(4, timestamp(now));
            s.setString(5, n);
            s.setInt(6, version);
            s.executeUpdate();
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("verdict", v.name());
          detail.put("numbers", figures);
          insertAudit(c, change, now, who, AuditEntry.GATE, n, version, null, detail);
          GateResult gate = new GateResult(v, figures, text, now);
          return Change.of(gate, new GateRecorded(n, version, gate));
        });
  }

  // ================================================================ audited changes of other
  // modules

  /** What the action of an {@link #auditedChange} must look like: {@code area.what}. */
  public static final Pattern ACTION_PATTERN = Pattern.compile("[a-z][a-z_]*\\.[a-z_.]{1,50}");

  /**
   * Work another module does in the registry's database as part of an audited change (e.g. the
   * canary controller writing its rollout state), on the change's connection and transaction.
   */
  @FunctionalInterface
  public interface ChangeWork {
    void run(Connection connection, long changeId) throws SQLException;
  }

  /**
   * Writes an audit entry for a change another module makes to a model (such as a rollout
   * decision), running that module's own SQL in the same transaction: both commit or neither. Like
   * every change, it takes the next change number and is seen by {@link #changesSince}; it is not
   * announced to listeners.
   *
   * @param action e.g. {@code rollout.advance}; must not be one of the registry's own actions
   * @param detail the particulars (the numbers that drove a decision), written as JSON
   * @param work the module's SQL, or null
   * @return the audit entry's id
   * @throws InvalidInputException naming {@code action}, {@code name}, {@code actor} or {@code
   *     reason}
   * @throws ModelNotFoundException when the model does not exist
   */
  public long auditedChange(
      String model,
      Integer version,
      String action,
      Map<String, Object> detail,
      String actor,
      String reason,
      ChangeWork work) {
    String n = checkName(model);
    if (action == null
        || !ACTION_PATTERN.matcher(action).matches()
        || action.startsWith("version.")
        || action.startsWith("alias.")
        || action.startsWith("tag.")
        || action.startsWith("document.")) {
      throw InvalidInputException.of(
          "action", action, "an action such as 'rollout.advance' outside the registry's own");
    }
    String who = checkActor(actor);
    String why = optional("reason", reason, MAX_TEXT_LENGTH);
    Map<String, Object> d = detail == null ? Map.of() : detail;
    return write(
        action + " on model '" + n + "'",
        c -> {
          long change = nextChange(c);
          if (!modelExists(c, n)) {
            throw notFound(n);
          }
          if (work != null) {
            work.run(c, change);
          }
          insertAudit(c, change, now(), who, action, n, version, null, d, why, false);
          return Change.unannounced(change);
        });
  }

  // ================================================================ audit and events

  /**
   * Every change to a model, newest first.
   *
   * @throws ModelNotFoundException when no model has this name
   */
  public List<AuditEntry> audit(String model) {
    return audit(model, Integer.MAX_VALUE);
  }

  /**
   * The newest changes to a model, newest first.
   *
   * @param limit the most entries to return, 1 or more
   * @throws ModelNotFoundException when no model has this name
   */
  public List<AuditEntry> audit(String model, int limit) {
    String n = checkName(model);
    checkLimit(limit);
    return query(
        "read the audit log of model '" + n + "'",
        c -> {
          List<AuditEntry> entries;
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + AUDIT_COLUMNS
                      + " FROM registry_audit WHERE model_name = ? ORDER BY id DESC")) {
            s.setMaxRows(limit);
            s.setString(1, n);
            entries = readAudit(s);
          }
          if (entries.isEmpty() && !modelExists(c, n)) {
            throw notFound(n);
          }
          return entries;
        });
  }

  /**
   * The changes to any model after a given {@linkplain #changeSequence() sequence number}, oldest
   * first: what a process that polls the registry reads when the sequence has moved.
   *
   * @param after the last sequence number already seen (0 for everything)
   * @param limit the most entries to return, 1 or more
   */
  public List<AuditEntry> changesSince(long after, int limit) {
    checkLimit(limit);
    return query(
        "read the changes since " + after,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT " + AUDIT_COLUMNS + " FROM registry_audit WHERE id > ? ORDER BY id")) {
            s.setMaxRows(limit);
            s.setLong(1, after);
            return readAudit(s);
          }
        });
  }

  /**
   * The number of changes committed to the registry so far, by any process: the highest {@link
   * AuditEntry#id()}, 0 for an empty registry. It grows by one per change, in commit order, so a
   * process that polls it and sees a larger value can read exactly what changed with {@link
   * #changesSince}.
   */
  public long changeSequence() {
    return query(
        "read the change sequence",
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement("SELECT seq FROM registry_change WHERE id = 1");
              ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
              throw new SQLException("the registry_change row is missing");
            }
            return rs.getLong(1);
          }
        });
  }

  /** Adds a listener for the changes made through this registry. */
  public void addListener(RegistryListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added before; does nothing when it was not added. */
  public void removeListener(RegistryListener listener) {
    listeners.remove(listener);
  }

  /**
   * The metadata database, for other modules that keep their tables in it (their schema comes from
   * this class's migrations, e.g. the batch scheduler's {@code job_run}). The registry keeps
   * ownership: callers borrow connections and must not close the data source itself.
   */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Closes the data source (when it is closeable); idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeDataSource(null);
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  // ================================================================ plumbing

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  /** The result of a change, the event announcing it, and whether anything changed at all. */
  private record Change<T>(T value, RegistryEvent event, boolean changed) {
    static <T> Change<T> of(T value, RegistryEvent event) {
      return new Change<>(value, event, true);
    }

    /** A change that is committed but not announced (tags). */
    static <T> Change<T> unannounced(T value) {
      return new Change<>(value, null, true);
    }

    /** Nothing changed: rolled back, so that the claimed change number is given back. */
    static <T> Change<T> none(T value) {
      return new Change<>(value, null, false);
    }
  }

  private <T> T query(String what, SqlWork<T> work) {
    ensureOpen();
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
  }

  /**
   * Runs a change in a transaction, retrying when it loses a race, and announces it once committed.
   * Work that reports that nothing changed is rolled back, so that its claimed change number is
   * given back.
   */
  private <T> T write(String what, SqlWork<Change<T>> work) {
    for (int attempt = 1; ; attempt++) {
      Change<T> change;
      try {
        change = inTransaction(work);
      } catch (SQLException e) {
        if (!raceLost(e)) {
          throw unavailable(what, e);
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw new ConflictException(
              "could not "
                  + what
                  + " after "
                  + MAX_ATTEMPTS
                  + " attempts because of concurrent changes; try again");
        }
        backOff(attempt, what);
        continue;
      }
      if (change.event() != null) {
        publish(change.event());
      }
      return change.value();
    }
  }

  private <T> Change<T> inTransaction(SqlWork<Change<T>> work) throws SQLException {
    ensureOpen();
    // Auto-commit is not restored: a pool resets it when the connection returns, and restoring it
    // on a broken connection would hide the original failure.
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Change<T> result = work.run(c);
        if (result.changed()) {
          c.commit();
        } else {
          c.rollback();
        }
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

  private void publish(RegistryEvent event) {
    for (RegistryListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("registry listener {} failed on {}; the change stands", listener, event, e);
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
  private static void backOff(int attempt, String what) {
    if (attempt == 1) {
      return;
    }
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + Math.min(attempt, 20)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelUnavailableException("interrupted while trying to " + what, e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new ModelUnavailableException("the model registry is closed");
    }
  }

  private static ModelUnavailableException unavailable(String what, SQLException e) {
    return new ModelUnavailableException(
        "the registry's metadata database failed to " + what + "; try again later", e);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
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
