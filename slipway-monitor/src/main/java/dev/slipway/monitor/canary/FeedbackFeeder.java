package dev.slipway.monitor.canary;

import dev.slipway.monitor.feedback.FeedbackStore;
import dev.slipway.monitor.feedback.JoinedFeedback;
import dev.slipway.monitor.feedback.LabeledPrediction;
import dev.slipway.serving.route.Router;
import dev.slipway.serving.route.TrafficPolicy;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Feeds joined feedback to what judges versions online: the canary's {@link RecordingVariantStats}
 * (the metric of the model's running rollout, as {@link FeedbackMetric} defines it) and the {@link
 * Router}'s bandit posteriors (reward: the label, as for {@link FeedbackMetric#CLICK_RATE}).
 * Subscribe it to the joins ({@code Monitoring.onJoined(feeder)}).
 *
 * <p>A pair counts for a rollout only when its prediction was made while the rollout ran (at or
 * after its start) and the rollout still runs when the feedback joins; the value goes to the minute
 * of the prediction, so late feedback lands in the step that served the request. A correction
 * replaces the value (or the reward) given for the first label. A bandit arm is rewarded while the
 * model's traffic policy is a bandit naming the version.
 *
 * <p>Thread-safe.
 */
public final class FeedbackFeeder implements Consumer<List<JoinedFeedback>> {
  private final RecordingVariantStats stats;
  private final Router router;
  private final Supplier<List<Rollout>> running;

  /**
   * @param running the running rollouts (read once per join)
   */
  public FeedbackFeeder(
      RecordingVariantStats stats, Router router, Supplier<List<Rollout>> running) {
    this.stats = stats;
    this.router = router;
    this.running = running;
  }

  @Override
  public void accept(List<JoinedFeedback> changes) {
    if (changes.isEmpty()) {
      return;
    }
    Map<String, Rollout> rollouts = new HashMap<>();
    for (Rollout r : running.get()) {
      if (r.spec().metric() != null) {
        rollouts.put(r.spec().model(), r);
      }
    }
    for (JoinedFeedback j : changes) {
      Rollout r = rollouts.get(j.model());
      if (r != null && !j.time().isBefore(r.startedAt())) {
        metricOf(r).ifPresent(m -> record(m, j));
      }
      reward(j);
    }
  }

  private static Optional<FeedbackMetric> metricOf(Rollout r) {
    return FeedbackMetric.named(r.spec().metric().name());
  }

  private void record(FeedbackMetric m, JoinedFeedback j) {
    OptionalDouble now = m.value(j.score(), j.label());
    if (now.isEmpty()) {
      return;
    }
    if (j.correction()) {
      OptionalDouble old = m.value(j.score(), j.replaced());
      stats.correct(j.model(), j.version(), j.time(), old.getAsDouble(), now.getAsDouble());
    } else {
      stats.feedback(j.model(), j.version(), j.time(), now.getAsDouble());
    }
  }

  private void reward(JoinedFeedback j) {
    Optional<TrafficPolicy> p = router.policy(j.model());
    if (p.isEmpty()
        || p.get().kind() != TrafficPolicy.Kind.BANDIT
        || !p.get().weights().containsKey(j.version())) {
      return;
    }
    boolean success = rewardOf(j.label());
    if (j.correction()) {
      boolean was = rewardOf(j.replaced());
      if (was == success) {
        return;
      }
      router.retractReward(j.model(), j.version(), was ? 1 : 0, was ? 0 : 1);
    }
    router.reward(j.model(), j.version(), success ? 1 : 0, success ? 0 : 1);
  }

  private static boolean rewardOf(double label) {
    return FeedbackMetric.CLICK_RATE.value(null, label).getAsDouble() == 1;
  }

  /**
   * Puts the feedback of the running rollouts back into the stats from the joined rows in the
   * database (the stats are in memory and start empty): for each rollout with a metric, the latest
   * label of every prediction made since it started. Run once at start, before feedback can join.
   *
   * @return how many values were restored
   */
  public int restore(FeedbackStore feedback, Instant now) {
    int n = 0;
    for (Rollout r : running.get()) {
      if (r.spec().metric() == null) {
        continue;
      }
      Optional<FeedbackMetric> m = metricOf(r);
      if (m.isEmpty()) {
        continue;
      }
      for (LabeledPrediction p : feedback.joined(r.spec().model(), r.startedAt(), now)) {
        OptionalDouble v = m.get().value(p.score(), p.label());
        if (v.isPresent()) {
          stats.feedback(r.spec().model(), p.version(), p.time(), v.getAsDouble());
          n++;
        }
      }
    }
    return n;
  }
}
