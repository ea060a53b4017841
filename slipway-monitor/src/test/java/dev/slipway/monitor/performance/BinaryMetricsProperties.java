package dev.slipway.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class BinaryMetricsProperties {

  @Provide
  Arbitrary<Tuple.Tuple2<double[], double[]>> labelled() {
    return Arbitraries.integers()
        .between(1, 60)
        .flatMap(
            n ->
                Combinators.combine(
                        Arbitraries.doubles().between(0, 1).ofScale(3).list().ofSize(n),
                        Arbitraries.of(0.0, 1.0).list().ofSize(n))
                    .as((s, l) -> Tuple.of(toArray(s), toArray(l))));
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Property
  void aucOfReversedScoresIsOneMinusAuc(@ForAll("labelled") Tuple.Tuple2<double[], double[]> d) {
    double[] reversed = d.get1().clone();
    for (int i = 0; i < reversed.length; i++) {
      reversed[i] = 1 - reversed[i];
    }
    double auc = BinaryMetrics.auc(d.get1(), d.get2());
    if (Double.isNaN(auc)) {
      assertThat(BinaryMetrics.auc(reversed, d.get2())).isNaN();
    } else {
      assertThat(auc).isBetween(0.0, 1.0);
      assertThat(BinaryMetrics.auc(reversed, d.get2())).isCloseTo(1 - auc, offset(1e-9));
    }
  }

  @Property
  void aucEqualsTheShareOfCorrectlyOrderedPairs(
      @ForAll("labelled") Tuple.Tuple2<double[], double[]> d) {
    double[] s = d.get1();
    double[] l = d.get2();
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < s.length; i++) {
      for (int j = 0; j < s.length; j++) {
        if (l[i] == 1 && l[j] == 0) {
          pairs++;
          wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
        }
      }
    }
    double auc = BinaryMetrics.auc(s, l);
    if (pairs == 0) {
      assertThat(auc).isNaN();
    } else {
      assertThat(auc).isCloseTo(wins / pairs, offset(1e-12));
    }
  }

  @Property
  void aucIsUnchangedByAMonotoneTransformOfTheScores(
      @ForAll("labelled") Tuple.Tuple2<double[], double[]> d) {
    double[] squashed = d.get1().clone();
    for (int i = 0; i < squashed.length; i++) {
      squashed[i] = squashed[i] * squashed[i] * squashed[i];
    }
    double a = BinaryMetrics.auc(d.get1(), d.get2());
    double b = BinaryMetrics.auc(squashed, d.get2());
    if (Double.isNaN(a)) {
      assertThat(b).isNaN();
    } else {
      assertThat(b).isCloseTo(a, offset(1e-12));
    }
  }

  @Property
  void logLossIsNonNegativeAndZeroOnlyForCertainRightAnswers(
      @ForAll("labelled") Tuple.Tuple2<double[], double[]> d) {
    assertThat(BinaryMetrics.logLoss(d.get1(), d.get2())).isGreaterThanOrEqualTo(0);
    assertThat(BinaryMetrics.logLoss(d.get2(), d.get2())).isCloseTo(0, offset(1e-12));
  }

  @Property
  void binsCountEveryRowAndEceLiesInZeroOne(
      @ForAll("labelled") Tuple.Tuple2<double[], double[]> d,
      @ForAll @IntRange(min = 1, max = 20) int bins) {
    BinaryMetrics.Calibration c = BinaryMetrics.calibration(d.get1(), d.get2(), bins);
    assertThat(c.bins()).hasSize(bins);
    assertThat(c.bins().stream().mapToLong(BinaryMetrics.Bin::count).sum())
        .isEqualTo(d.get1().length);
    assertThat(c.ece()).isBetween(0.0, 1.0);
    for (BinaryMetrics.Bin b : c.bins()) {
      if (b.count() > 0) {
        assertThat(b.meanPredicted()).isBetween(b.lower() - 1e-12, b.upper() + 1e-12);
      }
    }
  }

  @Property
  void accuracyIsTheShareOfRowsOnTheRightSideOfTheThreshold(
      @ForAll("labelled") Tuple.Tuple2<double[], double[]> d) {
    double acc = BinaryMetrics.accuracy(d.get1(), d.get2(), 0.5);
    double flipped = BinaryMetrics.accuracy(d.get1(), flip(d.get2()), 0.5);
    assertThat(acc + flipped).isCloseTo(1.0, offset(1e-12));
  }

  private static double[] flip(double[] labels) {
    double[] out = new double[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = 1 - labels[i];
    }
    return out;
  }
}
