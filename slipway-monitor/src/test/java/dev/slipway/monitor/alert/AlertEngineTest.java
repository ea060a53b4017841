package dev.slipway.monitor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.monitor.alert.AlertRule.Direction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertEngineTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static Instant window(int i) {
    return T0.plusSeconds(3600L * i);
  }

  private final AlertRule lowAuc = new AlertRule("low-auc", "auc", Direction.BELOW, 0.7, 2);
  private final AlertRule drift =
      new AlertRule("age-drift", "drift.psi.age", Direction.ABOVE, 0.2, 1);
  private final AlertEngine engine = new AlertEngine(Map.of("ads", List.of(lowAuc, drift)));
  private final List<Alert> heard = new ArrayList<>();

  {
    engine.addListener(heard::add);
  }

  @Test
  void firesOnlyAfterTheConfiguredNumberOfConsecutiveBreachingWindows() {
    assertThat(engine.observe("ads", "auc", window(0), 0.69)).isEmpty();
    List<Alert> fired = engine.observe("ads", "auc", window(1), 0.65);
    assertThat(fired).hasSize(1);
    Alert a = fired.get(0);
    assertThat(a.rule()).isEqualTo(lowAuc);
    assertThat(a.values()).containsExactly(0.69, 0.65);
    assertThat(a.at()).isEqualTo(window(1));
    assertThat(a.message()).contains("ads", "low-auc", "auc < 0.7 for 2 consecutive windows");
    assertThat(heard).containsExactly(a);
    assertThat(engine.isFiring("ads", "low-auc")).isTrue();
  }

  @Test
  void aRecoveredWindowBreaksTheRunAndRearmsTheRule() {
    engine.observe("ads", "auc", window(0), 0.6);
    engine.observe("ads", "auc", window(1), 0.75);
    assertThat(engine.observe("ads", "auc", window(2), 0.6)).isEmpty();
    assertThat(engine.observe("ads", "auc", window(3), 0.6)).hasSize(1);
    // still breaching: no second alert for the same episode
    assertThat(engine.observe("ads", "auc", window(4), 0.5)).isEmpty();
    engine.observe("ads", "auc", window(5), 0.8);
    assertThat(engine.isFiring("ads", "low-auc")).isFalse();
    engine.observe("ads", "auc", window(6), 0.6);
    assertThat(engine.observe("ads", "auc", window(7), 0.6)).hasSize(1);
    assertThat(heard).hasSize(2);
  }

  @Test
  void thresholdsAreStrictAndNanIsNoData() {
    assertThat(engine.observe("ads", "drift.psi.age", window(0), 0.2)).isEmpty();
    assertThat(engine.observe("ads", "drift.psi.age", window(1), Double.NaN)).isEmpty();
    assertThat(engine.observe("ads", "drift.psi.age", window(2), 0.2000001)).hasSize(1);
  }

  @Test
  void aWindowSeenAgainReplacesItsValueAndAnOlderOneIsIgnored() {
    engine.observe("ads", "auc", window(0), 0.6);
    engine.observe("ads", "auc", window(1), 0.8);
    // window 1 recomputed with late feedback: now it breaches too
    assertThat(engine.observe("ads", "auc", window(1), 0.6)).hasSize(1);
    assertThat(engine.observe("ads", "auc", window(0), 0.1)).isEmpty();
  }

  @Test
  void otherModelsAndMetricsAreNotWatched() {
    assertThat(engine.observe("other", "auc", window(0), 0.1)).isEmpty();
    assertThat(engine.observe("ads", "accuracy", window(0), 0.1)).isEmpty();
    assertThat(engine.metrics("ads")).containsExactlyInAnyOrder("auc", "drift.psi.age");
    assertThat(engine.rules("other")).isEmpty();
  }

  @Test
  void aFailingListenerDoesNotStopTheOthers() {
    List<Alert> second = new ArrayList<>();
    AlertEngine e = new AlertEngine(Map.of("ads", List.of(drift)));
    e.addListener(
        a -> {
          throw new IllegalStateException("webhook down");
        });
    e.addListener(second::add);
    e.observe("ads", "drift.psi.age", window(0), 0.5);
    assertThat(second).hasSize(1);
  }

  @Test
  void badRulesAreRefusedNamingTheProblem() {
    assertThatThrownBy(() -> new AlertRule("x", "auc", Direction.BELOW, Double.NaN, 1))
        .hasMessageContaining("threshold");
    assertThatThrownBy(() -> new AlertRule("x", "auc", Direction.BELOW, 0.7, 0))
        .hasMessageContaining("windows must be at least 1");
    assertThatThrownBy(() -> new AlertEngine(Map.of("ads", List.of(drift, drift))))
        .hasMessageContaining("two alert rules named 'age-drift'");
  }
}
