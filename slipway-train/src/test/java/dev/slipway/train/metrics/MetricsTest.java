package dev.slipway.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void aucMatchesTheScikitLearnDocumentationExample() {
    // scikit-learn, sklearn.metrics.roc_auc_score documentation example:
    // y_true = [0, 0, 1, 1], y_scores = [0.1, 0.4, 0.35, 0.8] -> roc_auc_score = 0.75
    double auc =
        Metrics.auc(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true});
    assertThat(auc).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void tiedScoresCountOneHalfPerPair() {
    // By hand: positives {0.5, 0.9}, negatives {0.2, 0.5}. Pairs (pos, neg):
    // (0.5, 0.2) = 1, (0.5, 0.5) = 1/2, (0.9, 0.2) = 1, (0.9, 0.5) = 1 -> 3.5 / 4 = 0.875
    double auc =
        Metrics.auc(new double[] {0.2, 0.5, 0.5, 0.9}, new boolean[] {false, true, false, true});
    assertThat(auc).isCloseTo(0.875, within(1e-12));
  }

  @Test
  void allScoresTiedGiveOneHalf() {
    assertThat(Metrics.auc(new double[] {3, 3, 3}, new boolean[] {true, false, false}))
        .isEqualTo(0.5);
  }

  @Test
  void perfectAndReversedRankingsGiveOneAndZero() {
    boolean[] labels = {false, false, true, true};
    assertThat(Metrics.auc(new double[] {1, 2, 3, 4}, labels)).isEqualTo(1.0);
    assertThat(Metrics.auc(new double[] {4, 3, 2, 1}, labels)).isEqualTo(0.0);
  }

  @Test
  void aucIsRefusedWhenOnlyOneClassIsPresent() {
    assertThatThrownBy(() -> Metrics.auc(new double[] {0.1, 0.2}, new boolean[] {true, true}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both positive and negative");
  }

  @Test
  void logLossMatchesTheScikitLearnDocumentationExample() {
    // scikit-learn, sklearn.metrics.log_loss documentation example:
    // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    // = 0.21616... ; exactly -(2 ln 0.9 + ln 0.8 + ln 0.65) / 4 = 0.21616187468057912
    double loss =
        Metrics.logLoss(
            new double[] {0.9, 0.1, 0.2, 0.65}, new boolean[] {true, false, false, true});
    assertThat(loss).isCloseTo(0.21616187468057912, within(1e-12));
  }

  @Test
  void logLossClipsCertainWrongAnswersToAFiniteLoss() {
    // -ln(1e-15) = 34.538776394910684
    assertThat(Metrics.logLoss(new double[] {0.0}, new boolean[] {true}))
        .isCloseTo(34.538776394910684, within(1e-9));
    assertThat(Metrics.logLoss(new double[] {1.0}, new boolean[] {false}))
        .isCloseTo(34.538776394910684, within(1e-3)); // 1 - 1e-15 is not exact in binary
    assertThat(Metrics.logLoss(new double[] {1.0, 0.0}, new boolean[] {true, false}))
        .isCloseTo(0.0, within(1e-14));
  }

  @Test
  void accuracyAndPositiveRateCountRows() {
    boolean[] actual = {true, false, false, false};
    assertThat(Metrics.accuracy(new boolean[] {true, true, false, false}, actual)).isEqualTo(0.75);
    assertThat(Metrics.positiveRate(actual)).isEqualTo(0.25);
  }

  @Test
  void mismatchedOrEmptyArraysAreRefused() {
    assertThatThrownBy(() -> Metrics.logLoss(new double[] {0.5}, new boolean[] {true, false}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("equal length");
    assertThatThrownBy(() -> Metrics.auc(new double[0], new boolean[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no rows");
    assertThatThrownBy(() -> Metrics.auc(new double[] {Double.NaN, 1}, new boolean[] {true, false}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scores[0] is NaN");
  }
}
