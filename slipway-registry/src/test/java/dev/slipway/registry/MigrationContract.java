package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.registry.ModelRegistryContract.Unmigrated;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Upgrading a database written by the first schema version keeps its models and versions. */
abstract class MigrationContract extends RegistryFeature {
  static final String SHA = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  @Unmigrated
  void versionsRegisteredUnderSchemaVersion1AreKeptAndAudited() throws Exception {
    DataSource v1 = kit().newDataSource();
    try {
      Flyway.configure(ModelRegistry.class.getClassLoader())
          .dataSource(v1)
          .locations("classpath:db/migration/registry")
          .table("registry_schema_history")
          .target("1")
          .load()
          .migrate();
      try (Connection c = v1.getConnection()) {
        insertV1(c, "old", 1, ModelRegistryContract.T0);
        insertV1(c, "old", 2, ModelRegistryContract.T0.plusSeconds(60));
      }
    } finally {
      ((AutoCloseable) v1).close();
    }

    ModelRegistry registry = open();

    ModelVersion two = registry.latest("old");
    assertThat(two.version()).isEqualTo(2);
    assertThat(two.metrics()).containsEntry("auc", 0.75);
    assertThat(two.lineage()).isEqualTo(Lineage.NONE);
    assertThat(two.tags()).isEmpty();
    assertThat(two.verification()).isEqualTo(Verification.PENDING);
    assertThat(two.gate()).isNull();
    assertThat(registry.changeSequence()).isEqualTo(2);
    assertThat(registry.audit("old"))
        .extracting(AuditEntry::id, AuditEntry::action, AuditEntry::version, AuditEntry::detail)
        .containsExactly(
            org.assertj.core.api.Assertions.tuple(
                2L, AuditEntry.REGISTER, 2, "{\"migrated\":true}"),
            org.assertj.core.api.Assertions.tuple(
                1L, AuditEntry.REGISTER, 1, "{\"migrated\":true}"));
    assertThat(registry.audit("old").get(0).at()).isEqualTo(two.createdAt());

    registry.setAlias("old", "staging", 1, "ops", "after upgrade", false);
    assertThat(registry.resolve("old@staging").version()).isEqualTo(1);
    assertThat(registry.changeSequence()).isEqualTo(3);
    assertThat(registry.register(kit().registration("old", "3")).version()).isEqualTo(3);
  }

  private static void insertV1(Connection c, String name, int version, java.time.Instant at)
      throws SQLException {
    if (version == 1) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO registered_model (name, description, created_at) VALUES (?, ?, ?)")) {
        s.setString(1, name);
        s.setString(2, "from V1");
        s.setObject(3, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
        s.executeUpdate();
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO model_version (model_name, version, format, sha256, size_bytes, manifest,"
                + " metrics, description, created_by, created_at)"
                + " VALUES (?, ?, 'onnx', ?, 3, NULL, '{\"auc\":0.75}', NULL, 'v1-user', ?)")) {
      s.setString(1, name);
      s.setInt(2, version);
      s.setString(3, SHA);
      s.setObject(4, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
      s.executeUpdate();
    }
  }

  @Test
  @Unmigrated
  void aCurrentSchemaIsRecognisedAndAnOlderOneIsNot() throws Exception {
    DataSource v1 = kit().newDataSource();
    try {
      assertThat(ModelRegistry.schemaIsCurrent(v1)).as("no history yet").isFalse();
      Flyway.configure(ModelRegistry.class.getClassLoader())
          .dataSource(v1)
          .locations("classpath:" + ModelRegistry.MIGRATIONS)
          .table("registry_schema_history")
          .target("1")
          .load()
          .migrate();
      assertThat(ModelRegistry.schemaIsCurrent(v1)).as("only V1 applied").isFalse();
    } finally {
      ((AutoCloseable) v1).close();
    }
    ModelRegistry registry = open(); // migrates the rest
    assertThat(ModelRegistry.schemaIsCurrent(registry.dataSource())).isTrue();
  }

  @Test
  void theSchemaVersionCheckedAtOpenIsTheLastMigration() throws Exception {
    java.net.URL dir = ModelRegistry.class.getClassLoader().getResource(ModelRegistry.MIGRATIONS);
    assertThat(dir).isNotNull();
    int last = 0;
    try (java.util.stream.Stream<java.nio.file.Path> files =
        java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("V(\\d+)__.*\\.sql")
                .matcher(f.getFileName().toString());
        if (m.matches()) {
          last = Math.max(last, Integer.parseInt(m.group(1)));
        }
      }
    }
    assertThat(ModelRegistry.SCHEMA_VERSION).isEqualTo(last);
  }
}
