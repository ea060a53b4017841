package dev.slipway.monitor.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.api.InvalidInputException;
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
