package dev.slipway.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest extends ArtifactStoreContract {
  @TempDir Path root;

  @Override
  protected ArtifactStore newStore() {
    return new LocalArtifactStore(root);
  }

  @Test
  void contentLivesUnderTheFirstTwoHexCharactersOfItsHash() {
    String id = store.put("abc".getBytes(StandardCharsets.US_ASCII));

    assertThat(store.path(id))
        .isEqualTo(root.toAbsolutePath().resolve("sha256").resolve("ba").resolve(ABC_SHA256));
  }

  @Test
  void noTemporaryFilesAreLeftBehind() throws IOException {
    store.put(bytes(10, 1));
    store.put(bytes(10, 1));
    store.put(bytes(10, 2));

    try (Stream<Path> files = Files.walk(root)) {
      List<Path> regular = files.filter(Files::isRegularFile).toList();
      assertThat(regular)
          .hasSize(2)
          .allSatisfy(p -> assertThat(p.getFileName().toString()).matches("[0-9a-f]{64}"));
    }
  }

  @Test
  void aNewStoreOnTheSameDirectorySeesWhatWasStored() {
    String id = store.put(bytes(10, 9));

    ArtifactStore reopened = new LocalArtifactStore(root);

    assertThat(reopened.contains(id)).isTrue();
    assertThat(reopened.size(id)).isEqualTo(10);
  }

  @Test
  void createsItsRootDirectory() {
    Path nested = root.resolve("a/b/c");

    new LocalArtifactStore(nested);

    assertThat(nested.resolve("sha256")).isDirectory();
  }
}
