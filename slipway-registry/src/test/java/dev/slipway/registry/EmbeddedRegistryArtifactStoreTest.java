package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.ModelNotFoundException;
import dev.slipway.registry.artifact.ArtifactStore;
import dev.slipway.registry.artifact.LocalArtifactStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded metadata database with model files kept in a store of the caller's choice. */
class EmbeddedRegistryArtifactStoreTest {
  @TempDir Path dir;

  @Test
  void modelFilesGoToTheGivenStoreAndNotUnderTheHome() throws Exception {
    Path home = dir.resolve("home");
    ArtifactStore elsewhere = new LocalArtifactStore(dir.resolve("elsewhere"));
    Path file = Files.writeString(dir.resolve("m.onnx"), "model bytes");

    try (ModelRegistry registry = ModelRegistry.embedded(home, elsewhere)) {
      ModelVersion v =
          registry.register(new Registration("m", file, "onnx", "{}", Map.of(), null, "tester"));

      assertThat(elsewhere.contains(v.sha256())).isTrue();
      assertThat(registry.artifactPath(v)).isEqualTo(elsewhere.path(v.sha256()));
      assertThat(home.resolve("artifacts")).doesNotExist();
      assertThat(home.resolve("metadata/slipway.mv.db")).isRegularFile();
    }
  }

  @Test
  void withoutAStoreTheHomeKeepsTheFiles() throws Exception {
    Path home = dir.resolve("home");
    Path file = Files.writeString(dir.resolve("m.onnx"), "model bytes");

    try (ModelRegistry registry = ModelRegistry.embedded(home, null)) {
      ModelVersion v =
          registry.register(new Registration("m", file, "onnx", "{}", Map.of(), null, "tester"));

      assertThat(registry.artifactPath(v)).startsWith(home.toAbsolutePath().resolve("artifacts"));
    }
  }

  @Test
  void bytesKeptBesideAVersionAreStoredByContentAndReadBackByTheirSha256() throws Exception {
    ArtifactStore elsewhere = new LocalArtifactStore(dir.resolve("elsewhere"));
    try (ModelRegistry registry = ModelRegistry.embedded(dir.resolve("home"), elsewhere)) {
      String sha = registry.storeArtifact("filter bytes".getBytes(StandardCharsets.UTF_8));

      assertThat(sha).hasSize(64);
      assertThat(registry.storeArtifact("filter bytes".getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(sha);
      assertThat(Files.readString(registry.artifactPath(sha))).isEqualTo("filter bytes");
      assertThatThrownBy(() -> registry.artifactPath("0".repeat(64)))
          .isInstanceOf(ModelNotFoundException.class);
    }
  }
}
