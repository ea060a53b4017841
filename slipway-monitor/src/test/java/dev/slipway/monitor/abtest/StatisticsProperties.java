package dev.slipway.monitor.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.apache.commons.statistics.inference.ChiSquareTest;

class StatisticsProperties {

  @Property
  void zTestAgreesWithAnIndependentChiSquaredTest(
      @ForAll @IntRange(min = 1, max = 5000) int n1,
      @ForAll @IntRange(min = 1, max = 5000) int n2,
      @ForAll @DoubleRange(min = 0, max = 1) double f1,
      @ForAll @DoubleRange(min = 0, max = 1) double f2) {
    long x1 = Math.round(f1 * n1);
    long x2 = Math.round(f2 * n2);
    Assume.that(x1 + x2 > 0 && x1 + x2 < n1 + n2); // the table has no empty column
    Proportions.Test t = Proportions.zTest(x1, n1, x2, n2);
    double chi =
        ChiSquareTest.withDefaults().test(new long[][] {{x1, n1 - x1}, {x2, n2 - x2}}).getPValue();
    assertThat(t.pValue()).isBetween(0.0, 1.0).isCloseTo(chi, within(1e-9));
    assertThat(Proportions.zTest(x2, n2, x1, n1).pValue()).isCloseTo(t.pValue(), within(1e-12));
  }

  @Property
  void wilsonIntervalHoldsTheEstimateInsideTheUnitIntervalAndWidensWithConfidence(
      @ForAll @IntRange(min = 1, max = 100_000) int n,
      @ForAll @DoubleRange(min = 0, max = 1) double f) {
    long x = Math.round(f * n);
    double p = (double) x / n;
    Interval i90 = Proportions.wilson(x, n, 0.90);
    Interval i99 = Proportions.wilson(x, n, 0.99);
    assertThat(i90.lower()).isGreaterThanOrEqualTo(0);
    assertThat(i99.upper()).isLessThanOrEqualTo(1);
    assertThat(
            i90.contains(p)
                || Math.abs(i90.lower() - p) < 1e-12
                || Math.abs(i90.upper() - p) < 1e-12)
        .isTrue();
    assertThat(i99.lower()).isLessThanOrEqualTo(i90.lower() + 1e-12);
    assertThat(i99.upper()).isGreaterThanOrEqualTo(i90.upper() - 1e-12);
    Interval d = Proportions.newcombeDifference(x, n, x, n, 0.95);
    assertThat(d.contains(0)).isTrue();
  }

  @Property
  void sampleSizeFallsAsTheEffectGrowsAndTheMdeInvertsIt(
      @ForAll @DoubleRange(min = 0.01, max = 0.8) double p1,
      @ForAll @DoubleRange(min = 0.005, max = 0.1) @Scale(4) double effect) {
    double n = Proportions.sampleSizePerArm(p1, p1 + effect, 0.05, 0.8);
    double bigger = Proportions.sampleSizePerArm(p1, p1 + 1.5 * effect, 0.05, 0.8);
    assertThat(bigger).isLessThan(n);
    assertThat(Proportions.sampleSizePerArm(p1, p1 + effect, 0.05, 0.9)).isGreaterThan(n);
    assertThat(Proportions.minimumDetectableEffect(p1, n, 0.05, 0.8))
        .isCloseTo(effect, within(1e-6));
  }

  @Property
  void theSequentialTestNeverRejectsAtTheNullAndGrowsWithTheDistanceFromIt(
      @ForAll @DoubleRange(min = -0.5, max = 0.5) double d,
      @ForAll @DoubleRange(min = 1e-6, max = 1) @Scale(8) double v,
      @ForAll @DoubleRange(min = 1e-6, max = 1) @Scale(8) double tau2) {
    Msprt.Look atNull = Msprt.test(d, v, d, tau2, 0.05);
    assertThat(atNull.lambda()).isLessThan(1);
    assertThat(atNull.rejected()).isFalse();
    Msprt.Look near = Msprt.test(d, v, 0, tau2, 0.05);
    Msprt.Look far = Msprt.test(2 * d, v, 0, tau2, 0.05);
    assertThat(far.pValue()).isLessThanOrEqualTo(near.pValue());
    assertThat(near.pValue()).isBetween(0.0, 1.0);
  }
}
