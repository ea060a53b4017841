package dev.slipway.train.metrics;

import java.util.Arrays;

/**
 * Binary-classification metrics. Pure functions; thread-safe.
 *
 * <p>Every method throws {@link IllegalArgumentException} when the arrays are empty or of different
 * lengths, naming what is wrong.
 */
public final class Metrics {
  /** Probabilities are clipped to {@code [EPSILON, 1 - EPSILON]} by {@link #logLoss}. */
  public static final double EPSILON = 1e-15;

  private Metrics() {}

  /**
   * The area under the ROC curve: the probability that a random positive scores higher than a
   * random negative, ties counting one half (the Mann-Whitney U statistic over {@code P * N}).
   *
   * @param scores higher means more likely positive; no NaN
   * @param positives whether each row is positive
   * @return a value in [0, 1]
   * @throws IllegalArgumentException also when the rows are all positive or all negative (the AUC
   *     is undefined) or a score is NaN
   */
  public static double auc(double[] scores, boolean[] positives) {
    check(scores.length, positives.length);
    int n = scores.length;
    long pos = 0;
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("scores[" + i + "] is NaN");
      }
      if (positives[i]) {
        pos++;
      }
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      throw new IllegalArgumentException(
          "AUC needs both positive and negative rows, got " + pos + " positive of " + n);
    }
    // Sort by score, then give each run of tied scores the average of the ranks it spans.
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double positiveRankSum = 0;
    int i = 0;
    while (i < n) {
      int j = i + 1;
      while (j < n && scores[order[j]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + 1 + j) / 2.0; // ranks i+1 .. j, 1-based
      for (int k = i; k < j; k++) {
        if (positives[order[k]]) {
          positiveRankSum += averageRank;
        }
      }
      i = j;
    }
    double u = positiveRankSum - pos * (pos + 1) / 2.0;
    return u / ((double) pos * neg);
  }

  /**
   * The mean negative log-likelihood (natural log) of the labels under the predicted positive
   * probabilities, each clipped to {@code [1e-15, 1 - 1e-15]} so the loss stays finite.
   *
   * @param p predicted probability that each row is positive; no NaN
   * @param positives whether each row is positive
   * @return a value {@code >= 0}
   */
  public static double logLoss(double[] p, boolean[] positives) {
    check(p.length, positives.length);
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      if (Double.isNaN(p[i])) {
        throw new IllegalArgumentException("p[" + i + "] is NaN");
      }
      double q = Math.min(1 - EPSILON, Math.max(EPSILON, p[i]));
      sum -= positives[i] ? Math.log(q) : Math.log1p(-q);
    }
    return sum / p.length;
  }

  /** The fraction of rows whose predicted class equals the actual one. */
  public static double accuracy(boolean[] predicted, boolean[] positives) {
    check(predicted.length, positives.length);
    int right = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] == positives[i]) {
        right++;
      }
    }
    return (double) right / predicted.length;
  }

  /** The fraction of rows that are positive. */
  public static double positiveRate(boolean[] positives) {
    check(positives.length, positives.length);
    int count = 0;
    for (boolean b : positives) {
      if (b) {
        count++;
      }
    }
    return (double) count / positives.length;
  }

  private static void check(int values, int labels) {
    if (values != labels) {
      throw new IllegalArgumentException(
          values + " predictions but " + labels + " labels: the arrays must be of equal length");
    }
    if (values == 0) {
      throw new IllegalArgumentException("no rows: metrics need at least one");
    }
  }
}
