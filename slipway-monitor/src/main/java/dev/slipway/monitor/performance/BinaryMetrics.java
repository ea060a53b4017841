package dev.slipway.monitor.performance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Metrics of binary classification from scores (predicted probability of the positive class) and
 * labels (1 positive, 0 negative). Pure functions; the arrays are not changed. A metric that is
 * undefined for its input (no rows; AUC with one class only) is {@link Double#NaN}.
 */
public final class BinaryMetrics {
  /** Log loss clips probabilities to {@code [EPS, 1 - EPS]}, as scikit-learn did up to 1.5. */
  public static final double EPS = 1e-15;

  private BinaryMetrics() {}

  /** The share of rows whose prediction ({@code score >= threshold}) equals the label. */
  public static double accuracy(double[] scores, double[] labels, double threshold) {
    check(scores, labels);
    if (scores.length == 0) {
      return Double.NaN;
    }
    long right = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean predicted = scores[i] >= threshold;
      if (predicted == (labels[i] >= 0.5)) {
        right++;
      }
    }
    return (double) right / scores.length;
  }

  /**
   * The area under the ROC curve: the probability that a random positive scores above a random
   * negative, ties counting one half (the Mann–Whitney U statistic over positives × negatives).
   */
  public static double auc(double[] scores, double[] labels) {
    check(scores, labels);
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    // Sum of the positives' mid-ranks (1-based), ties sharing the mean of their ranks.
    double rankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] >= 0.5) {
          rankSum += midRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    double u = rankSum - positives * (positives + 1) / 2.0;
    return u / ((double) positives * negatives);
  }

  /** The mean negative log-likelihood of the labels (natural log), probabilities clipped. */
  public static double logLoss(double[] scores, double[] labels) {
    check(scores, labels);
    if (scores.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      double p = Math.min(1 - EPS, Math.max(EPS, scores[i]));
      sum -= labels[i] >= 0.5 ? Math.log(p) : Math.log(1 - p);
    }
    return sum / scores.length;
  }

  /**
   * One bin of a reliability diagram.
   *
   * @param lower the bin's lower edge (exclusive, except 0 for the first bin)
   * @param upper its upper edge (inclusive)
   * @param count rows whose score falls in the bin
   * @param meanPredicted their mean score (NaN when empty)
   * @param observedRate their share of positive labels (NaN when empty)
   */
  public record Bin(
      double lower, double upper, long count, double meanPredicted, double observedRate) {}

  /**
   * A reliability diagram and its expected calibration error.
   *
   * @param bins equal-width bins over [0, 1]
   * @param ece expected calibration error: the bins' |mean score − observed rate| weighted by their
   *     share of rows (NaN when there are no rows)
   */
  public record Calibration(List<Bin> bins, double ece) {
    public Calibration {
      bins = List.copyOf(bins);
    }
  }

  /**
   * Reliability bins as scikit-learn's {@code calibration_curve(strategy="uniform")} makes them: a
   * score on an inner edge belongs to the bin below it; scores outside [0, 1] are clamped.
   */
  public static Calibration calibration(double[] scores, double[] labels, int bins) {
    check(scores, labels);
    if (bins < 1) {
      throw new IllegalArgumentException("bins < 1");
    }
    long[] count = new long[bins];
    double[] sum = new double[bins];
    double[] pos = new double[bins];
    for (int i = 0; i < scores.length; i++) {
      double s = Math.min(1, Math.max(0, scores[i]));
      int b = (int) Math.ceil(s * bins) - 1;
      b = Math.max(0, Math.min(bins - 1, b));
      count[b]++;
      sum[b] += s;
      pos[b] += labels[i] >= 0.5 ? 1 : 0;
    }
    List<Bin> out = new ArrayList<>(bins);
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      double mean = count[b] == 0 ? Double.NaN : sum[b] / count[b];
      double rate = count[b] == 0 ? Double.NaN : pos[b] / count[b];
      out.add(new Bin((double) b / bins, (double) (b + 1) / bins, count[b], mean, rate));
      if (count[b] > 0) {
        ece += count[b] * Math.abs(mean - rate);
      }
    }
    return new Calibration(out, scores.length == 0 ? Double.NaN : ece / scores.length);
  }

  private static void check(double[] scores, double[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          scores.length + " scores but " + labels.length + " labels");
    }
  }
}
