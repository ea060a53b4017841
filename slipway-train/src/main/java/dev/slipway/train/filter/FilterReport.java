package dev.slipway.train.filter;

/**
 * How a filtering model did on the measuring part of the held-out rows (rows it was not trained
 * on), at its threshold. "Fail" is the positive class: a row the main model got wrong. Immutable.
 *
 * <p>A ratio whose denominator is empty (precision with nothing routed, accuracy on kept rows with
 * nothing kept) is reported as 0; the counts show when that happened.
 *
 * @param precision of the rows routed away, the share the main model got wrong
 * @param recall of the rows the main model got wrong, the share routed away
 * @param f1 the harmonic mean of precision and recall
 * @param auc how well the filter's score ranks failures above successes (0.5 is chance)
 * @param routedShare the share of rows routed away (to the fallback chain)
 * @param accuracyAll the main model's accuracy on all measuring rows
 * @param accuracyKept the main model's accuracy on the rows the filter lets through
 * @param rows held-out rows used in all (both parts)
 * @param trainRows rows the filter was trained on (before balancing) and its threshold chosen on
 * @param trainFailures of those, rows the main model got wrong
 * @param measureRows rows these numbers are measured on
 * @param measureFailures of those, rows the main model got wrong
 * @param routed of those, rows routed away
 */
public record FilterReport(
    double precision,
    double recall,
    double f1,
    double auc,
    double routedShare,
    double accuracyAll,
    double accuracyKept,
    int rows,
    int trainRows,
    int trainFailures,
    int measureRows,
    int measureFailures,
    int routed) {

  /**
   * The numbers of routing the measuring rows whose score is at least {@code threshold}.
   *
   * @param scores the filter's failure probability of each measuring row
   * @param failed whether the main model got each measuring row wrong
   */
  static FilterReport measure(
      double[] scores,
      boolean[] failed,
      double threshold,
      double auc,
      int rows,
      int trainRows,
      int trainFailures) {
    int n = scores.length;
    int failures = 0;
    int routed = 0;
    int caught = 0;
    for (int i = 0; i < n; i++) {
      boolean route = scores[i] >= threshold;
      failures += failed[i] ? 1 : 0;
      routed += route ? 1 : 0;
      caught += route && failed[i] ? 1 : 0;
    }
    int kept = n - routed;
    int keptFailures = failures - caught;
    double precision = ratio(caught, routed);
    double recall = ratio(caught, failures);
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new FilterReport(
        precision,
        recall,
        f1,
        auc,
        ratio(routed, n),
        ratio(n - failures, n),
        ratio(kept - keptFailures, kept),
        rows,
        trainRows,
        trainFailures,
        n,
        failures,
        routed);
  }

  private static double ratio(int a, int b) {
    return b == 0 ? 0 : (double) a / b;
  }
}
