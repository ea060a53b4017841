package dev.slipway.monitor.abtest;

/**
 * The mixture sequential probability ratio test (mSPRT) with a normal mixture, for a difference of
 * two means (or proportions) that is looked at again and again as data arrives: Johari, Koomen,
 * Pekelis and Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests", Operations
 * Research 70(3), 2022, section 4 (the statistic Optimizely's stats engine uses).
 *
 * <p>With the observed difference {@code d}, its variance {@code V = s₁²/n₁ + s₂²/n₂}, the null
 * difference {@code θ₀} and the mixing variance {@code τ²}, the likelihood ratio is
 *
 * <pre>Λ = sqrt(V / (V + τ²)) · exp(τ² (d − θ₀)² / (2 V (V + τ²)))</pre>
 *
 * and {@code 1/Λ} is an always-valid p-value: the probability that it ever falls below α, over any
 * number of looks, is at most α under the null (Ville's inequality), so a canary may be evaluated
 * every minute without inflating its false-alarm rate. Pure functions; thread-safe.
 */
public final class Msprt {
  private Msprt() {}

  /**
   * One look.
   *
   * @param difference the observed difference {@code d}
   * @param variance its variance {@code V}
   * @param lambda the mixture likelihood ratio Λ
   * @param pValue {@code min(1, 1/Λ)}
   * @param rejected whether {@code Λ ≥ 1/α}
   */
  public record Look(
      double difference, double variance, double lambda, double pValue, boolean rejected) {}

  /**
   * @param tau2 the mixing variance; about the square of the effect size one cares about
   * @throws IllegalArgumentException when {@code variance} or {@code tau2} is not positive
   */
  public static Look test(
      double difference, double variance, double theta0, double tau2, double alpha) {
    if (!(variance > 0) || !(tau2 > 0) || !(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException(
          "need variance > 0, tau2 > 0, alpha in (0, 1): " + variance + ", " + tau2 + ", " + alpha);
    }
    double dev = difference - theta0;
    double logLambda =
        0.5 * Math.log(variance / (variance + tau2))
            + tau2 * dev * dev / (2 * variance * (variance + tau2));
    double lambda = Math.exp(logLambda);
    double p = Math.min(1, Math.exp(-logLambda));
    return new Look(difference, variance, lambda, p, logLambda >= -Math.log(alpha));
  }

  /**
   * A look at the difference of two proportions ({@code x2/n2 − x1/n1}). The variance uses rates
   * with one success and one failure added to each arm (as in the Agresti–Caffo interval), so that
   * arms with no events at all (no errors yet) still have a variance and can be told apart.
   */
  public static Look testProportions(
      long x1, long n1, long x2, long n2, double theta0, double tau2, double alpha) {
    if (n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2) {
      throw new IllegalArgumentException("need 0 ≤ x ≤ n, n > 0");
    }
    double s1 = (x1 + 1.0) / (n1 + 2.0);
    double s2 = (x2 + 1.0) / (n2 + 2.0);
    double v = s1 * (1 - s1) / n1 + s2 * (1 - s2) / n2;
    return test((double) x2 / n2 - (double) x1 / n1, v, theta0, tau2, alpha);
  }

  /** A look at the difference of two samples' means ({@code b − a}). */
  public static Look test(Moments a, Moments b, double theta0, double tau2, double alpha) {
    double v = a.variance() / a.n() + b.variance() / b.n();
    if (!(v > 0)) {
      // No spread at all (e.g. no errors in either arm): nothing can be concluded.
      return new Look(b.mean() - a.mean(), 0, 0, 1, false);
    }
    return test(b.mean() - a.mean(), v, theta0, tau2, alpha);
  }
}
