package dev.slipway.monitor.performance;

import dev.slipway.monitor.feedback.LabeledPrediction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live performance of one model version in one window, from the feedback joined to its
 * predictions made in the window. Immutable.
 *
 * @param start the window's start
 * @param version the model version
 * @param count predictions with feedback
 * @param positives of them, with a positive label
 * @param accuracy the share predicted right at the threshold
 * @param auc area under the ROC curve (NaN with one class only)
 * @param logLoss mean log loss
 * @param calibration reliability bins and expected calibration error
 */
public record WindowPerformance(
    Instant start,
    int version,
    long count,
    long positives,
    double accuracy,
    double auc,
    double logLoss,
    BinaryMetrics.Calibration calibration) {

  /**
   * Groups joined predictions by window (of their prediction time) and version, ordered by window,
   * then version.
   */
  public static List<WindowPerformance> of(
      List<LabeledPrediction> joined, Duration window, double threshold, int bins) {
    Map<Instant, Map<Integer, List<LabeledPrediction>>> groups = new TreeMap<>();
    for (LabeledPrediction p : joined) {
      groups
          .computeIfAbsent(Windows.start(p.time(), window), k -> new TreeMap<>())
          .computeIfAbsent(p.version(), k -> new ArrayList<>())
          .add(p);
    }
    List<WindowPerformance> out = new ArrayList<>();
    groups.forEach(
        (start, versions) ->
            versions.forEach(
                (version, rows) -> {
                  double[] s = new double[rows.size()];
                  double[] l = new double[rows.size()];
                  long positives = 0;
                  for (int i = 0; i < s.length; i++) {
                    s[i] = rows.get(i).score();
                    l[i] = rows.get(i).label();
                    positives += l[i] >= 0.5 ? 1 : 0;
                  }
                  out.add(
                      new WindowPerformance(
                          start,
                          version,
                          s.length,
                          positives,
                          BinaryMetrics.accuracy(s, l, threshold),
                          BinaryMetrics.auc(s, l),
                          BinaryMetrics.logLoss(s, l),
                          BinaryMetrics.calibration(s, l, bins)));
                }));
    return out;
  }
}
