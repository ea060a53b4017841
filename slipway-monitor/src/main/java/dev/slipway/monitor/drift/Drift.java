package dev.slipway.monitor.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * Drift of one feature (or of the predictions) between a reference sample and a current window.
 * Stateless and thread-safe; every function is deterministic.
 *
 * <p>Definitions (the same as the tests' reference computations with SciPy):
 *
 * <ul>
 *   <li><b>Numeric bins</b>: the reference's deciles (quantile levels 0.1 … 0.9, linear
 *       interpolation, numpy's default), duplicates removed, as edges; bin {@code k} holds the
 *       values {@code x} with {@code edge[k-1] < x <= edge[k]}, the first bin everything up to the
 *       first edge and the last everything above the last edge.
 *   <li><b>Proportions</b>: counts over the sample size; for PSI an empty bin's proportion is
 *       replaced by {@link #EPSILON} (on both sides) so that the logarithm is finite.
 *   <li><b>PSI</b>: Σ (cur − ref) · ln(cur / ref), natural logarithm.
 *   <li><b>Jensen–Shannon</b>: the JS <i>distance</i> (square root of the divergence), logarithm
 *       base 2, so it lies in [0, 1]; computed on the unsmoothed proportions.
 *   <li><b>KS</b>: the two-sample Kolmogorov–Smirnov statistic D (largest gap between the two
 *       empirical CDFs) and its two-sided p-value (Apache Commons Statistics: exact for small
 *       samples, asymptotic otherwise).
 *   <li><b>Normalised Wasserstein</b>: the 1-Wasserstein (earth mover's) distance between the two
 *       empirical distributions divided by the reference's population standard deviation (the
 *       distance itself when that is 0).
 *   <li><b>Chi-square</b>: Pearson's test of homogeneity on the 2 × k table of category counts
 *       (reference and current; categories seen in either), no continuity correction.
 *   <li><b>L-infinity</b>: the largest absolute difference between the two samples' category
 *       proportions.
 * </ul>
 *
 * <p>Drift is flagged when a p-value is strictly below {@link #P_VALUE} (0.05), or a distance is at
 * or above its threshold ({@link #PSI} 0.1, {@link #WASSERSTEIN} 0.1, {@link #JENSEN_SHANNON} 0.1,
 * {@link #L_INFINITY} 0.1) — p-value thresholds exclusive, distance thresholds inclusive.
 */
public final class Drift {
  /** Proportion used in place of an empty bin's 0 for PSI. */
  public static final double EPSILON = 1e-4;

  public static final double P_VALUE = 0.05;
  public static final double PSI = 0.1;
  public static final double WASSERSTEIN = 0.1;
  public static final double JENSEN_SHANNON = 0.1;
  public static final double L_INFINITY = 0.1;

  private Drift() {}

  /**
   * Drift statistics of a numeric feature.
   *
   * @param ks two-sample Kolmogorov–Smirnov statistic D
   * @param ksPValue its two-sided p-value
   * @param psi population stability index on the reference's decile bins
   * @param wasserstein normalised 1-Wasserstein distance
   * @param jensenShannon Jensen–Shannon distance (base 2) on the decile bins
   */
  public record Numeric(
      double ks, double ksPValue, double psi, double wasserstein, double jensenShannon) {
    /** Which statistics flag drift, by name ({@code ks}, {@code psi}, ...). */
    public List<String> drifted() {
      List<String> out = new ArrayList<>();
      if (ksPValue < P_VALUE) {
        out.add("ks");
      }
      if (psi >= PSI) {
        out.add("psi");
      }
      if (wasserstein >= WASSERSTEIN) {
        out.add("wasserstein");
      }
      if (jensenShannon >= JENSEN_SHANNON) {
        out.add("jensen_shannon");
      }
      return out;
    }
  }

  /**
   * Drift statistics of a categorical feature.
   *
   * @param chiSquare Pearson's chi-square statistic of the 2 × k table
   * @param chiSquarePValue its p-value
   * @param psi population stability index over the categories
   * @param jensenShannon Jensen–Shannon distance (base 2) over the categories
   * @param lInfinity largest absolute difference of category proportions
   */
  public record Categorical(
      double chiSquare,
      double chiSquarePValue,
      double psi,
      double jensenShannon,
      double lInfinity) {
    /** Which statistics flag drift, by name. */
    public List<String> drifted() {
      List<String> out = new ArrayList<>();
      if (chiSquarePValue < P_VALUE) {
        out.add("chi_square");
      }
      if (psi >= PSI) {
        out.add("psi");
      }
      if (jensenShannon >= JENSEN_SHANNON) {
        out.add("jensen_shannon");
      }
      if (lInfinity >= L_INFINITY) {
        out.add("l_infinity");
      }
      return out;
    }
  }

  /**
   * Compares numeric samples (non-finite values must be removed first).
   *
   * @throws IllegalArgumentException when a sample has fewer than 2 values or holds NaN or an
   *     infinity
   */
  public static Numeric numeric(double[] reference, double[] current) {
    check(reference, "reference");
    check(current, "current");
    double[] ref = reference.clone();
    double[] cur = current.clone();
    Arrays.sort(ref);
    Arrays.sort(cur);
    double[] edges = decileEdges(ref);
    double[] p = proportions(binCounts(ref, edges), ref.length);
    double[] q = proportions(binCounts(cur, edges), cur.length);
    KolmogorovSmirnovTest.TwoResult ks =
        KolmogorovSmirnovTest.withDefaults().with(PValueMethod.AUTO).test(ref, cur);
    double sd = populationStd(ref);
    double w = wasserstein(ref, cur);
    return new Numeric(
        ks.getStatistic(), ks.getPValue(), psi(p, q), sd > 0 ? w / sd : w, jensenShannon(p, q));
  }

  /**
   * Compares category counts (category → rows). Categories seen in only one sample count as 0 in
   * the other.
   *
   * @throws IllegalArgumentException when a sample has no rows
   */
  public static Categorical categorical(Map<String, Long> reference, Map<String, Long> current) {
    Set<String> categories = new LinkedHashSet<>(reference.keySet());
    categories.addAll(current.keySet());
    long[] r = new long[categories.size()];
    long[] c = new long[categories.size()];
    int k = 0;
    for (String cat : categories) {
      r[k] = reference.getOrDefault(cat, 0L);
      c[k] = current.getOrDefault(cat, 0L);
      k++;
    }
    long nr = Arrays.stream(r).sum();
    long nc = Arrays.stream(c).sum();
    if (nr == 0 || nc == 0) {
      throw new IllegalArgumentException("both samples need at least one row");
    }
    double[] p = proportions(r, nr);
    double[] q = proportions(c, nc);
    double chi = 0;
    double chiP = 1;
    if (categories.size() > 1) {
      // columns seen in neither sample cannot occur here; a 2 × 1 table has no test
      var result = ChiSquareTest.withDefaults().test(new long[][] {r, c});
      chi = result.getStatistic();
      chiP = result.getPValue();
    }
    double lInf = 0;
    for (int i = 0; i < p.length; i++) {
      lInf = Math.max(lInf, Math.abs(p[i] - q[i]));
    }
    return new Categorical(chi, chiP, psi(p, q), jensenShannon(p, q), lInf);
  }

  /** The reference's deciles, without duplicates, in increasing order. */
  static double[] decileEdges(double[] sortedReference) {
    double[] edges = new double[9];
    for (int k = 1; k <= 9; k++) {
      double h = (sortedReference.length - 1) * (k / 10.0);
      int lo = (int) Math.floor(h);
      int hi = Math.min(lo + 1, sortedReference.length - 1);
      edges[k - 1] = sortedReference[lo] + (h - lo) * (sortedReference[hi] - sortedReference[lo]);
    }
    return Arrays.stream(edges).distinct().toArray();
  }

  /** Counts per bin: bin k holds edge[k-1] < x <= edge[k]. */
  static long[] binCounts(double[] sorted, double[] edges) {
    long[] counts = new long[edges.length + 1];
    for (double x : sorted) {
      int k = Arrays.binarySearch(edges, x);
      // binarySearch: an exact match on edge k belongs to bin k (x <= edge[k])
      int bin = k >= 0 ? firstEqual(edges, k) : -k - 1;
      counts[bin]++;
    }
    return counts;
  }

  private static int firstEqual(double[] edges, int k) {
    while (k > 0 && edges[k - 1] == edges[k]) {
      k--;
    }
    return k;
  }

  private static double[] proportions(long[] counts, long n) {
    double[] p = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      p[i] = (double) counts[i] / n;
    }
    return p;
  }

  static double psi(double[] p, double[] q) {
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      double a = p[i] == 0 ? EPSILON : p[i];
      double b = q[i] == 0 ? EPSILON : q[i];
      s += (b - a) * Math.log(b / a);
    }
    return s;
  }

  static double jensenShannon(double[] p, double[] q) {
    double d = 0;
    for (int i = 0; i < p.length; i++) {
      double m = (p[i] + q[i]) / 2;
      if (p[i] > 0) {
        d += 0.5 * p[i] * Math.log(p[i] / m);
      }
      if (q[i] > 0) {
        d += 0.5 * q[i] * Math.log(q[i] / m);
      }
    }
    return Math.sqrt(Math.max(0, d / Math.log(2)));
  }

  /** The 1-Wasserstein distance between two sorted samples' empirical distributions. */
  static double wasserstein(double[] u, double[] v) {
    double[] all = new double[u.length + v.length];
    System.arraycopy(u, 0, all, 0, u.length);
    System.arraycopy(v, 0, all, u.length, v.length);
    Arrays.sort(all);
    double sum = 0;
    int iu = 0;
    int iv = 0;
    for (int i = 0; i < all.length - 1; i++) {
      double x = all[i];
      while (iu < u.length && u[iu] <= x) {
        iu++;
      }
      while (iv < v.length && v[iv] <= x) {
        iv++;
      }
      double fu = (double) iu / u.length;
      double fv = (double) iv / v.length;
      sum += Math.abs(fu - fv) * (all[i + 1] - x);
    }
    return sum;
  }

  private static double populationStd(double[] x) {
    double mean = 0;
    for (double d : x) {
      mean += d;
    }
    mean /= x.length;
    double s = 0;
    for (double d : x) {
      s += (d - mean) * (d - mean);
    }
    return Math.sqrt(s / x.length);
  }

  private static void check(double[] x, String name) {
    if (x == null || x.length < 2) {
      throw new IllegalArgumentException(
          name + " sample has " + (x == null ? 0 : x.length) + " values; at least 2 are needed");
    }
    for (double d : x) {
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException(
            name + " sample holds " + d + "; remove non-finite values");
      }
    }
  }
}
