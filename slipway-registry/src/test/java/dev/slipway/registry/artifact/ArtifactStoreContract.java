package dev.slipway.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link ArtifactStore} shares. An implementation's test extends this class and
 * supplies an empty store.
 */
public abstract class ArtifactStoreContract {
  /** SHA-256 of no bytes at all, from FIPS 180-2 test vectors. */
  static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /** SHA-256 of "abc", from FIPS 180-2 appendix B.1. */
  static final String ABC_SHA256 =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @TempDir Path scratch;
  protected ArtifactStore store;

  /** A new, empty store. */
  protected abstract ArtifactStore newStore();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @Test
  void idIsTheLowercaseSha256OfTheContent() {
    assertThat(store.put("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ABC_SHA256);
    assertThat(store.put(new byte[0])).isEqualTo(EMPTY_SHA256);
  }

  @Test
  void storedContentCanBeReadBackFromItsPath() throws Exception {
    byte[] content = bytes(100_000, 7);
    String id = store.put(content);

    assertThat(store.contains(id)).isTrue();
    assertThat(store.size(id)).isEqualTo(content.length);
    assertThat(Files.readAllBytes(store.path(id))).isEqualTo(content);
  }

  @Test
  void puttingAFileStoresACopyUnderItsContentHash() throws Exception {
    byte[] content = bytes(300_000, 3);
    Path file = Files.write(scratch.resolve("model.onnx"), content);

    String id = store.put(file);

    assertThat(id).isEqualTo(sha256(content));
    assertThat(store.path(id)).isNotEqualTo(file);
    assertThat(Files.readAllBytes(store.path(id))).isEqualTo(content);
    assertThat(file).exists();
  }

  @Test
  void puttingTheSameContentTwiceGivesTheSameIdWithoutError() throws Exception {
    byte[] content = bytes(1000, 1);
    Path file = Files.write(scratch.resolve("a.bin"), content);

    String first = store.put(content);
    String second = store.put(file);
    String third = store.put(content.clone());

    assertThat(second).isEqualTo(first);
    assertThat(third).isEqualTo(first);
    assertThat(Files.readAllBytes(store.path(first))).isEqualTo(content);
  }

  @Test
  void differentContentGetsDifferentIds() {
    assertThat(store.put(bytes(10, 1))).isNotEqualTo(store.put(bytes(10, 2)));
  }

  @Test
  void anIdNeverStoredIsNotFound() {
    String absent = sha256("never stored".getBytes(StandardCharsets.UTF_8));

    assertThat(store.contains(absent)).isFalse();
    assertThatThrownBy(() -> store.path(absent))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining(absent);
    assertThatThrownBy(() -> store.size(absent)).isInstanceOf(ModelNotFoundException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "abc",
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015add",
        "../../../../../../../../../../../../../../../../../../../etc/pass",
        "ba/816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
      })
  void idsThatAreNot64LowercaseHexCharactersAreRejected(String bad) {
    for (var call :
        List.<Runnable>of(
            () -> store.path(bad), () -> store.contains(bad), () -> store.size(bad))) {
      assertThatThrownBy(call::run)
          .isInstanceOfSatisfying(
              InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("sha256"));
    }
  }

  @Test
  void aNullIdIsRejectedAsMissing() {
    assertThatThrownBy(() -> store.path(null))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("sha256"));
  }

  @Test
  void aFileThatDoesNotExistIsRejectedNamingTheArtifact() {
    assertThatThrownBy(() -> store.put(scratch.resolve("missing.onnx")))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("artifact"));
    assertThatThrownBy(() -> store.put(scratch))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("artifact"));
  }

  @Test
  void concurrentPutsOfTheSameAndOfDifferentContentAllSucceed() throws Exception {
    int threads = 8;
    byte[] shared = bytes(200_000, 42);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte[] own = bytes(50_000, 100 + t);
        Callable<List<String>> task =
            () -> {
              start.await();
              List<String> ids = new ArrayList<>();
              for (int i = 0; i < 20; i++) {
                ids.add(store.put(shared));
                ids.add(store.put(own));
              }
              return ids;
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      String sharedId = sha256(shared);
      for (int t = 0; t < threads; t++) {
        List<String> ids = results.get(t).get();
        String ownId = sha256(bytes(50_000, 100 + t));
        for (int i = 0; i < ids.size(); i += 2) {
          assertThat(ids.get(i)).isEqualTo(sharedId);
          assertThat(ids.get(i + 1)).isEqualTo(ownId);
        }
        assertThat(Files.readAllBytes(store.path(ownId))).isEqualTo(bytes(50_000, 100 + t));
      }
      assertThat(Files.readAllBytes(store.path(sharedId))).isEqualTo(shared);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Deterministic pseudo-random bytes. */
  protected static byte[] bytes(int length, long seed) {
    byte[] b = new byte[length];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  protected static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
