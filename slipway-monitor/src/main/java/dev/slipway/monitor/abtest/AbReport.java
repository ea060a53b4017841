package dev.slipway.monitor.abtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The A/B report of a model: per variant the counts, the metric with its confidence interval, the
 * p-value of its difference from the control and the sample size per arm needed to detect the
 * configured effect.
 *
 * @param metric the metric's name
 * @param binary whether the metric is a rate (Wilson intervals, two-proportion z-test) or a mean
 *     (normal intervals, z-test of means)
 * @param control the control version
 * @param effect the effect the sample size is computed for (absolute)
 * @param alpha the significance level; intervals are {@code 1 − alpha}
 * @param power the power the sample size is computed for
 * @param variants one row per version, the control first
 */
public record AbReport(
    String metric,
    boolean binary,
    int control,
    double effect,
    double alpha,
    double power,
    List<Variant> variants) {

  /**
   * One variant.
   *
   * @param version the version
   * @param requests its requests
   * @param errors its failed requests
   * @param metricCount its metric values (feedback)
   * @param metricValue the metric (a rate or a mean), NaN without values
   * @param interval its confidence interval, null without values
   * @param difference the metric minus the control's, NaN for the control or without values
   * @param differenceInterval its interval (Newcombe for rates), null when not computable
   * @param pValue the two-sided p-value against the control, NaN for the control or without values
   * @param sampleSizePerArm values per arm needed to detect {@code effect}, NaN when not computable
   */
  public record Variant(
      int version,
      long requests,
      long errors,
      long metricCount,
      double metricValue,
      Interval interval,
      double difference,
      Interval differenceInterval,
      double pValue,
      double sampleSizePerArm) {}

  /** One version's inputs: requests, errors and metric moments. */
  public record Counts(long requests, long errors, Moments metric) {}

  /**
   * Builds the report.
   *
   * @param counts by version; must hold {@code control}
   */
  public static AbReport of(
      String metric,
      boolean binary,
      int control,
      Map<Integer, Counts> counts,
      double effect,
      double alpha,
      double power) {
    Counts c = counts.get(control);
    if (c == null) {
      throw new IllegalArgumentException("no counts for the control version " + control);
    }
    double confidence = 1 - alpha;
    List<Variant> rows = new ArrayList<>();
    rows.add(row(control, c, null, binary, effect, alpha, power, confidence));
    for (Map.Entry<Integer, Counts> e : new java.util.TreeMap<>(counts).entrySet()) {
      if (e.getKey() != control) {
        rows.add(row(e.getKey(), e.getValue(), c, binary, effect, alpha, power, confidence));
      }
    }
    return new AbReport(metric, binary, control, effect, alpha, power, List.copyOf(rows));
  }

  private static Variant row(
      int version,
      Counts v,
      Counts control,
      boolean binary,
      double effect,
      double alpha,
      double power,
      double confidence) {
    Moments m = v.metric();
    double value = m.n() == 0 ? Double.NaN : m.mean();
    Interval ci = null;
    if (m.n() > 0) {
      ci =
          binary
              ? Proportions.wilson(successes(m), m.n(), confidence)
              : Proportions.meanInterval(m, confidence);
    }
    double diff = Double.NaN;
    Interval diffCi = null;
    double p = Double.NaN;
    Moments base = control == null ? m : control.metric();
    if (control != null && m.n() > 0 && base.n() > 0) {
      diff = m.mean() - base.mean();
      if (binary) {
        diffCi =
            Proportions.newcombeDifference(
                successes(m), m.n(), successes(base), base.n(), confidence);
        p = Proportions.zTest(successes(base), base.n(), successes(m), m.n()).pValue();
      } else {
        double z = Proportions.quantile(confidence);
        double se = Math.sqrt(m.variance() / m.n() + base.variance() / base.n());
        diffCi = new Interval(diff - z * se, diff + z * se);
        p = Proportions.meanTest(base, m).pValue();
      }
    }
    double n = Double.NaN;
    if (base.n() > 0) {
      double rate = base.mean();
      if (binary) {
        if (rate > 0 && rate + effect < 1) {
          n = Math.ceil(Proportions.sampleSizePerArm(rate, rate + effect, alpha, power));
        }
      } else if (base.n() > 1) {
        n =
            Math.ceil(
                Proportions.sampleSizePerArmMeans(
                    Math.sqrt(base.variance()), effect, alpha, power));
      }
    }
    return new Variant(version, v.requests(), v.errors(), m.n(), value, ci, diff, diffCi, p, n);
  }

  private static long successes(Moments m) {
    return Math.round(m.sum());
  }
}
