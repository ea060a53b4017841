package dev.slipway.monitor.abtest;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * Fixed-sample statistics of proportions and means. Pure functions; thread-safe.
 *
 * <p>Arguments are checked: counts must satisfy {@code 0 ≤ x ≤ n}, rates lie in (0, 1), {@code
 * alpha} and {@code power} in (0, 1); violations raise {@link IllegalArgumentException}.
 */
public final class Proportions {
  private static final NormalDistribution Z = NormalDistribution.of(0, 1);

  private Proportions() {}

  /**
   * The result of a two-sample test.
   *
   * @param difference the second sample's estimate minus the first's
   * @param z the test statistic
   * @param pValue the two-sided p-value
   */
  public record Test(double difference, double z, double pValue) {}

  /**
   * The two-proportion z-test with the pooled variance (the same p-value as Pearson's chi-squared
   * test of the 2×2 table without continuity correction, R's {@code prop.test(correct = FALSE)}).
   * With no variance (both rates 0 or both 1) the p-value is 1.
   */
  public static Test zTest(long x1, long n1, long x2, long n2) {
    check(x1, n1);
    check(x2, n2);
    double p1 = (double) x1 / n1;
    double p2 = (double) x2 / n2;
    double pooled = (double) (x1 + x2) / (n1 + n2);
    double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    if (se == 0) {
      return new Test(p2 - p1, 0, 1);
    }
    double z = (p2 - p1) / se;
    return new Test(p2 - p1, z, twoSided(z));
  }

  /**
   * The z-test of two means from their sums (Welch's unpooled standard error, normal reference):
   * for 0/1 values it is the unpooled two-proportion test.
   */
  public static Test meanTest(Moments a, Moments b) {
    double diff = b.mean() - a.mean();
    double se = Math.sqrt(a.variance() / a.n() + b.variance() / b.n());
    if (!(se > 0)) {
      return new Test(diff, 0, 1);
    }
    double z = diff / se;
    return new Test(diff, z, twoSided(z));
  }

  /** The Wald interval {@code p ± z·sqrt(p(1−p)/n)}, clipped to [0, 1]. */
  public static Interval wald(long x, long n, double confidence) {
    check(x, n);
    double p = (double) x / n;
    double h = quantile(confidence) * Math.sqrt(p * (1 - p) / n);
    return new Interval(Math.max(0, p - h), Math.min(1, p + h));
  }

  /** The Wilson score interval (Newcombe 1998, method 3; no continuity correction). */
  public static Interval wilson(long x, long n, double confidence) {
    check(x, n);
    double z = quantile(confidence);
    double p = (double) x / n;
    double z2 = z * z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /** The Wald interval of {@code p1 − p2}. */
  public static Interval waldDifference(long x1, long n1, long x2, long n2, double confidence) {
    check(x1, n1);
    check(x2, n2);
    double p1 = (double) x1 / n1;
    double p2 = (double) x2 / n2;
    double h = quantile(confidence) * Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    return new Interval(p1 - p2 - h, p1 - p2 + h);
  }

  /**
   * Newcombe's hybrid score interval of {@code p1 − p2} from the two Wilson intervals (Newcombe
   * 1998b, method 10): good coverage even for small counts and rates near 0 or 1.
   */
  public static Interval newcombeDifference(long x1, long n1, long x2, long n2, double confidence) {
    Interval a = wilson(x1, n1, confidence);
    Interval b = wilson(x2, n2, confidence);
    double p1 = (double) x1 / n1;
    double p2 = (double) x2 / n2;
    double d = p1 - p2;
    double lower =
        d - Math.sqrt((p1 - a.lower()) * (p1 - a.lower()) + (b.upper() - p2) * (b.upper() - p2));
    double upper =
        d + Math.sqrt((a.upper() - p1) * (a.upper() - p1) + (p2 - b.lower()) * (p2 - b.lower()));
    return new Interval(lower, upper);
  }

  /** A normal-approximation interval of a mean. */
  public static Interval meanInterval(Moments m, double confidence) {
    double h = quantile(confidence) * Math.sqrt(m.variance() / m.n());
    return new Interval(m.mean() - h, m.mean() + h);
  }

  /**
   * The sample size per arm for a two-sided two-proportion test to detect a change from {@code p1}
   * to {@code p2}: {@code ((z₁₋α/₂·sqrt(2p̄(1−p̄)) + z_power·sqrt(p1(1−p1) + p2(1−p2))) / (p1 −
   * p2))²}, the formula R's {@code power.prop.test} solves (with {@code strict = FALSE}), as a
   * fraction; round up for a count.
   */
  public static double sampleSizePerArm(double p1, double p2, double alpha, double power) {
    rate(p1, "p1");
    rate(p2, "p2");
    level(alpha, "alpha");
    level(power, "power");
    if (p1 == p2) {
      return Double.POSITIVE_INFINITY;
    }
    double bar = (p1 + p2) / 2;
    double a = Z.inverseSurvivalProbability(alpha / 2) * Math.sqrt(2 * bar * (1 - bar));
    double b = Z.inverseCumulativeProbability(power) * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    double d = p1 - p2;
    return (a + b) * (a + b) / (d * d);
  }

  /**
   * The sample size per arm for a two-sided test of two means with a common standard deviation
   * {@code sd} to detect a difference {@code delta}: {@code 2((z₁₋α/₂ + z_power)·sd/delta)²}.
   */
  public static double sampleSizePerArmMeans(double sd, double delta, double alpha, double power) {
    level(alpha, "alpha");
    level(power, "power");
    if (delta == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double k =
        (Z.inverseSurvivalProbability(alpha / 2) + Z.inverseCumulativeProbability(power))
            * sd
            / delta;
    return 2 * k * k;
  }

  /**
   * The smallest increase over {@code p1} that a two-sided test with {@code n} per arm detects with
   * the given power (the inverse of {@link #sampleSizePerArm} in {@code p2 − p1}, found by
   * bisection); {@code 1 − p1} when even that is not detectable.
   */
  public static double minimumDetectableEffect(double p1, double n, double alpha, double power) {
    rate(p1, "p1");
    if (!(n > 0)) {
      throw new IllegalArgumentException("n must be positive: " + n);
    }
    double lo = 0;
    double hi = 1 - p1;
    if (sampleSizePerArm(p1, p1 + hi * (1 - 1e-12), alpha, power) > n) {
      return hi;
    }
    for (int i = 0; i < 100; i++) {
      double mid = (lo + hi) / 2;
      if (mid == lo || mid == hi) {
        break;
      }
      if (sampleSizePerArm(p1, p1 + mid, alpha, power) > n) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  /** The two-sided p-value of a standard normal statistic. */
  public static double twoSided(double z) {
    return Math.min(1, 2 * Z.survivalProbability(Math.abs(z)));
  }

  /** The two-sided critical value for a confidence level, e.g. 1.96 for 0.95. */
  public static double quantile(double confidence) {
    level(confidence, "confidence");
    return Z.inverseSurvivalProbability((1 - confidence) / 2);
  }

  private static void check(long x, long n) {
    if (n <= 0 || x < 0 || x > n) {
      throw new IllegalArgumentException("need 0 ≤ x ≤ n and n > 0, got x=" + x + ", n=" + n);
    }
  }

  private static void rate(double p, String name) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1): " + p);
    }
  }

  private static void level(double a, String name) {
    if (!(a > 0 && a < 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1): " + a);
    }
  }
}
