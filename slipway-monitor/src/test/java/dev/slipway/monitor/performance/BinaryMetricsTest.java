package dev.slipway.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reference values from scikit-learn's documented examples (computed there independently of this
 * code), cited per test.
 */
class BinaryMetricsTest {

  @Test
  void aucMatchesScikitLearnsRocAucScoreExample() {
    // sklearn.metrics.roc_auc_score docs / user guide 3.4.4.x:
    // y_true = [0, 0, 1, 1]; y_scores = [0.1, 0.4, 0.35, 0.8] -> 0.75
    assertThat(BinaryMetrics.auc(new double[] {0.1, 0.4, 0.35, 0.8}, new double[] {0, 0, 1, 1}))
        .isEqualTo(0.75);
  }

  @Test
  void aucCountsTiesAsOneHalf() {
    // sklearn.metrics.roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) -> 0.5 (one tie class);
    // ([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9]) -> 0.875: pairs (0.5, 0.5) count 1/2, 3.5 of 4.
    assertThat(BinaryMetrics.auc(new double[] {0.5, 0.5, 0.5, 0.5}, new double[] {0, 1, 0, 1}))
        .isEqualTo(0.5);
    assertThat(BinaryMetrics.auc(new double[] {0.1, 0.5, 0.5, 0.9}, new double[] {0, 0, 1, 1}))
        .isEqualTo(0.875);
  }

  @Test
  void aucIsUndefinedWithOneClassOnly() {
    assertThat(BinaryMetrics.auc(new double[] {0.2, 0.9}, new double[] {1, 1})).isNaN();
    assertThat(BinaryMetrics.auc(new double[0], new double[0])).isNaN();
  }

  @Test
  void logLossMatchesScikitLearnsLogLossExample() {
    // sklearn.metrics.log_loss docs: log_loss(["spam", "ham", "ham", "spam"],
    //   [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) -> 0.21616...
    // ("spam" is the positive class, the second column its probability)
    assertThat(BinaryMetrics.logLoss(new double[] {0.9, 0.1, 0.2, 0.65}, new double[] {1, 0, 0, 1}))
        .isCloseTo(0.21616187468057912, offset(1e-12));
  }

  @Test
  void logLossClipsCertainWrongPredictions() {
    // -log(1e-15) = 34.538776394910684
    assertThat(BinaryMetrics.logLoss(new double[] {0.0}, new double[] {1}))
        .isCloseTo(34.538776394910684, offset(1e-9));
  }

  @Test
  void accuracyCountsScoresAtTheThresholdAsPositive() {
    // sklearn.metrics.accuracy_score([0, 1, 1, 0], [0, 1, 0, 0]) -> 0.75 after thresholding
    double[] scores = {0.1, 0.5, 0.49, 0.2};
    assertThat(BinaryMetrics.accuracy(scores, new double[] {0, 1, 1, 0}, 0.5)).isEqualTo(0.75);
    assertThat(BinaryMetrics.accuracy(scores, new double[] {0, 1, 1, 0}, 0.4)).isEqualTo(1.0);
  }

  @Test
  void calibrationBinsMatchScikitLearnsCalibrationCurveExample() {
    // sklearn.calibration.calibration_curve docs: y_true = [0, 0, 0, 0, 1, 1, 1, 1, 1],
    // y_pred = [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.], n_bins=3
    //   -> prob_true [0., 0.5, 1.], prob_pred [0.2, 0.525, 0.85]
    // ECE (Guo et al. 2017, eq. 3) = 3/9*|0.2-0| + 2/9*|0.525-0.5| + 4/9*|0.85-1| = 0.138888...
    BinaryMetrics.Calibration c =
        BinaryMetrics.calibration(
            new double[] {0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0},
            new double[] {0, 0, 0, 0, 1, 1, 1, 1, 1},
            3);

    List<BinaryMetrics.Bin> bins = c.bins();
    assertThat(bins).extracting(BinaryMetrics.Bin::count).containsExactly(3L, 2L, 4L);
    assertThat(bins.get(0).observedRate()).isEqualTo(0.0);
    assertThat(bins.get(1).observedRate()).isEqualTo(0.5);
    assertThat(bins.get(2).observedRate()).isEqualTo(1.0);
    assertThat(bins.get(0).meanPredicted()).isCloseTo(0.2, offset(1e-12));
    assertThat(bins.get(1).meanPredicted()).isCloseTo(0.525, offset(1e-12));
    assertThat(bins.get(2).meanPredicted()).isCloseTo(0.85, offset(1e-12));
    assertThat(c.ece()).isCloseTo(0.1388888888888889, offset(1e-12));
  }

  @Test
  void aScoreOnAnInnerEdgeBelongsToTheBinBelow() {
    // numpy.searchsorted(bins[1:-1], 0.5) with bins = linspace(0, 1, 3) -> 0
    BinaryMetrics.Calibration c =
        BinaryMetrics.calibration(new double[] {0.5, 0.0}, new double[] {1, 0}, 2);
    assertThat(c.bins()).extracting(BinaryMetrics.Bin::count).containsExactly(2L, 0L);
    assertThat(c.bins().get(1).meanPredicted()).isNaN();
  }
}
