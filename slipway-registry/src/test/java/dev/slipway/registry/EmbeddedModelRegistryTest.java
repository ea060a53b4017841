package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedModelRegistryTest {
  @TempDir Path dir;

  private Registration registration(String name, String content) throws Exception {
    Path file = Files.writeString(dir.resolve(name + "-" + content + ".onnx"), content);
    return new Registration(name, file, "onnx", "{}", Map.of("auc", 0.8), "demo", "tester");
  }

  @Test
  void createsTheDatabaseAndArtifactDirectoriesUnderTheHome() throws Exception {
    Path home = dir.resolve("slipway-home");

    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      ModelVersion v = registry.register(registration("m", "abc"));

      assertThat(home.resolve("metadata/slipway.mv.db")).isRegularFile();
      assertThat(registry.artifactPath(v))
          .startsWith(home.toAbsolutePath().resolve("artifacts"))
          .hasContent("abc");
    }
  }

  @Test
  void reopeningTheSameHomeKeepsEverything() throws Exception {
    Path home = dir.resolve("home");
    ModelVersion first;
    ModelVersion second;
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      first = registry.register(registration("fraud", "one"));
      second = registry.register(registration("fraud", "two"));
    }

    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      assertThat(registry.versions("fraud")).containsExactly(first, second);
      assertThat(registry.models()).extracting(RegisteredModel::latestVersion).containsExactly(2);
      assertThat(registry.artifactPath(second)).hasContent("two");
      assertThat(registry.register(registration("fraud", "three")).version()).isEqualTo(3);
    }
  }
}
