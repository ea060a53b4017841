package dev.slipway.monitor.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MsprtTest {

  @Test
  void likelihoodRatioMatchesTheFormulaWorkedByHand() {
    // d = 0.1, V = 0.01, τ² = 0.01: Λ = sqrt(0.01/0.02)·exp(0.01·0.01/(2·0.01·0.02))
    //   = 0.7071068·exp(0.25) = 0.7071068·1.2840254 = 0.9079431
    Msprt.Look look = Msprt.test(0.1, 0.01, 0, 0.01, 0.05);
    assertThat(look.lambda()).isCloseTo(0.9079431, within(1e-7));
    assertThat(look.pValue()).isEqualTo(1.0);
    assertThat(look.rejected()).isFalse();
    // d = 0.5: exp(0.25·25) = exp(6.25) = 518.0128; Λ = 0.7071068·518.0128 = 366.2904 ≥ 1/0.05
    Msprt.Look strong = Msprt.test(0.5, 0.01, 0, 0.01, 0.05);
    assertThat(strong.lambda()).isCloseTo(366.2904, within(1e-3));
    assertThat(strong.pValue()).isCloseTo(1 / 366.2904, within(1e-8));
    assertThat(strong.rejected()).isTrue();
  }

  /**
   * The reason for a sequential test: 400 seeded A/A experiments (both arms click 10 %), each
   * looked at 50 times. Stopping at the first fixed-sample z-test with p < 0.05 declares a
   * difference in far more than 5 % of them; the mSPRT stays within 5 %.
   */
  @Test
  void continuousLooksKeepTheFalseAlarmRateUnderAlpha() {
    SplittableRandom rng = new SplittableRandom(2024);
    int experiments = 400;
    int msprtAlarms = 0;
    int peekingAlarms = 0;
    for (int e = 0; e < experiments; e++) {
      long xa = 0;
      long xb = 0;
      long n = 0;
      boolean msprt = false;
      boolean peek = false;
      for (int look = 0; look < 50; look++) {
        for (int i = 0; i < 200; i++) {
          xa += rng.nextDouble() < 0.1 ? 1 : 0;
          xb += rng.nextDouble() < 0.1 ? 1 : 0;
        }
        n += 200;
        msprt |= Msprt.testProportions(xa, n, xb, n, 0, 0.01 * 0.01, 0.05).rejected();
        peek |= Proportions.zTest(xa, n, xb, n).pValue() < 0.05;
      }
      msprtAlarms += msprt ? 1 : 0;
      peekingAlarms += peek ? 1 : 0;
    }
    assertThat(msprtAlarms).isLessThanOrEqualTo((int) (0.05 * experiments));
    assertThat(peekingAlarms)
        .isGreaterThan(2 * msprtAlarms)
        .isGreaterThan((int) (0.1 * experiments));
  }

  @Test
  void aRealDifferenceIsFound() {
    SplittableRandom rng = new SplittableRandom(5);
    long xa = 0;
    long xb = 0;
    long n = 0;
    boolean found = false;
    for (int look = 0; look < 100 && !found; look++) {
      for (int i = 0; i < 200; i++) {
        xa += rng.nextDouble() < 0.10 ? 1 : 0;
        xb += rng.nextDouble() < 0.13 ? 1 : 0;
      }
      n += 200;
      found = Msprt.testProportions(xa, n, xb, n, 0, 0.02 * 0.02, 0.05).rejected();
    }
    assertThat(found).isTrue();
    assertThat((double) xb / n - (double) xa / n).isPositive();
  }
}
