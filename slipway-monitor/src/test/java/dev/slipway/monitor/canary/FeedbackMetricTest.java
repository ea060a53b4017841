package dev.slipway.monitor.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.api.InvalidInputException;
import dev.slipway.monitor.abtest.Moments;
import dev.slipway.monitor.performance.BinaryMetrics;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The one mapping from a joined (score, label) pair to a metric value. */
class FeedbackMetricTest {
  @Test
  void clickRateIsTheLabelAndNeedsNoScore() {
    assertThat(FeedbackMetric.CLICK_RATE.value(null, 1)).hasValue(1);
    assertThat(FeedbackMetric.CLICK_RATE.value(0.9, 0)).hasValue(0);
  }

  @Test
  void accuracyIsOneWhenTheClassAtThresholdHalfEqualsTheLabel() {
    assertThat(FeedbackMetric.ACCURACY.value(0.5, 1)).hasValue(1); // at the threshold: positive
    assertThat(FeedbackMetric.ACCURACY.value(0.49, 1)).hasValue(0);
    assertThat(FeedbackMetric.ACCURACY.value(0.2, 0)).hasValue(1);
    assertThat(FeedbackMetric.ACCURACY.value(null, 0)).isEmpty();
  }

  @Test
  void logLossIsThePairsNegativeLogLikelihoodWithTheScoreClipped() {
    // −ln(0.8) = 0.2231435513 and −ln(1 − 0.8) = 1.6094379124 (natural log)
    assertThat(FeedbackMetric.LOG_LOSS.value(0.8, 1).getAsDouble())
        .isCloseTo(0.2231435513, within(1e-9));
    assertThat(FeedbackMetric.LOG_LOSS.value(0.8, 0).getAsDouble())
        .isCloseTo(1.6094379124, within(1e-9));
    // a certain, wrong score costs about −ln(1e-15), not infinity: 1 − 1e-15 is the double
    // 1 − 9.992e-16, so −ln(9.992007221626409e-16) = 34.539575992340879
    assertThat(FeedbackMetric.LOG_LOSS.value(1.0, 0).getAsDouble())
        .isCloseTo(34.539575992340879, within(1e-9));
    assertThat(FeedbackMetric.LOG_LOSS.value(Double.NaN, 0)).isEmpty();
  }

  @Property
  void theMeanOfPairValuesIsThePerformanceSeriesMetric(
      @ForAll @Size(min = 1, max = 50) List<@DoubleRange(min = 0, max = 1) Double> scores,
      @ForAll long seed) {
    java.util.Random r = new java.util.Random(seed);
    double[] s = new double[scores.size()];
    double[] y = new double[scores.size()];
    Moments acc = Moments.EMPTY;
    Moments loss = Moments.EMPTY;
    for (int i = 0; i < s.length; i++) {
      s[i] = scores.get(i);
      y[i] = r.nextBoolean() ? 1 : 0;
      double a = FeedbackMetric.ACCURACY.value(s[i], y[i]).getAsDouble();
      double l = FeedbackMetric.LOG_LOSS.value(s[i], y[i]).getAsDouble();
      acc = acc.plus(new Moments(1, a, a * a));
      loss = loss.plus(new Moments(1, l, l * l));
    }
    assertThat(acc.mean()).isCloseTo(BinaryMetrics.accuracy(s, y, 0.5), within(1e-12));
    assertThat(loss.mean()).isCloseTo(BinaryMetrics.logLoss(s, y), within(1e-9));
  }

  @Test
  void aRolloutMetricMustBeKnownWithItsDirectionAndKind() {
    assertThat(FeedbackMetric.check(new MetricSpec("log_loss", false, false, 0, 0.01)))
        .isEqualTo(FeedbackMetric.LOG_LOSS);
    assertThatThrownBy(() -> FeedbackMetric.check(new MetricSpec("ctr", true, true, 0, 0.01)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("metric.name")
        .hasMessageContaining("click_rate");
    assertThatThrownBy(() -> FeedbackMetric.check(new MetricSpec("log_loss", true, false, 0, 0.1)))
        .hasMessageContaining("metric.higherIsBetter");
    assertThatThrownBy(() -> FeedbackMetric.check(new MetricSpec("accuracy", true, false, 0, 0.1)))
        .hasMessageContaining("metric.binary");
  }

  @Test
  void aRolloutSpecNamingAKnownMetricTakesItsDirectionAndKindByDefault() throws Exception {
    RolloutSpec spec =
        RolloutSpec.fromJson(
            "m",
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"candidate\": 2, \"metric\": {\"name\": \"log_loss\"}}"));
    assertThat(spec.metric().higherIsBetter()).isFalse();
    assertThat(spec.metric().binary()).isFalse();
  }
}
