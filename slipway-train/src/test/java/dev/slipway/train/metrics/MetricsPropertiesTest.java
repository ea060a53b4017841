package dev.slipway.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MetricsPropertiesTest {

  /** Scores and labels of equal length with both classes present. */
  record Scored(double[] scores, boolean[] positives) {
    static Scored of(List<Double> scores, List<Boolean> positives) {
      boolean[] p = new boolean[positives.size()];
      for (int i = 0; i < p.length; i++) {
        p[i] = positives.get(i);
      }
      return new Scored(scores.stream().mapToDouble(Double::doubleValue).toArray(), p);
    }

    boolean hasBothClasses() {
      boolean pos = false;
      boolean neg = false;
      for (boolean b : positives) {
        pos |= b;
        neg |= !b;
      }
      return pos && neg;
    }

    boolean hasNoTies() {
      return Arrays.stream(scores).distinct().count() == scores.length;
    }
  }

  @Provide
  Arbitrary<Scored> scored() {
    // small integers make ties common; wide doubles make them rare
    Arbitrary<Double> score =
        Arbitraries.oneOf(
            Arbitraries.integers().between(-3, 3).map(Integer::doubleValue),
            Arbitraries.doubles().between(-1e6, 1e6));
    return Arbitraries.integers()
        .between(2, 60)
        .flatMap(
            n ->
                Combinators.combine(
                        score.list().ofSize(n), Arbitraries.of(true, false).list().ofSize(n))
                    .as(Scored::of))
        .filter(Scored::hasBothClasses);
  }

  @Property
  void aucLiesBetweenZeroAndOne(@ForAll("scored") Scored s) {
    assertThat(Metrics.auc(s.scores(), s.positives())).isBetween(0.0, 1.0);
  }

  @Property
  void aucEqualsTheShareOfCorrectlyOrderedPairs(@ForAll("scored") Scored s) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < s.scores().length; i++) {
      for (int j = 0; j < s.scores().length; j++) {
        if (s.positives()[i] && !s.positives()[j]) {
          pairs++;
          wins += s.scores()[i] > s.scores()[j] ? 1 : s.scores()[i] == s.scores()[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(Metrics.auc(s.scores(), s.positives())).isCloseTo(wins / pairs, within(1e-12));
  }

  /**
   * Like {@link #scored()}, but every score distinct (generated so, not filtered: no rejections).
   */
  @Provide
  Arbitrary<Scored> distinctScored() {
    return Arbitraries.integers()
        .between(2, 60)
        .flatMap(
            n ->
                Combinators.combine(
                        Arbitraries.doubles().between(-1e6, 1e6).list().ofSize(n).uniqueElements(),
                        Arbitraries.of(true, false).list().ofSize(n))
                    .as(Scored::of))
        .filter(Scored::hasBothClasses);
  }

  @Property
  void negatingDistinctScoresGivesOneMinusTheAuc(@ForAll("distinctScored") Scored s) {
    assertThat(s.hasNoTies()).isTrue();
    double[] negated = Arrays.stream(s.scores()).map(x -> -x).toArray();
    assertThat(Metrics.auc(negated, s.positives()))
        .isCloseTo(1 - Metrics.auc(s.scores(), s.positives()), within(1e-12));
  }

  @Property
  void logLossIsNeverNegative(@ForAll("probabilities") Scored s) {
    assertThat(Metrics.logLoss(s.scores(), s.positives())).isGreaterThanOrEqualTo(0.0).isFinite();
  }

  @Provide
  Arbitrary<Scored> probabilities() {
    Arbitrary<Double> p =
        Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, 0.5), Arbitraries.doubles().between(0, 1));
    return Arbitraries.integers()
        .between(1, 60)
        .flatMap(
            n ->
                Combinators.combine(
                        p.list().ofSize(n), Arbitraries.of(true, false).list().ofSize(n))
                    .as(Scored::of));
  }
}
