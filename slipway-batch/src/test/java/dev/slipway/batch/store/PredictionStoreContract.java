package dev.slipway.batch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import dev.slipway.batch.schedule.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PredictionStore} does, run against each backend (H2, PostgreSQL, Redis) by a
 * subclass that only says how to open one.
 */
abstract class PredictionStoreContract {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

  PredictionStore store;

  /** A new, empty store for one test. */
  protected abstract PredictionStore open() throws Exception;

  /**
   * A second view of the store {@link #open} opened, whose predictions expire {@code ttl} after
   * they were scored by {@code clock}; null for a backend that expires by itself (Redis).
   */
  protected PredictionStore expiring(Duration ttl, Clock clock) {
    return null;
  }

  @Test
  void withATimeToLiveAnExpiredPredictionIsNotReadAndIsPurged() {
    MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(1)));
    PredictionStore view = expiring(Duration.ofHours(2), clock);
    Assumptions.assumeTrue(view != null, "this backend expires keys itself");
    JdbcPredictionStore expiring = (JdbcPredictionStore) view;
    store.putAll(
        List.of(
            new StoredPrediction("ad-click", "old", 1, outputs(0.1), T0),
            new StoredPrediction(
                "ad-click", "new", 1, outputs(0.2), T0.plus(Duration.ofHours(1)))));
    assertThat(expiring.get("ad-click", "old")).isPresent();
    assertThat(expiring.purgeExpired()).isZero();

    clock.set(T0.plus(Duration.ofHours(2))); // exactly the ttl after "old" was scored
    assertThat(expiring.get("ad-click", "old")).isEmpty();
    assertThat(expiring.get("ad-click", "new")).isPresent();
    assertThat(store.get("ad-click", "old")).as("without a ttl it is still there").isPresent();
    assertThat(expiring.purgeExpired()).isEqualTo(1);
    assertThat(store.get("ad-click", "old")).as("purged").isEmpty();
    assertThat(store.get("ad-click", "new")).isPresent();

    // a re-run scores it again: fresh once more
    store.putAll(
        List.of(new StoredPrediction("ad-click", "old", 2, outputs(0.3), clock.instant())));
    assertThat(expiring.get("ad-click", "old").orElseThrow().version()).isEqualTo(2);
  }

  @BeforeEach
  void openStore() throws Exception {
    store = open();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static Map<String, Object> outputs(double p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", 1L);
    m.put("probabilities", List.of(1 - p, p));
    m.put("served_by", "ad-click/2");
    m.put("note", null);
    return m;
  }

  @Test
  void aStoredPredictionIsReadBackWithItsVersionOutputsAndTimeToTheMicrosecond() {
    store.putAll(List.of(new StoredPrediction("ad-click", "u1", 3, outputs(0.25), T0)));

    StoredPrediction p = store.get("ad-click", "u1").orElseThrow();
    assertThat(p.model()).isEqualTo("ad-click");
    assertThat(p.key()).isEqualTo("u1");
    assertThat(p.version()).isEqualTo(3);
    assertThat(p.outputs()).isEqualTo(outputs(0.25));
    assertThat(p.outputs().keySet()).containsExactly("label", "probabilities", "served_by", "note");
    assertThat(p.scoredAt()).isEqualTo(Instant.parse("2026-03-01T10:00:00.123456Z"));
  }

  @Test
  void anAbsentKeyOrAnotherModelsKeyIsEmpty() {
    store.putAll(List.of(new StoredPrediction("ad-click", "u1", 1, outputs(0.5), T0)));

    assertThat(store.get("ad-click", "u2")).isEmpty();
    assertThat(store.get("churn", "u1")).isEmpty();
  }

  @Test
  void aNewerResultOverwritesAndAnOlderOneChangesNothing() {
    store.putAll(List.of(new StoredPrediction("ad-click", "u1", 1, outputs(0.1), T0)));
    store.putAll(
        List.of(new StoredPrediction("ad-click", "u1", 2, outputs(0.9), T0.plusSeconds(60))));
    assertThat(store.get("ad-click", "u1").orElseThrow().outputs()).isEqualTo(outputs(0.9));

    store.putAll(
        List.of(new StoredPrediction("ad-click", "u1", 1, outputs(0.3), T0.plusSeconds(30))));
    StoredPrediction p = store.get("ad-click", "u1").orElseThrow();
    assertThat(p.version()).isEqualTo(2);
    assertThat(p.outputs()).isEqualTo(outputs(0.9));
  }

  @Test
  void theSameResultStoredAgainIsTheSame() {
    StoredPrediction p = new StoredPrediction("ad-click", "u1", 1, outputs(0.4), T0);
    store.putAll(List.of(p));
    store.putAll(List.of(p));
    assertThat(store.get("ad-click", "u1")).contains(p);
  }

  @Test
  void manyKeysAreReadInTheirOrderWithGapsForAbsentOnes() {
    store.putAll(
        List.of(
            new StoredPrediction("ad-click", "a", 1, outputs(0.1), T0),
            new StoredPrediction("ad-click", "c", 1, outputs(0.3), T0)));

    List<Optional<StoredPrediction>> got = store.getAll("ad-click", List.of("c", "b", "a"));
    assertThat(got).hasSize(3);
    assertThat(got.get(0).orElseThrow().outputs()).isEqualTo(outputs(0.3));
    assertThat(got.get(1)).isEmpty();
    assertThat(got.get(2).orElseThrow().outputs()).isEqualTo(outputs(0.1));
  }

  @Test
  void keysOfAnyCharactersUpToTheLimitRoundTrip() {
    char[] longest = new char[PredictionStore.MAX_KEY_LENGTH];
    Arrays.fill(longest, 'k');
    List<String> keys = List.of(new String(longest), "ünï cødé ✓", "a:b/c d", "42");
    for (String k : keys) {
      store.putAll(List.of(new StoredPrediction("ad-click", k, 1, Map.of("score", 0.5), T0)));
    }
    for (String k : keys) {
      assertThat(store.get("ad-click", k)).as(k).isPresent();
    }
  }

  @Test
  void aBlankOrTooLongKeyIsTheCallersMistake() {
    char[] tooLong = new char[PredictionStore.MAX_KEY_LENGTH + 1];
    Arrays.fill(tooLong, 'k');
    assertThatThrownBy(() -> store.get("ad-click", new String(tooLong)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("field 'key'")
        .hasMessageContaining("at most 256 characters");
    assertThatThrownBy(() -> store.get("ad-click", " "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("non-blank");
  }
}
