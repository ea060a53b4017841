package dev.slipway.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DriftProperties {

  static double[] array(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Property(tries = 200)
  void statisticsStayInTheirRanges(
      @ForAll @Size(min = 2, max = 200) List<@DoubleRange(min = -1e3, max = 1e3) Double> a,
      @ForAll @Size(min = 2, max = 200) List<@DoubleRange(min = -1e3, max = 1e3) Double> b) {
    Drift.Numeric d = Drift.numeric(array(a), array(b));
    assertThat(d.ks()).isBetween(0.0, 1.0);
    assertThat(d.ksPValue()).isBetween(0.0, 1.0);
    assertThat(d.psi()).isGreaterThanOrEqualTo(0.0);
    assertThat(d.jensenShannon()).isBetween(0.0, 1.0 + 1e-12);
    assertThat(d.wasserstein()).isGreaterThanOrEqualTo(0.0);
  }

  @Property(tries = 200)
  void shiftingASampleMovesTheWassersteinDistanceByTheShift(
      @ForAll @Size(min = 2, max = 200) List<@DoubleRange(min = -1e3, max = 1e3) Double> a,
      @ForAll @DoubleRange(min = -100, max = 100) double shift) {
    double[] x = array(a);
    double[] y = x.clone();
    for (int i = 0; i < y.length; i++) {
      y[i] += shift;
    }
    double sd =
        Math.sqrt(
            java.util.Arrays.stream(x).map(v -> v * v).average().orElse(0)
                - Math.pow(java.util.Arrays.stream(x).average().orElse(0), 2));
    double expected = sd > 1e-9 ? Math.abs(shift) / sd : Math.abs(shift);
    assertThat(Drift.numeric(x, y).wasserstein())
        .isCloseTo(expected, within(1e-6 * Math.max(1, expected)));
  }

  @Property(tries = 200)
  void categoricalJensenShannonIsSymmetricAndZeroOnlyForEqualProportions(
      @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 5) Integer> a,
      @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 5) Integer> b) {
    Map<String, Long> x = counts(a);
    Map<String, Long> y = counts(b);
    Drift.Categorical xy = Drift.categorical(x, y);
    Drift.Categorical yx = Drift.categorical(y, x);
    assertThat(xy.jensenShannon()).isCloseTo(yx.jensenShannon(), within(1e-12));
    assertThat(xy.lInfinity()).isCloseTo(yx.lInfinity(), within(1e-12));
    assertThat(xy.psi()).isCloseTo(yx.psi(), within(1e-9)); // PSI is symmetric too
    assertThat(Drift.categorical(x, x).jensenShannon()).isZero();
  }

  static Map<String, Long> counts(List<Integer> xs) {
    return xs.stream()
        .collect(Collectors.groupingBy(i -> "c" + i, Collectors.counting()))
        .entrySet()
        .stream()
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (p, q) -> p));
  }
}
