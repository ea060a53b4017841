package dev.slipway.monitor.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.ConflictException;
import dev.slipway.registry.AuditEntry;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.Registration;
import dev.slipway.serving.route.Router;
import dev.slipway.serving.route.TrafficPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryControllerTest {
  static final String MODEL = "ads";
  static final Duration ROUND = Duration.ofMinutes(5);

  @TempDir Path home;
  ModelRegistry registry;
  MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  Router router;
  RecordingVariantStats stats;
  CanaryController controller;

  @BeforeEach
  void setUp() throws Exception {
    registry = ModelRegistry.embedded(home);
    Path f = Files.write(home.resolve("m.bin"), new byte[] {1});
    for (int i = 0; i < 2; i++) {
      registry.register(new Registration(MODEL, f, "onnx", null, Map.of(), null, "test"));
    }
    registry.recordGate(MODEL, 1, "BLESSED", Map.of(), null);
    registry.setAlias(MODEL, ModelRegistry.CHAMPION, 1, "test", null, false);
    open();
  }

  /** A fresh router, statistics and controller, as after a restart. */
  void open() {
    router = new Router(new SimpleMeterRegistry(), 1, Runnable::run, (m, v, id, r, e) -> {});
    stats = new RecordingVariantStats(clock, Duration.ofDays(1));
    controller = new CanaryController(registry, router, stats, clock);
    controller.restore();
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  static RolloutSpec spec(boolean forcePromotion) {
    return new RolloutSpec(
        MODEL,
        null,
        2,
        List.of(5.0, 25.0, 50.0, 100.0),
        Duration.ofMinutes(10),
        500,
        0.01,
        1.5,
        new MetricSpec("click_rate", true, true, 0, 0.02),
        0.05,
        null,
        forcePromotion);
  }

  /** Rounds of traffic then an evaluation, until the rollout ends or the rounds run out. */
  List<Decision> run(SimulatedTraffic traffic, int rounds) {
    List<Decision> out = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      traffic.send(20_000);
      clock.advance(ROUND);
      Decision d = controller.evaluate(MODEL).orElse(null);
      if (d == null) {
        break;
      }
      out.add(d);
      if (d.outcome() == Decision.Outcome.PROMOTE || d.outcome() == Decision.Outcome.ROLLBACK) {
        break;
      }
    }
    return out;
  }

  SimulatedTraffic traffic(
      double candidateErrors, double candidateLatency, double candidateClicks) {
    return new SimulatedTraffic(router, stats, clock, MODEL, 11)
        .version(1, 0.01, 20, 0.10)
        .version(2, candidateErrors, candidateLatency, candidateClicks);
  }

  @Test
  void aBetterCanaryIsPromotedStepByStepAndChampionMoves() {
    registry.recordGate(MODEL, 2, "BLESSED", Map.of(), null);
    CanaryController.State started = controller.start(spec(false), "alice");
    assertThat(started.rollout().spec().stable()).isEqualTo(1);
    assertThat(router.policy(MODEL).orElseThrow().share(2)).isEqualTo(0.05);

    List<Decision> decisions = run(traffic(0.01, 20, 0.14), 30);

    assertThat(decisions)
        .filteredOn(d -> d.outcome() != Decision.Outcome.WAIT)
        .extracting(Decision::outcome, Decision::percent)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Decision.Outcome.ADVANCE, 25.0),
            org.assertj.core.groups.Tuple.tuple(Decision.Outcome.ADVANCE, 50.0),
            org.assertj.core.groups.Tuple.tuple(Decision.Outcome.ADVANCE, 100.0),
            org.assertj.core.groups.Tuple.tuple(Decision.Outcome.PROMOTE, 100.0));
    assertThat(registry.aliases(MODEL)).containsEntry(ModelRegistry.CHAMPION, 2);
    assertThat(router.policy(MODEL)).isEmpty(); // the bare name serves the new champion
    CanaryController.State end = controller.state(MODEL).orElseThrow();
    assertThat(end.rollout().status()).isEqualTo(Rollout.Status.PROMOTED);
    assertThat(end.decisions().get(0).outcome()).isEqualTo(Decision.Outcome.START);

    // Every decision is audited with its numbers, and champion moved unforced (BLESSED).
    List<AuditEntry> audit = registry.audit(MODEL);
    assertThat(audit)
        .extracting(AuditEntry::action)
        .contains("rollout.start", "rollout.advance", "rollout.promote", AuditEntry.ALIAS_MOVE);
    AuditEntry advance =
        audit.stream().filter(a -> a.action().equals("rollout.advance")).findFirst().orElseThrow();
    assertThat(advance.detail()).contains("msprtPValue", "zTestPValue", "p99", "requests");
    assertThat(advance.reason()).contains("click_rate significantly better");
    assertThat(
            audit.stream()
                .filter(a -> a.action().equals(AuditEntry.ALIAS_MOVE))
                .findFirst()
                .orElseThrow()
                .forced())
        .isFalse();
  }

  @Test
  void aCanaryWithMoreErrorsIsRolledBackAutomatically() {
    controller.start(spec(true), "alice");
    List<Decision> decisions = run(traffic(0.08, 20, 0.10), 10);
    Decision last = decisions.get(decisions.size() - 1);
    assertThat(last.outcome()).isEqualTo(Decision.Outcome.ROLLBACK);
    assertThat(last.percent()).isZero();
    assertThat(last.reason()).contains("error rate");
    assertThat(last.numbers()).containsKeys("errorRate", "stable", "candidate");
    assertThat(controller.state(MODEL).orElseThrow().rollout().status())
        .isEqualTo(Rollout.Status.ROLLED_BACK);
    assertThat(router.policy(MODEL)).isEmpty(); // stable is champion: the bare name serves it
    assertThat(registry.aliases(MODEL)).containsEntry(ModelRegistry.CHAMPION, 1);
    assertThat(registry.version(MODEL, 2)).isPresent(); // the candidate stays registered
    assertThat(registry.audit(MODEL)).extracting(AuditEntry::action).contains("rollout.rollback");
  }

  @Test
  void aSlowerCanaryIsRolledBackOnItsP99() {
    controller.start(spec(true), "alice");
    List<Decision> decisions = run(traffic(0.01, 60, 0.10), 10);
    Decision last = decisions.get(decisions.size() - 1);
    assertThat(last.outcome()).isEqualTo(Decision.Outcome.ROLLBACK);
    assertThat(last.reason()).contains("p99 latency");
  }

  @Test
  void anInconclusiveCanaryWaitsAtItsStep() {
    controller.start(spec(true), "alice");
    List<Decision> decisions = run(traffic(0.01, 20, 0.10), 12);
    assertThat(decisions).hasSize(12);
    assertThat(decisions).allMatch(d -> d.outcome() == Decision.Outcome.WAIT);
    assertThat(decisions.get(decisions.size() - 1).reason()).startsWith("inconclusive");
    Rollout r = controller.state(MODEL).orElseThrow().rollout();
    assertThat(r.status()).isEqualTo(Rollout.Status.RUNNING);
    assertThat(r.percent()).isEqualTo(5.0);
    assertThat(router.policy(MODEL).orElseThrow().share(2)).isEqualTo(0.05);
  }

  @Test
  void aRestartContinuesTheRolloutWithTheSameStickyAssignment() {
    registry.recordGate(MODEL, 2, "BLESSED", Map.of(), null);
    controller.start(spec(false), "alice");
    SimulatedTraffic t = traffic(0.01, 20, 0.14);
    List<Decision> before = new ArrayList<>();
    while (before.stream().noneMatch(d -> d.outcome() == Decision.Outcome.ADVANCE)) {
      before.addAll(run(t, 1));
    }
    TrafficPolicy policy = router.policy(MODEL).orElseThrow();
    List<Integer> assigned = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      assigned.add(router.route(MODEL, "u" + i).orElseThrow().version());
    }

    registry.close();
    registry = ModelRegistry.embedded(home);
    open();

    assertThat(router.policy(MODEL)).contains(policy);
    for (int i = 0; i < 200; i++) {
      assertThat(router.route(MODEL, "u" + i).orElseThrow().version()).isEqualTo(assigned.get(i));
    }
    List<Decision> after = run(traffic(0.01, 20, 0.14), 30);
    assertThat(after.get(after.size() - 1).outcome()).isEqualTo(Decision.Outcome.PROMOTE);
    assertThat(controller.state(MODEL).orElseThrow().decisions())
        .extracting(Decision::outcome)
        .containsSubsequence(
            Decision.Outcome.START,
            Decision.Outcome.ADVANCE,
            Decision.Outcome.ADVANCE,
            Decision.Outcome.ADVANCE,
            Decision.Outcome.PROMOTE);
  }

  @Test
  void anUnblessedCandidateWaitsAtFullTrafficUnlessPromotionIsForced() {
    controller.start(spec(false), "alice");
    List<Decision> decisions = run(traffic(0.01, 20, 0.14), 30);
    Decision last = decisions.get(decisions.size() - 1);
    assertThat(last.outcome()).isEqualTo(Decision.Outcome.WAIT);
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(last.reason()).contains("not BLESSED");
    assertThat(registry.aliases(MODEL)).containsEntry(ModelRegistry.CHAMPION, 1);
  }

  @Test
  void oneRolloutAtATimeAndAbortReturnsTrafficToStable() {
    controller.start(spec(true), "alice");
    assertThatThrownBy(() -> controller.start(spec(true), "bob"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("already has a running rollout");
    assertThatThrownBy(() -> controller.setPolicy(MODEL, TrafficPolicy.only(2), "bob"))
        .isInstanceOf(ConflictException.class);
    CanaryController.State s = controller.abort(MODEL, "bob", "changed my mind");
    assertThat(s.rollout().status()).isEqualTo(Rollout.Status.ABORTED);
    assertThat(s.decisions()).extracting(Decision::outcome).endsWith(Decision.Outcome.ABORT);
    assertThat(router.policy(MODEL)).isEmpty();
    assertThat(controller.evaluate(MODEL)).isEmpty();
  }

  @Test
  void trafficPoliciesPersistAcrossARestart() {
    TrafficPolicy ab =
        new TrafficPolicy(
            TrafficPolicy.Kind.SPLIT,
            Map.of(1, 50.0, 2, 50.0),
            TrafficPolicy.Assignment.STICKY,
            "user_id",
            "exp-7",
            null);
    controller.setPolicy(MODEL, ab, "alice");
    registry.close();
    registry = ModelRegistry.embedded(home);
    open();
    assertThat(router.policy(MODEL)).contains(ab);
    assertThat(registry.audit(MODEL)).extracting(AuditEntry::action).contains("traffic.set");
    controller.clearPolicy(MODEL, "alice");
    assertThat(router.policy(MODEL)).isEmpty();
  }
}
