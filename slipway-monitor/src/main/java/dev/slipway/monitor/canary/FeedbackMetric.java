package dev.slipway.monitor.canary;

import dev.slipway.api.InvalidInputException;
import dev.slipway.monitor.performance.BinaryMetrics;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The metrics Slipway computes from feedback, and the one place where a joined (prediction, label)
 * pair becomes a metric value: what a canary rollout's {@link MetricSpec} averages and what a
 * bandit arm is rewarded with. The definitions are those of the performance series ({@link
 * BinaryMetrics}), so the canary and the dashboard agree.
 */
public enum FeedbackMetric {
  /** The label as 0/1 (a click, a conversion); needs no score. Higher is better. */
  CLICK_RATE("click_rate", true, true),
  /**
   * 1 when the predicted class ({@code score ≥ 0.5}, as in {@link BinaryMetrics#accuracy}) equals
   * the label, else 0. Higher is better.
   */
  ACCURACY("accuracy", true, true),
  /**
   * The pair's negative log-likelihood, natural log, the score clipped to {@code [1e-15, 1 −
   * 1e-15]} as in {@link BinaryMetrics#logLoss}. Lower is better; not a 0/1 value.
   */
  LOG_LOSS("log_loss", false, false);

  /** The class threshold of {@link #ACCURACY}. */
  public static final double THRESHOLD = 0.5;

  private final String wireName;
  private final boolean higherIsBetter;
  private final boolean binary;

  FeedbackMetric(String wireName, boolean higherIsBetter, boolean binary) {
    this.wireName = wireName;
    this.higherIsBetter = higherIsBetter;
    this.binary = binary;
  }

  /** The name in a rollout's {@code metric.name}. */
  public String wireName() {
    return wireName;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** Whether every value is 0 or 1 (so it can reward a bandit arm). */
  public boolean binary() {
    return binary;
  }

  /** The metric of that name, if Slipway computes it. */
  public static Optional<FeedbackMetric> named(String name) {
    return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
  }

  /** The names, for messages. */
  public static List<String> names() {
    return Arrays.stream(values()).map(FeedbackMetric::wireName).toList();
  }

  /**
   * The value of one joined pair, or empty when the metric needs a score and the prediction has
   * none.
   *
   * @param score the prediction's score (probability of the positive class), or null
   * @param label the label, 1 or 0
   */
  public OptionalDouble value(Double score, double label) {
    switch (this) {
      case CLICK_RATE:
        return OptionalDouble.of(label >= 0.5 ? 1 : 0);
      case ACCURACY:
        return score == null || !Double.isFinite(score)
            ? OptionalDouble.empty()
            : OptionalDouble.of(
                BinaryMetrics.accuracy(new double[] {score}, new double[] {label}, THRESHOLD));
      default:
        return score == null || !Double.isFinite(score)
            ? OptionalDouble.empty()
            : OptionalDouble.of(BinaryMetrics.logLoss(new double[] {score}, new double[] {label}));
    }
  }

  /**
   * Checks that a rollout's metric is one Slipway computes from feedback, with its direction and
   * kind; otherwise the rollout would wait for values that never come, or promote the worse
   * version.
   *
   * @throws InvalidInputException naming {@code metric.name}, {@code metric.higherIsBetter} or
   *     {@code metric.binary}
   */
  public static FeedbackMetric check(MetricSpec spec) {
    FeedbackMetric m =
        named(spec.name())
            .orElseThrow(
                () ->
                    InvalidInputException.of(
                        "metric.name",
                        spec.name(),
                        "one of " + names() + " (the metrics computed from feedback)"));
    if (spec.higherIsBetter() != m.higherIsBetter) {
      throw InvalidInputException.of(
          "metric.higherIsBetter",
          spec.higherIsBetter(),
          m.higherIsBetter + " for " + m.wireName + " (or leave it out)");
    }
    if (spec.binary() != m.binary) {
      throw InvalidInputException.of(
          "metric.binary", spec.binary(), m.binary + " for " + m.wireName + " (or leave it out)");
    }
    return m;
  }
}
