package dev.slipway.monitor.performance;

import dev.slipway.api.Record;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.monitor.drift.Drift;
import dev.slipway.monitor.drift.ProfileDrift;
import dev.slipway.monitor.log.LoggedPrediction;
import dev.slipway.monitor.log.PredictionLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Drift per window and version, from the prediction log: each feature of the window's logged inputs
 * against the version's training profile ({@link ProfileDrift}), and the window's scores against a
 * reference sample of the same version's scores (prediction drift). The reference is, unless given,
 * the version's first window of logged traffic: the scores it gave when it started serving.
 * Stateless.
 */
public final class WindowDrift {
  private WindowDrift() {}

  /**
   * The drift of one feature in one window.
   *
   * @param start the window's start
   * @param version the model version
   * @param drift the statistics (null statistics when the window has too few values)
   */
  public record FeaturePoint(Instant start, int version, ProfileDrift.FeatureDrift drift) {}

  /**
   * The drift of the scores in one window.
   *
   * @param start the window's start
   * @param version the model version
   * @param count scores in the window
   * @param referenceCount scores in the reference
   * @param drift the statistics, or null with fewer than 2 scores on either side
   */
  public record ScorePoint(
      Instant start, int version, long count, long referenceCount, Drift.Numeric drift) {}

  /**
   * Per window and version: feature drift (empty for a version without a profile) and prediction
   * drift.
   *
   * @param features feature points, by window, version, then the profile's feature order
   * @param scores score points, by window, then version
   * @param unprofiled versions in the range without a data profile
   */
  public record Result(
      List<FeaturePoint> features, List<ScorePoint> scores, List<Integer> unprofiled) {}

  /**
   * Computes drift over {@code [from, to)}.
   *
   * @param profiles the data profile of a version of the model, if it has one
   * @param referenceFrom with {@code referenceTo}, the period whose scores are the reference of
   *     prediction drift; null for each version's first window of logged traffic
   * @param maxRows most logged rows read (the oldest first)
   */
  public static Result compute(
      PredictionLog log,
      String model,
      Instant from,
      Instant to,
      Duration window,
      IntFunction<Optional<DataProfile>> profiles,
      Instant referenceFrom,
      Instant referenceTo,
      int maxRows) {
    Map<Instant, Map<Integer, List<LoggedPrediction>>> groups = new TreeMap<>();
    for (LoggedPrediction p : log.window(model, null, from, to, maxRows, true)) {
      groups
          .computeIfAbsent(Windows.start(p.time(), window), k -> new TreeMap<>())
          .computeIfAbsent(p.version(), k -> new ArrayList<>())
          .add(p);
    }
    Map<Integer, Optional<DataProfile>> profileOf = new HashMap<>();
    Map<Integer, double[]> referenceOf = new HashMap<>();
    List<FeaturePoint> features = new ArrayList<>();
    List<ScorePoint> scores = new ArrayList<>();
    List<Integer> unprofiled = new ArrayList<>();
    groups.forEach(
        (start, versions) ->
            versions.forEach(
                (version, rows) -> {
                  Optional<DataProfile> profile =
                      profileOf.computeIfAbsent(
                          version,
                          v -> {
                            Optional<DataProfile> p = profiles.apply(v);
                            if (p.isEmpty()) {
                              unprofiled.add(v);
                            }
                            return p;
                          });
                  if (profile.isPresent()) {
                    List<Record> records = new ArrayList<>();
                    for (LoggedPrediction p : rows) {
                      if (p.inputs() != null) {
                        records.add(Record.of(p.inputs()));
                      }
                    }
                    for (ProfileDrift.FeatureDrift d :
                        ProfileDrift.compare(profile.get(), records)) {
                      features.add(new FeaturePoint(start, version, d));
                    }
                  }
                  double[] ref =
                      referenceOf.computeIfAbsent(
                          version,
                          v ->
                              reference(
                                  log, model, v, window, referenceFrom, referenceTo, maxRows));
                  double[] cur = scoresOf(rows);
                  scores.add(
                      new ScorePoint(
                          start,
                          version,
                          cur.length,
                          ref.length,
                          ref.length >= 2 && cur.length >= 2 ? Drift.numeric(ref, cur) : null));
                }));
    return new Result(features, scores, unprofiled);
  }

  private static double[] reference(
      PredictionLog log,
      String model,
      int version,
      Duration window,
      Instant referenceFrom,
      Instant referenceTo,
      int maxRows) {
    Instant a = referenceFrom;
    Instant b = referenceTo;
    if (a == null || b == null) {
      Optional<Instant> first = log.first(model, version);
      if (first.isEmpty()) {
        return new double[0];
      }
      a = first.get();
      b = a.plus(window);
    }
    return scoresOf(log.window(model, version, a, b, maxRows, false));
  }

  private static double[] scoresOf(List<LoggedPrediction> rows) {
    return rows.stream()
        .map(LoggedPrediction::score)
        .filter(s -> s != null && Double.isFinite(s))
        .mapToDouble(Double::doubleValue)
        .toArray();
  }
}
