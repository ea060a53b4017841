package dev.slipway.monitor.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.monitor.feedback.JoinedFeedback;
import dev.slipway.serving.route.Router;
import dev.slipway.serving.route.TrafficPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Joined feedback reaches the running rollout's metric and the bandit's posteriors. */
class FeedbackFeederTest {
  static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  final MutableClock clock = new MutableClock(T0.plusSeconds(600));
  final RecordingVariantStats stats = new RecordingVariantStats(clock, Duration.ofDays(2));
  final Router router =
      new Router(new SimpleMeterRegistry(), 1, Runnable::run, (m, v, id, r, e) -> {});
  final List<Rollout> running = new ArrayList<>();
  final FeedbackFeeder feeder = new FeedbackFeeder(stats, router, () -> running);

  void rollout(String metric, boolean higherIsBetter, boolean binary) {
    RolloutSpec spec =
        new RolloutSpec(
            "m",
            1,
            2,
            null,
            Duration.ZERO,
            1,
            0.01,
            1.5,
            new MetricSpec(metric, higherIsBetter, binary, 0, 0.01),
            0.05,
            null,
            false);
    running.add(new Rollout(7, spec, Rollout.Status.RUNNING, 0, T0, T0, T0));
  }

  static JoinedFeedback pair(int version, Instant at, double score, double label, Double was) {
    return new JoinedFeedback("m", version, 1, at, score, label, was);
  }

  VariantStats.Window window(int version) {
    return stats.window("m", version, T0, clock.instant());
  }

  @Test
  void pairsOfARolloutsPredictionsCountInTheMinuteTheyWereServed() {
    rollout("accuracy", true, true);
    Instant served = T0.plusSeconds(90);
    feeder.accept(
        List.of(
            pair(2, served, 0.9, 1, null), // right
            pair(2, served, 0.9, 0, null), // wrong
            pair(1, served, 0.1, 0, null), // right
            pair(2, T0.minusSeconds(60), 0.9, 1, null))); // served before the rollout: not counted

    assertThat(window(2).metric().n()).isEqualTo(2);
    assertThat(window(2).metric().mean()).isEqualTo(0.5);
    assertThat(window(1).metric().mean()).isEqualTo(1.0);
    // the step that served them holds them; a window after it does not
    assertThat(stats.window("m", 2, T0.plusSeconds(120), clock.instant()).metric().n()).isZero();
  }

  @Test
  void aCorrectionReplacesTheValueOfTheFirstLabel() {
    rollout("log_loss", false, false);
    Instant served = T0.plusSeconds(30);
    feeder.accept(List.of(pair(2, served, 0.8, 0, null)));
    feeder.accept(List.of(pair(2, served, 0.8, 1, 0.0)));

    assertThat(window(2).metric().n()).isEqualTo(1);
    assertThat(window(2).metric().mean()).isCloseTo(-Math.log(0.8), within(1e-12));
  }

  @Test
  void withoutARunningRolloutWithAMetricNothingIsRecorded() {
    feeder.accept(List.of(pair(2, T0.plusSeconds(30), 0.8, 1, null)));
    assertThat(window(2).metric().n()).isZero();
  }

  @Test
  void aBanditPolicysArmsAreRewardedWithTheLabelAndCorrected() {
    router.set(
        "m",
        new TrafficPolicy(
            TrafficPolicy.Kind.BANDIT, Map.of(1, 1.0, 2, 1.0), null, null, null, null));
    Instant at = T0.plusSeconds(30);
    feeder.accept(
        List.of(
            pair(1, at, 0.5, 1, null),
            pair(1, at, 0.5, 0, null),
            pair(2, at, 0.5, 1, null),
            pair(3, at, 0.5, 1, null))); // not an arm
    feeder.accept(List.of(pair(1, at, 0.5, 1, 0.0))); // the 0 was a 1 after all

    assertThat(router.posteriors("m"))
        .containsOnly(
            Map.entry(1, new Router.Posterior(2, 0)), Map.entry(2, new Router.Posterior(1, 0)));
  }

  @Test
  void aSplitPolicyGetsNoRewards() {
    router.set("m", TrafficPolicy.only(1));
    feeder.accept(List.of(pair(1, T0, 0.5, 1, null)));
    assertThat(router.posteriors("m")).isEmpty();
  }
}
