package dev.slipway.monitor.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reference values from published worked examples, as cited at each test. */
class ProportionsTest {

  @Test
  void zTestMatchesPearsonsChiSquaredWithoutContinuityCorrection() {
    // 30/100 vs 50/100: pooled p = 0.4, SE = sqrt(0.4·0.6·(1/100 + 1/100)) = 0.069282,
    // z = 0.2 / 0.069282 = 2.886751, z² = 8.3333 = X-squared of
    // R's prop.test(c(30, 50), c(100, 100), correct = FALSE), p-value = 0.003892.
    Proportions.Test t = Proportions.zTest(30, 100, 50, 100);
    assertThat(t.difference()).isCloseTo(0.2, within(1e-12));
    assertThat(t.z()).isCloseTo(2.886751, within(1e-6));
    assertThat(t.z() * t.z()).isCloseTo(8.333333, within(1e-6));
    assertThat(t.pValue()).isCloseTo(0.003892, within(5e-7));
  }

  @Test
  void wilsonAndWaldIntervalsMatchNewcombe1998() {
    // R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
    // seven methods", Statistics in Medicine 17 (1998) 857–872, Table II, methods 1 (Wald) and 3
    // (Wilson score), 95 %.
    assertInterval(Proportions.wald(81, 263, 0.95), 0.2522, 0.3638);
    assertInterval(Proportions.wilson(81, 263, 0.95), 0.2553, 0.3662);
    assertInterval(Proportions.wilson(15, 148, 0.95), 0.0624, 0.1605);
    assertInterval(Proportions.wilson(0, 20, 0.95), 0.0000, 0.1611);
    assertInterval(Proportions.wilson(1, 29, 0.95), 0.0061, 0.1718);
  }

  @Test
  void differenceIntervalsMatchNewcombe1998b() {
    // R. G. Newcombe, "Interval estimation for the difference between independent proportions:
    // comparison of eleven methods", Statistics in Medicine 17 (1998) 873–890, Table II example
    // (a) 56/70 − 48/80: method 1 (Wald) 0.0575 to 0.3425, method 10 (score, from Wilson) 0.0524
    // to 0.3339.
    assertInterval(Proportions.waldDifference(56, 70, 48, 80, 0.95), 0.0575, 0.3425);
    assertInterval(Proportions.newcombeDifference(56, 70, 48, 80, 0.95), 0.0524, 0.3339);
  }

  @Test
  void sampleSizeMatchesRsPowerPropTest() {
    // R documentation of power.prop.test: power.prop.test(p1 = .50, p2 = .75, power = .90)
    // => n = 76.7 per group. By hand: p̄ = 0.625; (1.959964·sqrt(2·0.625·0.375) +
    // 1.281552·sqrt(0.25 + 0.1875))² / 0.25² = (1.341896 + 0.847666)² / 0.0625 = 76.7069.
    assertThat(Proportions.sampleSizePerArm(0.5, 0.75, 0.05, 0.9)).isCloseTo(76.7069, within(1e-3));
    // The same formula with a small effect on a click rate: 10 % → 11 %, 5 %, 80 % power.
    // By hand: (1.959964·sqrt(2·0.105·0.895) + 0.841621·sqrt(0.09 + 0.0979))² / 0.01² = 14750.8
    assertThat(Proportions.sampleSizePerArm(0.10, 0.11, 0.05, 0.8))
        .isCloseTo(14750.79, within(0.01));
  }

  @Test
  void minimumDetectableEffectInvertsTheSampleSize() {
    double mde = Proportions.minimumDetectableEffect(0.5, 76.7069, 0.05, 0.9);
    assertThat(mde).isCloseTo(0.25, within(1e-4));
  }

  @Test
  void reportGivesCountsIntervalsPValuesAndSampleSizes() {
    AbReport r =
        AbReport.of(
            "click_rate",
            true,
            1,
            Map.of(
                1, new AbReport.Counts(1000, 3, Moments.ofSuccesses(30, 100)),
                2, new AbReport.Counts(1000, 5, Moments.ofSuccesses(50, 100))),
            0.05,
            0.05,
            0.8);
    assertThat(r.variants()).extracting(AbReport.Variant::version).containsExactly(1, 2);
    AbReport.Variant control = r.variants().get(0);
    AbReport.Variant b = r.variants().get(1);
    assertThat(control.pValue()).isNaN();
    assertThat(b.metricValue()).isEqualTo(0.5);
    assertThat(b.pValue()).isCloseTo(0.003892, within(5e-7));
    assertThat(b.interval().lower())
        .isCloseTo(Proportions.wilson(50, 100, 0.95).lower(), within(0.0));
    assertThat(b.differenceInterval().contains(0.2)).isTrue();
    assertThat(b.errors()).isEqualTo(5);
    // baseline 0.3, effect 0.05
    assertThat(b.sampleSizePerArm())
        .isEqualTo(Math.ceil(Proportions.sampleSizePerArm(0.3, 0.35, 0.05, 0.8)));
  }

  private static void assertInterval(Interval i, double lower, double upper) {
    assertThat(i.lower()).isCloseTo(lower, within(5e-5));
    assertThat(i.upper()).isCloseTo(upper, within(5e-5));
  }
}
