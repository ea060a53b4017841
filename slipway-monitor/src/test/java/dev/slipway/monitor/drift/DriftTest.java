package dev.slipway.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Drift statistics against reference values computed independently with SciPy 1.17.1 and NumPy
 * 2.4.6 (scipy.stats.ks_2samp, scipy.stats.wasserstein_distance / numpy.std,
 * scipy.stats.chi2_contingency(correction=False), scipy.spatial.distance.jensenshannon(base=2),
 * numpy.quantile for the decile edges, numpy.searchsorted(side="left") for the bins). The script:
 *
 * <pre>
 * ref = np.array([(i * 7919 % 1000) / 100.0 for i in range(30)])
 * cur = np.array([(i * 104729 % 1300) / 100.0 + 0.5 for i in range(40)])
 * ks = stats.ks_2samp(ref, cur, method='exact')
 * edges = np.unique(np.quantile(ref, [k / 10 for k in range(1, 10)]))
 * props = lambda x: np.bincount(np.searchsorted(edges, x, side='left'),
 *                               minlength=len(edges) + 1) / len(x)
 * p, q = props(ref), props(cur); pe, qe = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
 * psi = np.sum((qe - pe) * np.log(qe / pe))
 * w = stats.wasserstein_distance(ref, cur) / np.std(ref)
 * js = jensenshannon(p, q, base=2)
 * </pre>
 */
class DriftTest {
  static double[] seq(int n, int mul, int mod, double div, double scale, double shift) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = ((long) i * mul % mod) / div * scale + shift;
    }
    return x;
  }

  @Test
  void numericStatisticsEqualScipy() {
    double[] ref = seq(30, 7919, 1000, 100.0, 1, 0);
    double[] cur = seq(40, 104729, 1300, 100.0, 1, 0.5);
    Drift.Numeric d = Drift.numeric(ref, cur);
    assertThat(d.ks()).isCloseTo(0.275, within(1e-12));
    assertThat(d.ksPValue()).isCloseTo(0.12755887464860563, within(1e-6));
    assertThat(d.psi()).isCloseTo(0.46620428185842, within(1e-9));
    assertThat(d.wasserstein()).isCloseTo(0.519478741623585, within(1e-9));
    assertThat(d.jensenShannon()).isCloseTo(0.28310830438759577, within(1e-9));
    assertThat(d.drifted()).containsExactly("psi", "wasserstein", "jensen_shannon");
  }

  @Test
  void largeSamplesEqualScipyToo() {
    // ref2 = [((i * 7919) % 10007) / 1000.0 for i in range(5000)]
    // cur2 = [((i * 6007) % 10009) / 1000.0 * 1.1 for i in range(6000)]
    double[] ref = seq(5000, 7919, 10007, 1000.0, 1, 0);
    double[] cur = seq(6000, 6007, 10009, 1000.0, 1.1, 0);
    Drift.Numeric d = Drift.numeric(ref, cur);
    assertThat(d.ks()).isCloseTo(0.08636666666666659, within(1e-9));
    assertThat(d.ksPValue()).isLessThan(1e-12); // SciPy's asymptotic value: 3.8e-18
    assertThat(d.psi()).isCloseTo(0.056308338633397195, within(1e-9));
    assertThat(d.wasserstein()).isCloseTo(0.1592329837795128, within(1e-9));
    assertThat(d.jensenShannon()).isCloseTo(0.10015485496297519, within(1e-9));
  }

  @Test
  void categoricalStatisticsEqualScipy() {
    // rc = [50, 30, 15, 5]; cc = [30, 30, 25, 0]
    Map<String, Long> ref = new LinkedHashMap<>();
    ref.put("a", 50L);
    ref.put("b", 30L);
    ref.put("c", 15L);
    ref.put("d", 5L);
    Map<String, Long> cur = Map.of("a", 30L, "b", 30L, "c", 25L);
    Drift.Categorical d = Drift.categorical(ref, cur);
    assertThat(d.chiSquare()).isCloseTo(11.358455882352942, within(1e-9));
    assertThat(d.chiSquarePValue()).isCloseTo(0.009937388963965016, within(1e-9));
    assertThat(d.psi()).isCloseTo(0.466975292800371, within(1e-9));
    assertThat(d.jensenShannon()).isCloseTo(0.23003779841717956, within(1e-9));
    assertThat(d.lInfinity()).isCloseTo(0.14705882352941174, within(1e-12));
    assertThat(d.drifted()).containsExactly("chi_square", "psi", "jensen_shannon", "l_infinity");
  }

  @Test
  void identicalSamplesShowNoDrift() {
    double[] x = seq(500, 7919, 1000, 10.0, 1, 0);
    Drift.Numeric d = Drift.numeric(x, x.clone());
    assertThat(d.ks()).isZero();
    assertThat(d.psi()).isZero();
    assertThat(d.wasserstein()).isZero();
    assertThat(d.jensenShannon()).isZero();
    assertThat(d.drifted()).isEmpty();
    Drift.Categorical c = Drift.categorical(Map.of("a", 3L, "b", 1L), Map.of("a", 30L, "b", 10L));
    assertThat(c.drifted()).isEmpty();
    assertThat(c.lInfinity()).isZero();
  }

  @Test
  void badSamplesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> Drift.numeric(new double[0], new double[] {1}))
        .hasMessageContaining("reference sample has 0 values; at least 2 are needed");
    assertThatThrownBy(() -> Drift.numeric(new double[] {1, 2}, new double[] {1, Double.NaN}))
        .hasMessageContaining("current sample holds NaN");
    assertThatThrownBy(() -> Drift.categorical(Map.of(), Map.of("a", 1L)))
        .hasMessageContaining("at least one row");
  }
}
