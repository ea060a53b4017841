package dev.slipway.monitor.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.monitor.abtest.Moments;
import dev.slipway.monitor.performance.BinaryMetrics;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

/**
 * Per-pair values averaged are the performance series' metrics, and a corrected value leaves the
 * moments as if the new value had been given first.
 */
class FeedbackMetricProperties {
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

  @Property
  void aCorrectionLeavesTheMomentsOfTheNewValues(
      @ForAll @Size(min = 1, max = 30) List<@DoubleRange(min = 0, max = 40) Double> values,
      @ForAll @DoubleRange(min = 0, max = 40) double replacement) {
    Moments given = Moments.EMPTY;
    for (double v : values) {
      given = given.plus(new Moments(1, v, v * v));
    }
    double old = values.get(0);
    Moments corrected =
        given
            .minus(new Moments(1, old, old * old))
            .plus(new Moments(1, replacement, replacement * replacement));
    Moments direct = new Moments(1, replacement, replacement * replacement);
    for (double v : values.subList(1, values.size())) {
      direct = direct.plus(new Moments(1, v, v * v));
    }
    assertThat(corrected.n()).isEqualTo(direct.n());
    assertThat(corrected.mean()).isCloseTo(direct.mean(), within(1e-9));
    assertThat(corrected.variance()).isCloseTo(direct.variance(), within(1e-6));
  }
}
