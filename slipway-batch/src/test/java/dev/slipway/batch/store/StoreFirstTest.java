package dev.slipway.batch.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import dev.slipway.registry.ModelRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which records are answered from the store, and how the lookups are counted. */
class StoreFirstTest {
  static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  @TempDir Path home;
  ModelRegistry registry;
  PredictionStore store;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  StoreFirst storeFirst;

  @BeforeEach
  void setUp() {
    registry = ModelRegistry.embedded(home);
    store = new JdbcPredictionStore(registry.dataSource());
    storeFirst =
        new StoreFirst(
            store,
            m ->
                m.equals("ad-click")
                    ? new StoreFirst.Policy("user_id", Duration.ofHours(24))
                    : null,
            Clock.fixed(NOW, ZoneOffset.UTC),
            meters);
    store.putAll(
        List.of(
            new StoredPrediction("ad-click", "fresh", 2, Map.of("p", 0.7), NOW.minusSeconds(3600)),
            new StoredPrediction(
                "ad-click", "stale", 1, Map.of("p", 0.2), NOW.minus(Duration.ofHours(25))),
            new StoredPrediction(
                "ad-click", "edge", 1, Map.of("p", 0.2), NOW.minus(Duration.ofHours(24))),
            new StoredPrediction("ad-click", "42", 2, Map.of("p", 0.9), NOW)));
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private static Record user(Object id) {
    java.util.Map<String, Object> m = new java.util.HashMap<>();
    m.put("user_id", id);
    m.put("hour", 3L);
    return Record.of(m);
  }

  private double count(String result) {
    var c =
        meters
            .find("slipway.prediction.store.lookups")
            .tags("model", "ad-click", "result", result)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void freshStoredPredictionsAnswerTheRestGoLive() {
    List<Optional<StoredPrediction>> got =
        storeFirst.lookup(
            "ad-click",
            List.of(
                user("fresh"),
                user("stale"),
                user("nobody"),
                Record.of(Map.of("hour", 3L)),
                user("edge")));

    assertThat(got.get(0).orElseThrow().outputs()).isEqualTo(Map.of("p", 0.7));
    assertThat(got.subList(1, 5)).allMatch(Optional::isEmpty);
    assertThat(count("hit")).isEqualTo(1);
    assertThat(count("stale")).isEqualTo(2); // 25 h old, and exactly max_age old
    assertThat(count("miss")).isEqualTo(2); // nothing stored, no key in the record
  }

  @Test
  void aNumericKeyFindsWhatABatchStoredUnderItsText() {
    assertThat(storeFirst.lookup("ad-click", List.of(user(42L))).get(0)).isPresent();
    assertThat(storeFirst.lookup("ad-click", List.of(user(42.0))).get(0)).isPresent();
  }

  @Test
  void anUnusableKeyIsAMissNotAnError() {
    assertThat(storeFirst.lookup("ad-click", List.of(user(""), user("x".repeat(300)))))
        .allMatch(Optional::isEmpty);
    assertThat(count("miss")).isEqualTo(2);
  }

  @Test
  void aModelWithoutAPolicyIsNeitherLookedUpNorCounted() {
    assertThat(storeFirst.enabled("other")).isFalse();
    assertThat(storeFirst.lookup("other", List.of(user("fresh"))))
        .containsExactly(Optional.empty());
    assertThat(meters.find("slipway.prediction.store.lookups").counters()).isEmpty();
  }

  @Test
  void aFailingStoreIsCountedAsAnErrorAndTheRecordsGoLive() {
    ModelRegistry closed = ModelRegistry.embedded(home.resolve("closed"));
    PredictionStore broken = new JdbcPredictionStore(closed.dataSource());
    closed.close();
    StoreFirst failing =
        new StoreFirst(
            broken,
            m -> new StoreFirst.Policy("user_id", Duration.ofHours(24)),
            Clock.fixed(NOW, ZoneOffset.UTC),
            meters);

    assertThat(failing.lookup("ad-click", List.of(user("fresh"), Record.of(Map.of("hour", 3L)))))
        .allMatch(Optional::isEmpty);
    assertThat(count("error")).isEqualTo(1);
    assertThat(count("miss")).isEqualTo(1);
  }
}
