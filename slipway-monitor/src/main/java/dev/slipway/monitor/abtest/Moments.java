package dev.slipway.monitor.abtest;

/**
 * The count, sum and sum of squares of a sample: enough for its mean and variance, and additive
 * across windows. For a 0/1 metric (click, correct) the sum is the number of successes.
 *
 * @param n the number of values
 * @param sum their sum
 * @param sumSquares the sum of their squares
 */
public record Moments(long n, double sum, double sumSquares) {
  public static final Moments EMPTY = new Moments(0, 0, 0);

  public Moments {
    if (n < 0 || !Double.isFinite(sum) || !Double.isFinite(sumSquares) || sumSquares < 0) {
      throw new IllegalArgumentException(
          "invalid moments n=" + n + ", sum=" + sum + ", sumSquares=" + sumSquares);
    }
  }

  /** Moments of {@code successes} ones among {@code trials} values. */
  public static Moments ofSuccesses(long successes, long trials) {
    return new Moments(trials, successes, successes);
  }

  public double mean() {
    return n == 0 ? Double.NaN : sum / n;
  }

  /** The sample variance (n − 1 denominator); 0 for fewer than two values. */
  public double variance() {
    if (n < 2) {
      return 0;
    }
    double m = sum / n;
    return Math.max(0, (sumSquares - n * m * m) / (n - 1));
  }

  public Moments plus(Moments o) {
    return new Moments(n + o.n, sum + o.sum, sumSquares + o.sumSquares);
  }

  /**
   * These moments without values that were added to them (a corrected value taken back); the sum of
   * squares is kept ≥ 0 against rounding.
   *
   * @throws IllegalArgumentException when more values would be removed than there are
   */
  public Moments minus(Moments o) {
    if (o.n > n) {
      throw new IllegalArgumentException("cannot remove " + o.n + " of " + n + " values");
    }
    return new Moments(n - o.n, sum - o.sum, Math.max(0, sumSquares - o.sumSquares));
  }
}
