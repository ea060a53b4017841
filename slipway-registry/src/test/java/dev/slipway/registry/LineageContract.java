package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.ConflictException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lineage recorded on registration, and registrations that ask for a version number. */
abstract class LineageContract extends RegistryFeature {
  static final String DATA_SHA256 =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  private Registration.Builder builder(String name) {
    return Registration.builder(name, file("bytes of " + name)).createdBy("trainer");
  }

  @Test
  void lineageIsStoredWithTheVersionAndReadBack() {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("seed", "42");
    parameters.put("learning_rate", "0.05");
    parameters.put("git", "3f2a9c1");

    ModelVersion v =
        registry()
            .register(
                builder("ctr")
                    .trainingData("s3://data/clicks/2026-02-28.parquet", DATA_SHA256)
                    .parameters(parameters)
                    .build());

    assertThat(v.lineage().trainingDataRef()).isEqualTo("s3://data/clicks/2026-02-28.parquet");
    assertThat(v.lineage().trainingDataSha256()).isEqualTo(DATA_SHA256);
    assertThat(v.lineage().parameters())
        .isEqualTo(parameters)
        .containsOnlyKeys("git", "learning_rate", "seed");
    assertThat(v.lineage().parameters().keySet()).containsExactly("git", "learning_rate", "seed");
    assertThat(registry().latest("ctr")).isEqualTo(v);
    assertThat(open().version("ctr", 1)).contains(v);
  }

  @Test
  void aRegistrationWithoutLineageHasNone() {
    ModelVersion v =
        registry().register(new Registration("m", file("x"), "onnx", null, null, null, "someone"));

    assertThat(v.lineage()).isEqualTo(Lineage.NONE);
    assertThat(registry().latest("m").lineage()).isEqualTo(Lineage.NONE);
  }

  @Test
  void partsOfTheLineageMayBeLeftOut() {
    ModelVersion v = registry().register(builder("m").parameters(Map.of("epochs", "10")).build());

    assertThat(v.lineage()).isEqualTo(new Lineage(null, null, Map.of("epochs", "10")));
    assertThat(registry().latest("m")).isEqualTo(v);
  }

  @Test
  void theBuilderDefaultsToOnnx() {
    assertThat(registry().register(builder("m").build()).format()).isEqualTo("onnx");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "abc",
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
      })
  void aTrainingDataHashThatIsNot64LowercaseHexIsRejected(String sha) {
    assertInvalid(
        "trainingDataSha256",
        () -> registry().register(builder("m").trainingData("ref", sha).build()));
    assertThat(registry().models()).isEmpty();
  }

  @Test
  void aBlankOrOverlongTrainingDataReferenceIsRejected() {
    assertInvalid(
        "trainingDataRef", () -> registry().register(builder("m").trainingData(" ", null).build()));
    assertInvalid(
        "trainingDataRef",
        () -> registry().register(builder("m").trainingData("x".repeat(2049), null).build()));
    assertThat(registry().models()).isEmpty();
  }

  @Test
  void invalidParametersAreRejectedNamingThem() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("seed", null);
    Map<String, String> blankKey = Map.of(" ", "1");

    assertInvalid(
        "parameters.seed", () -> registry().register(builder("m").parameters(nullValue).build()));
    assertInvalid(
        "parameters", () -> registry().register(builder("m").parameters(blankKey).build()));
    assertInvalid(
        "parameters.x",
        () ->
            registry().register(builder("m").parameters(Map.of("x", "v".repeat(10_001))).build()));
    assertThat(registry().models()).isEmpty();
  }

  // ------------------------------------------------------------------ explicit versions

  @Test
  void aRegistrationMayAskForAVersionNumber() {
    ModelVersion v = registry().register(builder("m").version(5).build());

    assertThat(v.version()).isEqualTo(5);
    assertThat(registry().latest("m")).isEqualTo(v);
    assertThat(register("m", "next").version()).isEqualTo(6);
  }

  @Test
  void aVersionNumberBelowTheHighestMayFillAGap() {
    registry().register(builder("m").version(5).build());

    ModelVersion three = registry().register(builder("m").version(3).build());

    assertThat(three.version()).isEqualTo(3);
    assertThat(registry().versions("m")).extracting(ModelVersion::version).containsExactly(3, 5);
    assertThat(registry().latest("m").version()).isEqualTo(5);
  }

  @Test
  void askingForAVersionThatExistsIsAConflictAndChangesNothing() {
    register("m", "1");
    register("m", "2");
    List<ModelVersion> versions = registry().versions("m");
    Snapshot before = snapshot("m");

    assertConflict(
        "version 2 of model 'm' already exists",
        () -> registry().register(builder("m").version(2).build()));

    assertThat(registry().versions("m")).isEqualTo(versions);
    assertUnchanged("m", before);
  }

  @Test
  void aVersionNumberBelowOneIsRejected() {
    assertInvalid("version", () -> registry().register(builder("m").version(0).build()));
    assertInvalid("version", () -> registry().register(builder("m").version(-3).build()));
    assertThat(registry().models()).isEmpty();
  }

  @Test
  void ofConcurrentRegistrationsOfTheSameVersionExactlyOneWinsAndTheOthersConflict()
      throws Exception {
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int version = 1; version <= 4; version++) {
        int wanted = version;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ModelVersion>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          Registration r =
              Registration.builder("race", file("round " + wanted + " thread " + t))
                  .createdBy("thread " + t)
                  .version(wanted)
                  .build();
          Callable<ModelVersion> task =
              () -> {
                start.await();
                return registry().register(r);
              };
          futures.add(pool.submit(task));
        }
        start.countDown();
        List<ModelVersion> winners = new ArrayList<>();
        int conflicts = 0;
        for (Future<ModelVersion> f : futures) {
          try {
            winners.add(f.get());
          } catch (ExecutionException e) {
            assertThat(e.getCause())
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("version " + wanted + " of model 'race' already exists");
            conflicts++;
          }
        }
        assertThat(winners).hasSize(1);
        assertThat(conflicts).isEqualTo(threads - 1);
        assertThat(registry().version("race", wanted)).contains(winners.get(0));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(registry().versions("race")).hasSize(4);
    assertThat(registry().audit("race")).hasSize(4);
  }
}
