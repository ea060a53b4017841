package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.registry.artifact.ArtifactStore;
import dev.slipway.registry.artifact.LocalArtifactStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour of {@link ModelRegistry} on any metadata database. A database's test extends this
 * class and implements {@link #newDataSource()} in a few lines.
 *
 * <p>The tests of registering and reading versions are here; each later feature has its own
 * contract class (aliases, tags, lineage, verification and gate, audit, references, events,
 * migration), run against the same database through the {@code @Nested} classes at the end.
 */
public abstract class ModelRegistryContract {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00.123456Z");

  @TempDir Path work;
  private final AtomicInteger files = new AtomicInteger();
  private final List<ModelRegistry> opened = Collections.synchronizedList(new ArrayList<>());
  protected ModelRegistry registry;

  /**
   * A new data source (the registry takes ownership and closes it) onto the database under test.
   * Within one test every call must reach the same database, which is empty when the test starts.
   */
  protected abstract DataSource newDataSource();

  /** Marks a test that starts from an empty, unmigrated database: no registry is opened for it. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Unmigrated {}

  @BeforeEach
  void openRegistry(TestInfo test) {
    if (test.getTestMethod().map(m -> !m.isAnnotationPresent(Unmigrated.class)).orElse(true)) {
      registry = open();
    }
  }

  @AfterEach
  void closeRegistries() {
    opened.forEach(ModelRegistry::close);
    afterRegistriesClosed();
  }

  /** Called after each test once its registries are closed, e.g. to drop the test's database. */
  protected void afterRegistriesClosed() {}

  /** Opens another registry on the same database and artifact directory. */
  protected ModelRegistry open() {
    ArtifactStore artifacts = new LocalArtifactStore(work.resolve("artifacts"));
    ModelRegistry r =
        new ModelRegistry(newDataSource(), artifacts, new SteppingClock(T0, Duration.ofSeconds(1)));
    opened.add(r);
    return r;
  }

  // ------------------------------------------------------------------ registering and reading

  @Test
  void registeringANewModelCreatesItsVersionOne() throws Exception {
    byte[] content = "model bytes".getBytes(StandardCharsets.UTF_8);

    ModelVersion v =
        registry.register(
            new Registration(
                "fraud",
                file(content),
                "onnx",
                "{\"inputs\":[{\"name\":\"amount\",\"type\":\"FP64\"}]}",
                Map.of("auc", 0.91, "accuracy", 0.88),
                "first try",
                "alice"));

    assertThat(v.name()).isEqualTo("fraud");
    assertThat(v.version()).isEqualTo(1);
    assertThat(v.format()).isEqualTo("onnx");
    assertThat(v.sizeBytes()).isEqualTo(content.length);
    assertThat(v.sha256()).matches("[0-9a-f]{64}");
    assertThat(v.manifest()).isEqualTo("{\"inputs\":[{\"name\":\"amount\",\"type\":\"FP64\"}]}");
    assertThat(v.metrics()).containsExactly(Map.entry("accuracy", 0.88), Map.entry("auc", 0.91));
    assertThat(v.description()).isEqualTo("first try");
    assertThat(v.createdBy()).isEqualTo("alice");
    assertThat(v.createdAt()).isEqualTo(T0);
    assertThat(Files.readAllBytes(registry.artifactPath(v))).isEqualTo(content);
  }

  @Test
  void aStoredVersionReadsBackEqualToWhatRegisterReturned() {
    ModelVersion v =
        registry.register(
            new Registration(
                "churn",
                file("x"),
                "onnx",
                "[1, 2]",
                Map.of("f1", 0.5, "loss", -1.25e-3),
                null,
                "ci"));

    assertThat(registry.version("churn", 1)).contains(v);
    assertThat(registry.latest("churn")).isEqualTo(v);
    assertThat(registry.versions("churn")).containsExactly(v);
  }

  @Test
  void optionalFieldsMayBeAbsent() {
    ModelVersion v =
        registry.register(new Registration("m", file("x"), "onnx", null, null, null, "bob"));

    assertThat(v.manifest()).isNull();
    assertThat(v.description()).isNull();
    assertThat(v.metrics()).isEmpty();
    assertThat(registry.latest("m")).isEqualTo(v);
  }

  @Test
  void eachRegistrationOfAModelGetsTheNextVersionNumber() {
    for (int i = 1; i <= 5; i++) {
      assertThat(register("ranker", "content " + i).version()).isEqualTo(i);
    }
  }

  @Test
  void versionNumbersAreCountedPerModel() {
    register("a", "1");
    register("a", "2");
    register("b", "3");

    assertThat(register("b", "4").version()).isEqualTo(2);
    assertThat(register("a", "5").version()).isEqualTo(3);
  }

  @Test
  void modelsAreListedByNameWithTheirLatestVersion() {
    register("zeta", "1");
    register("Alpha", "2");
    register("beta", "3");
    register("beta", "4");
    register("alpha", "5");

    assertThat(registry.models())
        .extracting(RegisteredModel::name, RegisteredModel::latestVersion)
        .containsExactly(tuple("Alpha", 1), tuple("alpha", 1), tuple("beta", 2), tuple("zeta", 1));
  }

  @Test
  void aModelKeepsTheDescriptionAndTimeOfItsFirstRegistration() {
    registry.register(new Registration("m", file("1"), "onnx", null, null, "the first", "a"));
    registry.register(new Registration("m", file("2"), "onnx", null, null, "the second", "a"));

    assertThat(registry.models()).containsExactly(new RegisteredModel("m", "the first", T0, 2));
  }

  @Test
  void noModelsAreListedInAnEmptyRegistry() {
    assertThat(registry.models()).isEmpty();
  }

  @Test
  void versionsAreListedOldestFirst() {
    for (int i = 0; i < 12; i++) {
      register("m", "content " + i);
    }

    assertThat(registry.versions("m"))
        .extracting(ModelVersion::version)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 12).boxed().toList());
    assertThat(registry.versions("m"))
        .extracting(ModelVersion::createdAt)
        .isSorted()
        .doesNotHaveDuplicates();
  }

  @Test
  void latestIsTheHighestVersion() {
    register("m", "1");
    register("m", "2");
    ModelVersion third = register("m", "3");
    register("other", "4");

    assertThat(registry.latest("m")).isEqualTo(third);
  }

  @Test
  void aVersionThatDoesNotExistIsEmpty() {
    register("m", "1");

    assertThat(registry.version("m", 2)).isEmpty();
    assertThat(registry.version("unknown", 1)).isEmpty();
  }

  @Test
  void versionNumbersBelowOneAreRejected() {
    assertThatThrownBy(() -> registry.version("m", 0))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("version"));
  }

  @Test
  void theSameContentRegisteredTwiceSharesOneArtifact() {
    ModelVersion a = register("a", "same bytes");
    ModelVersion b = register("b", "same bytes");

    assertThat(b.sha256()).isEqualTo(a.sha256());
    assertThat(registry.artifactPath(b)).isEqualTo(registry.artifactPath(a));
  }

  // ------------------------------------------------------------------ persistence

  @Test
  void everythingSurvivesClosingAndReopening() {
    ModelVersion a1 = register("a", "1");
    ModelVersion a2 =
        registry.register(
            new Registration("a", file("2"), "onnx", "{}", Map.of("auc", 0.7), "d", "carol"));
    ModelVersion b1 = register("b", "3");
    List<RegisteredModel> models = registry.models();
    registry.close();

    ModelRegistry reopened = open();

    assertThat(reopened.models()).isEqualTo(models);
    assertThat(reopened.versions("a")).containsExactly(a1, a2);
    assertThat(reopened.latest("b")).isEqualTo(b1);
    assertThat(reopened.artifactPath(a2)).hasContent("2");
    assertThat(reopened.register(registration("a", "4")).version()).isEqualTo(3);
  }

  @Test
  void openingAnAlreadyMigratedDatabaseAgainIsHarmless() {
    register("m", "1");

    ModelRegistry second = open();

    assertThat(second.latest("m").version()).isEqualTo(1);
    assertThat(registry.latest("m").version()).isEqualTo(1);
  }

  @Test
  void aClosedRegistryRefusesCalls() {
    registry.close();
    registry.close();

    assertThatThrownBy(() -> registry.models()).isInstanceOf(ModelUnavailableException.class);
  }

  // ------------------------------------------------------------------ unknown models

  @Test
  void versionsOfAnUnknownModelAreNotFoundNamingTheModel() {
    assertThatThrownBy(() -> registry.versions("nope"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("'nope'");
  }

  @Test
  void theLatestVersionOfAnUnknownModelIsNotFoundNamingTheModel() {
    register("other", "1");

    assertThatThrownBy(() -> registry.latest("nope"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("'nope'");
  }

  // ------------------------------------------------------------------ validation

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "-starts-with-dash",
        ".hidden",
        "_under",
        "has space",
        "../escape",
        "a/b",
        "a\\b",
        "naïve",
        "semi;colon"
      })
  void invalidNamesAreRejectedNamingTheField(String name) {
    assertInvalid("name", () -> registry.register(registration(name)));
    assertInvalid("name", () -> registry.versions(name));
    assertInvalid("name", () -> registry.latest(name));
    assertThat(registry.models()).isEmpty();
  }

  @Test
  void aMissingNameIsRejectedNamingTheField() {
    assertInvalid("name", () -> registry.register(registration(null)));
  }

  @Test
  void namesLongerThan128CharactersAreRejected() {
    assertInvalid("name", () -> registry.register(registration("m" + "x".repeat(128))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "9", "Fraud-Model_v2.onnx", "ends-with-dash-", "a..b"})
  void namesOfLettersDigitsDotsDashesAndUnderscoresAreAccepted(String name) {
    assertThat(registry.register(registration(name)).name()).isEqualTo(name);
  }

  @Test
  void namesOf128CharactersAreAccepted() {
    String name = "m" + "x".repeat(127);

    assertThat(registry.register(registration(name)).name()).isEqualTo(name);
    assertThat(registry.latest(name).version()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "\t"})
  void aBlankFormatIsRejected(String format) {
    assertInvalid("format", () -> registry.register(with(r -> copy(r, "format", format))));
    assertInvalid("format", () -> registry.register(with(r -> copy(r, "format", null))));
  }

  @Test
  void aMissingCreatorIsRejected() {
    assertInvalid("createdBy", () -> registry.register(with(r -> copy(r, "createdBy", " "))));
  }

  @Test
  void aMissingOrUnreadableArtifactIsRejected() {
    assertInvalid("artifact", () -> registry.register(with(r -> copy(r, "artifact", null))));
    assertInvalid(
        "artifact",
        () -> registry.register(with(r -> copy(r, "artifact", work.resolve("missing.onnx")))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "{\"a\":}", "not json", "{} {}"})
  void aManifestThatIsNotJsonIsRejected(String manifest) {
    assertInvalid("manifest", () -> registry.register(with(r -> copy(r, "manifest", manifest))));
  }

  @Test
  void nonFiniteMetricsAreRejectedNamingTheMetric() {
    Map<String, Double> metrics = new HashMap<>();
    metrics.put("auc", Double.NaN);
    assertInvalid("metrics.auc", () -> registry.register(with(r -> copy(r, "metrics", metrics))));
    metrics.put("auc", null);
    assertInvalid("metrics.auc", () -> registry.register(with(r -> copy(r, "metrics", metrics))));
    assertInvalid(
        "metrics", () -> registry.register(with(r -> copy(r, "metrics", Map.of(" ", 1.0)))));
  }

  @Test
  void aRejectedRegistrationStoresNothing() {
    assertInvalid("format", () -> registry.register(with(r -> copy(r, "format", ""))));

    assertThat(registry.models()).isEmpty();
  }

  // ------------------------------------------------------------------ concurrency

  @Test
  void concurrentRegistrationsAssignEveryVersionExactlyOnce() throws Exception {
    int threads = 8;
    int perThread = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<ModelVersion>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<List<ModelVersion>> task =
            () -> {
              start.await();
              List<ModelVersion> mine = new ArrayList<>();
              for (int i = 0; i < perThread; i++) {
                // Two models, so that the creation of each model row is raced too.
                String name = i % 2 == 0 ? "busy" : "also-busy";
                mine.add(register(name, "thread " + thread + " item " + i));
              }
              return mine;
            };
        futures.add(pool.submit(task));
      }
      start.countDown();
      List<ModelVersion> all = new ArrayList<>();
      for (Future<List<ModelVersion>> f : futures) {
        all.addAll(f.get());
      }

      int busy = threads * ((perThread + 1) / 2);
      int alsoBusy = threads * (perThread / 2);
      assertThat(all.stream().filter(v -> v.name().equals("busy")).map(ModelVersion::version))
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, busy).boxed().toList());
      assertThat(all.stream().filter(v -> v.name().equals("also-busy")).map(ModelVersion::version))
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, alsoBusy).boxed().toList());
      assertThat(registry.versions("busy")).hasSize(busy);
      assertThat(registry.latest("also-busy").version()).isEqualTo(alsoBusy);
      assertThat(registry.models()).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ the features' contracts

  @Nested
  class Aliases extends AliasContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class Tags extends TagContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class LineageAndExplicitVersions extends LineageContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class VerificationAndGate extends VerificationGateContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class Audit extends AuditContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class References extends ResolveContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class Events extends EventContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class Documents extends DocumentContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  @Nested
  class Migration extends MigrationContract {
    @Override
    ModelRegistryContract kit() {
      return ModelRegistryContract.this;
    }
  }

  // ------------------------------------------------------------------ helpers

  ModelVersion register(String name, String content) {
    return registry.register(registration(name, content));
  }

  private Registration registration(String name) {
    return registration(name, "bytes of " + name);
  }

  Registration registration(String name, String content) {
    return new Registration(name, file(content), "onnx", null, Map.of(), null, "tester");
  }

  private Registration with(UnaryOperator<Registration> change) {
    return change.apply(registration("valid"));
  }

  private static Registration copy(Registration r, String field, Object value) {
    return new Registration(
        r.name(),
        field.equals("artifact") ? (Path) value : r.artifact(),
        field.equals("format") ? (String) value : r.format(),
        field.equals("manifest") ? (String) value : r.manifest(),
        field.equals("metrics") ? cast(value) : r.metrics(),
        r.description(),
        field.equals("createdBy") ? (String) value : r.createdBy());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Double> cast(Object value) {
    return (Map<String, Double>) value;
  }

  /** Writes an artifact file with the given content. */
  protected Path file(String content) {
    return file(content.getBytes(StandardCharsets.UTF_8));
  }

  protected Path file(byte[] content) {
    try {
      Path dir = Files.createDirectories(work.resolve("uploads"));
      return Files.write(dir.resolve("model-" + files.incrementAndGet() + ".bin"), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertInvalid(String field, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(field));
  }
}
