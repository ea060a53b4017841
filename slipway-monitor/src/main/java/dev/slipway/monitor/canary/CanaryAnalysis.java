package dev.slipway.monitor.canary;

import dev.slipway.monitor.abtest.Msprt;
import dev.slipway.monitor.abtest.Proportions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Judges one step of a rollout from the two arms' outcomes in that step: a pure function.
 *
 * <ol>
 *   <li>Either arm has fewer than {@code minSamples} requests: wait.
 *   <li>Error rate: the mSPRT of {@code candidate − stable} against {@code maxErrorIncrease}
 *       rejects with the candidate above it: roll back.
 *   <li>p99 latency: the candidate's exceeds {@code maxP99Ratio} times the stable's: roll back (a
 *       threshold on percentiles each measured from at least {@code minSamples} requests, not a
 *       significance test).
 *   <li>Metric (if any): either arm has fewer than {@code minSamples} values: wait. The mSPRT of
 *       the improvement against {@code −margin} rejects with the candidate below it: roll back;
 *       rejects with the candidate above it: the candidate passes; otherwise: wait (inconclusive).
 *   <li>The step has not run for {@code minStepDuration}: wait. Otherwise: advance.
 * </ol>
 *
 * The sequential test is always valid, so judging a step at every evaluation does not raise the
 * chance of a false rollback or promotion above {@code alpha} per step and guard.
 */
public final class CanaryAnalysis {
  private CanaryAnalysis() {}

  /** The smallest mixing scale of the error-rate test: a half-point change in the error rate. */
  static final double ERROR_TAU = 0.005;

  /** A verdict and its numbers. */
  public record Verdict(Decision.Outcome outcome, String reason, Map<String, Object> numbers) {}

  public static Verdict judge(
      RolloutSpec spec,
      Duration elapsed,
      VariantStats.Window stable,
      VariantStats.Window candidate) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("stepSeconds", elapsed.toMillis() / 1000.0);
    n.put("stable", arm(spec.stable(), stable));
    n.put("candidate", arm(spec.candidate(), candidate));
    long min = spec.minSamples();
    if (stable.requests() < min || candidate.requests() < min) {
      return new Verdict(
          Decision.Outcome.WAIT,
          "not enough requests yet: "
              + stable.requests()
              + " (stable) and "
              + candidate.requests()
              + " (candidate) of "
              + min
              + " each",
          n);
    }

    double tau = Math.max(spec.maxErrorIncrease(), ERROR_TAU);
    Msprt.Look errors =
        Msprt.testProportions(
            stable.errors(),
            stable.requests(),
            candidate.errors(),
            candidate.requests(),
            spec.maxErrorIncrease(),
            tau * tau,
            spec.alpha());
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("difference", errors.difference());
    e.put("tolerance", spec.maxErrorIncrease());
    e.put("msprtPValue", errors.pValue());
    e.put(
        "zTestPValue",
        Proportions.zTest(
                stable.errors(), stable.requests(), candidate.errors(), candidate.requests())
            .pValue());
    n.put("errorRate", e);
    if (errors.rejected() && errors.difference() > spec.maxErrorIncrease()) {
      return new Verdict(
          Decision.Outcome.ROLLBACK,
          String.format(
              java.util.Locale.ROOT,
              "error rate %.4f is significantly above stable's %.4f + %.4f (always-valid p = %.3g)",
              candidate.errorRate(),
              stable.errorRate(),
              spec.maxErrorIncrease(),
              errors.pValue()),
          n);
    }

    double ratio = candidate.p99Millis() / stable.p99Millis();
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("ratio", Double.isFinite(ratio) ? ratio : null);
    l.put("maxRatio", spec.maxP99Ratio());
    n.put("p99", l);
    if (Double.isFinite(ratio) && ratio > spec.maxP99Ratio()) {
      return new Verdict(
          Decision.Outcome.ROLLBACK,
          String.format(
              java.util.Locale.ROOT,
              "p99 latency %.1f ms is %.2f times stable's %.1f ms (at most %.2f allowed)",
              candidate.p99Millis(),
              ratio,
              stable.p99Millis(),
              spec.maxP99Ratio()),
          n);
    }

    MetricSpec metric = spec.metric();
    if (metric != null) {
      if (stable.metric().n() < min || candidate.metric().n() < min) {
        return new Verdict(
            Decision.Outcome.WAIT,
            "not enough "
                + metric.name()
                + " feedback yet: "
                + stable.metric().n()
                + " (stable) and "
                + candidate.metric().n()
                + " (candidate) of "
                + min
                + " each",
            n);
      }
      int dir = metric.direction();
      double theta0 = -dir * metric.margin();
      double tau2 = metric.effect() * metric.effect();
      Msprt.Look look =
          metric.binary()
              ? Msprt.testProportions(
                  Math.round(stable.metric().sum()),
                  stable.metric().n(),
                  Math.round(candidate.metric().sum()),
                  candidate.metric().n(),
                  theta0,
                  tau2,
                  spec.alpha())
              : Msprt.test(stable.metric(), candidate.metric(), theta0, tau2, spec.alpha());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", metric.name());
      m.put("stable", stable.metric().mean());
      m.put("candidate", candidate.metric().mean());
      m.put("difference", look.difference());
      m.put("margin", metric.margin());
      m.put("msprtPValue", look.pValue());
      m.put("zTestPValue", Proportions.meanTest(stable.metric(), candidate.metric()).pValue());
      n.put("metric", m);
      double beyond = dir * (look.difference() - theta0);
      if (look.rejected() && beyond < 0) {
        return new Verdict(
            Decision.Outcome.ROLLBACK,
            String.format(
                java.util.Locale.ROOT,
                "%s %.4f is significantly worse than stable's %.4f (margin %.4f, always-valid p ="
                    + " %.3g)",
                metric.name(),
                candidate.metric().mean(),
                stable.metric().mean(),
                metric.margin(),
                look.pValue()),
            n);
      }
      if (!look.rejected()) {
        return new Verdict(
            Decision.Outcome.WAIT,
            String.format(
                java.util.Locale.ROOT,
                "inconclusive: %s %.4f vs stable's %.4f (always-valid p = %.3g, needs < %s)",
                metric.name(),
                candidate.metric().mean(),
                stable.metric().mean(),
                look.pValue(),
                spec.alpha()),
            n);
      }
    }
    if (elapsed.compareTo(spec.minStepDuration()) < 0) {
      return new Verdict(
          Decision.Outcome.WAIT,
          "guards pass; the step runs at least "
              + spec.minStepDuration().toSeconds()
              + " s ("
              + elapsed.toSeconds()
              + " s so far)",
          n);
    }
    return new Verdict(
        Decision.Outcome.ADVANCE,
        metric == null
            ? "error rate and p99 latency within limits"
            : "error rate and p99 latency within limits; "
                + metric.name()
                + (metric.margin() == 0 ? " significantly better" : " non-inferior"),
        n);
  }

  private static Map<String, Object> arm(Integer version, VariantStats.Window w) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("version", version);
    a.put("requests", w.requests());
    a.put("errors", w.errors());
    a.put("errorRate", w.requests() == 0 ? null : w.errorRate());
    a.put("p99Millis", Double.isFinite(w.p99Millis()) ? w.p99Millis() : null);
    a.put("metricCount", w.metric().n());
    a.put("metricMean", w.metric().n() == 0 ? null : w.metric().mean());
    return a;
  }
}
