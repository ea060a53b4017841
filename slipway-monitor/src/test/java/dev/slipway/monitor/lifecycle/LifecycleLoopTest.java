package dev.slipway.monitor.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.monitor.alert.Alert;
import dev.slipway.monitor.alert.AlertEngine;
import dev.slipway.monitor.alert.AlertRule;
import dev.slipway.monitor.alert.AlertRule.Direction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class LifecycleLoopTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final AlertRule LOW_AUC = new AlertRule("low-auc", "auc", Direction.BELOW, 0.7, 2);

  /** The trainer, gate and router of a test: they record what they were asked. */
  private static final class Actions implements LifecycleActions {
    final List<String> calls = new ArrayList<>();
    int nextVersion = 2;
    boolean bless = true;
    RuntimeException retrainFails;

    @Override
    public Retrained retrain(String model, Alert cause) {
      calls.add("retrain " + model + " because " + cause.rule().name());
      if (retrainFails != null) {
        throw retrainFails;
      }
      return new Retrained(nextVersion++, "400 labelled rows");
    }

    @Override
    public GateVerdict gate(String model, int candidate) {
      calls.add("gate " + model + "/" + candidate);
      return new GateVerdict(
          bless,
          Map.of("candidate.auc", bless ? 0.81 : 0.6, "champion.auc", 0.7),
          bless ? "better than the champion" : "worse than the champion");
    }

    @Override
    public void startCanary(String model, int candidate, List<Integer> steps) {
      calls.add("canary " + model + "/" + candidate + " " + steps);
    }
  }

  private final Actions actions = new Actions();
  private Instant now = T0;
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
  private final List<Runnable> queued = new ArrayList<>();
  private final Executor executor = queued::add;
  private final LifecycleLoop loop =
      new LifecycleLoop(
          List.of(
              new LifecyclePolicy(
                  "ads", Set.of("low-auc"), Duration.ofHours(6), List.of(5, 25, 50, 100))),
          actions,
          clock,
          executor);
  private final AlertEngine alerts = new AlertEngine(Map.of("ads", List.of(LOW_AUC)));

  {
    alerts.addListener(loop);
  }

  private void lowAucFor2Windows(int from) {
    alerts.observe("ads", "auc", T0.plusSeconds(3600L * from), 0.6);
    alerts.observe("ads", "auc", T0.plusSeconds(3600L * (from + 1)), 0.6);
  }

  private void runQueued() {
    List<Runnable> now = new ArrayList<>(queued);
    queued.clear();
    now.forEach(Runnable::run);
  }

  private List<String> outcomes() {
    return loop.steps("ads").stream().map(s -> s.action() + " " + s.outcome()).toList();
  }

  @Test
  void anAlertRetrainsGatesAndStartsACanaryOfABlessedCandidate() {
    lowAucFor2Windows(0);
    assertThat(loop.running("ads")).isTrue();
    runQueued();
    assertThat(actions.calls)
        .containsExactly(
            "retrain ads because low-auc", "gate ads/2", "canary ads/2 [5, 25, 50, 100]");
    assertThat(outcomes())
        .containsExactly("alert started", "retrain done", "gate blessed", "canary started");
    assertThat(loop.steps("ads").get(2).detail()).contains("candidate.auc=0.81");
    assertThat(loop.running("ads")).isFalse();
  }

  @Test
  void aCandidateTheGateDoesNotBlessIsNotReleased() {
    actions.bless = false;
    lowAucFor2Windows(0);
    runQueued();
    assertThat(actions.calls).containsExactly("retrain ads because low-auc", "gate ads/2");
    assertThat(outcomes()).endsWith("gate not_blessed");
    assertThat(loop.steps("ads").get(2).detail()).contains("worse than the champion");
  }

  @Test
  void aFailedRetrainingStopsTheRunAndSaysWhy() {
    actions.retrainFails = new IllegalStateException("only 12 labelled rows in the window");
    lowAucFor2Windows(0);
    runQueued();
    assertThat(outcomes()).containsExactly("alert started", "retrain failed");
    assertThat(loop.steps("ads").get(1).detail()).isEqualTo("only 12 labelled rows in the window");
    assertThat(loop.running("ads")).isFalse();
  }

  @Test
  void aSecondAlertDuringARunOrTheCooldownIsSkipped() {
    lowAucFor2Windows(0);
    alerts.observe("ads", "auc", T0.plusSeconds(3600L * 2), 0.9); // recovers, re-arms
    lowAucFor2Windows(3); // fires again while the first run is queued
    assertThat(outcomes()).containsExactly("alert started", "skip skipped");
    assertThat(loop.steps("ads").get(1).detail()).contains("a run is under way");
    runQueued();

    now = T0.plus(Duration.ofHours(5));
    alerts.observe("ads", "auc", T0.plusSeconds(3600L * 5), 0.9);
    lowAucFor2Windows(6);
    assertThat(loop.steps("ads").get(loop.steps("ads").size() - 1).detail())
        .contains("cooldown until 2026-11-23T16:00:00Z");

    now = T0.plus(Duration.ofHours(6));
    alerts.observe("ads", "auc", T0.plusSeconds(3600L * 8), 0.9);
    lowAucFor2Windows(9);
    runQueued();
    assertThat(actions.calls).filteredOn(c -> c.startsWith("canary")).hasSize(2);
    assertThat(loop.steps("ads").get(loop.steps("ads").size() - 1).run()).isEqualTo(2);
  }

  @Test
  void alertsThePolicyDoesNotNameAreIgnored() {
    loop.fired(
        new Alert(
            "ads", new AlertRule("other", "auc", Direction.BELOW, 0.7, 1), now, List.of(0.1)));
    loop.fired(new Alert("unknown", LOW_AUC, now, List.of(0.1, 0.1)));
    assertThat(loop.steps("ads")).isEmpty();
    assertThat(queued).isEmpty();
  }

  @Test
  void badPoliciesAreRefused() {
    assertThatThrownBy(
            () -> new LifecyclePolicy("ads", Set.of("a"), Duration.ZERO, List.of(50, 25, 100)))
        .hasMessageContaining("increasing");
    assertThatThrownBy(() -> new LifecyclePolicy("ads", Set.of("a"), Duration.ZERO, List.of(5, 50)))
        .hasMessageContaining("the last step must be 100");
    assertThatThrownBy(() -> new LifecyclePolicy("ads", Set.of(), Duration.ZERO, List.of(100)))
        .hasMessageContaining("names no alert");
  }
}
