package dev.slipway.server.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.monitor.Monitoring;
import dev.slipway.monitor.drift.Drift;
import dev.slipway.monitor.drift.ProfileDrift;
import dev.slipway.monitor.log.LoggedPrediction;
import dev.slipway.monitor.log.PredictionLog;
import dev.slipway.monitor.performance.BinaryMetrics;
import dev.slipway.monitor.performance.WindowDrift;
import dev.slipway.monitor.performance.WindowPerformance;
import dev.slipway.monitor.performance.Windows;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.serving.guard.Guards;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Monitoring over HTTP, as series a dashboard plots ({@code [{time, version, value}]} per
 * statistic, undefined values as null):
 *
 * <ul>
 *   <li>{@code GET /api/v1/models/{m}/performance?window=1h&from=&to=&threshold=&bins=10}: live
 *       performance per window and version from joined feedback;
 *   <li>{@code GET /api/v1/models/{m}/drift?window=1h&from=&to=&reference_from=&reference_to=}:
 *       feature drift against the version's training profile and prediction drift;
 *   <li>{@code GET /api/v1/models/{m}/predictions?from=&to=&version=&limit=100}: logged rows;
 *   <li>{@code POST /api/v1/monitoring/retention}: applies retention now.
 * </ul>
 *
 * {@code from} and {@code to} are ISO-8601 instants; the range is {@code [from, to)}, by default
 * the last 24 hours. Thread-safe.
 */
public final class MonitoringService {
  /** Most windows one series request may span. */
  public static final long MAX_WINDOWS = 10_000;

  private final Monitoring monitoring;
  private final ModelRegistry registry;
  private final Handlers handlers;
  private final Clock clock;

  public MonitoringService(
      Monitoring monitoring, ModelRegistry registry, Handlers handlers, Clock clock) {
    this.monitoring = monitoring;
    this.registry = registry;
    this.handlers = handlers;
    this.clock = clock;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .get("/api/v1/models/{name}/performance")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> performance(ctx)));
    sb.route()
        .get("/api/v1/models/{name}/drift")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> drift(ctx)));
    sb.route()
        .get("/api/v1/models/{name}/predictions")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> predictions(ctx)));
    sb.route()
        .post("/api/v1/monitoring/retention")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> retention()));
  }

  /** The range and window of a series request. */
  private record Range(String model, Instant from, Instant to, Duration window) {}

  private Range range(ServiceRequestContext ctx, boolean windowed) {
    String model = ctx.pathParam("name");
    registry.latest(model); // 404 naming an unknown model
    QueryParams q = ctx.queryParams();
    Duration window =
        q.contains("window")
            ? Windows.parse(q.get("window"), "window")
            : monitoring.settings().performanceWindow();
    Instant to = instant(q.get("to"), "to", clock.instant());
    Instant from = instant(q.get("from"), "from", to.minus(Duration.ofDays(1)));
    if (!from.isBefore(to)) {
      throw InvalidInputException.of("from", from.toString(), "a time before 'to' (" + to + ")");
    }
    if (windowed && Duration.between(from, to).dividedBy(window) > MAX_WINDOWS) {
      throw InvalidInputException.of(
          "window",
          Windows.format(window),
          "a window giving at most " + MAX_WINDOWS + " windows between from and to");
    }
    return new Range(model, from, to, window);
  }

  private HttpResponse performance(ServiceRequestContext ctx) {
    Range r = range(ctx, true);
    QueryParams q = ctx.queryParams();
    double threshold =
        number(q.get("threshold"), "threshold", monitoring.settings().threshold(r.model()), 0, 1);
    int bins = (int) whole(q.get("bins"), "bins", 10, 1, 100);
    List<WindowPerformance> w =
        monitoring.performance(r.model(), r.from(), r.to(), r.window(), threshold, bins);
    Map<String, Object> series = new LinkedHashMap<>();
    series.put("count", points(w, p -> p.count()));
    series.put("positive_rate", points(w, p -> (double) p.positives() / p.count()));
    series.put("accuracy", points(w, WindowPerformance::accuracy));
    series.put("auc", points(w, WindowPerformance::auc));
    series.put("log_loss", points(w, WindowPerformance::logLoss));
    series.put("ece", points(w, p -> p.calibration().ece()));
    List<Map<String, Object>> calibration = new ArrayList<>();
    for (WindowPerformance p : w) {
      List<Map<String, Object>> bs = new ArrayList<>();
      for (BinaryMetrics.Bin b : p.calibration().bins()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lower", b.lower());
        m.put("upper", b.upper());
        m.put("count", b.count());
        m.put("mean_predicted", value(b.meanPredicted()));
        m.put("observed_rate", value(b.observedRate()));
        bs.add(m);
      }
      Map<String, Object> m = point(p.start(), p.version());
      m.put("bins", bs);
      calibration.add(m);
    }
    Map<String, Object> out = header(r);
    out.put("threshold", threshold);
    out.put("series", series);
    out.put("calibration", calibration);
    return Handlers.json(OipJson.object(out));
  }

  private HttpResponse drift(ServiceRequestContext ctx) {
    Range r = range(ctx, true);
    QueryParams q = ctx.queryParams();
    Instant refFrom = instant(q.get("reference_from"), "reference_from", null);
    Instant refTo = instant(q.get("reference_to"), "reference_to", null);
    if ((refFrom == null) != (refTo == null)) {
      throw InvalidInputException.missing(
          refFrom == null ? "reference_from" : "reference_to",
          "both reference_from and reference_to, or neither");
    }
    if (refFrom != null && !refFrom.isBefore(refTo)) {
      throw InvalidInputException.of(
          "reference_from", refFrom.toString(), "a time before reference_to (" + refTo + ")");
    }
    WindowDrift.Result d =
        monitoring.drift(
            r.model(), r.from(), r.to(), r.window(), v -> profile(r.model(), v), refFrom, refTo);

    // feature -> statistic -> points, in the order first seen
    Map<String, Map<String, List<Map<String, Object>>>> byFeature = new LinkedHashMap<>();
    Map<String, String> kinds = new LinkedHashMap<>();
    for (WindowDrift.FeaturePoint p : d.features()) {
      ProfileDrift.FeatureDrift f = p.drift();
      Map<String, Double> stats = new LinkedHashMap<>();
      if (f.numeric() != null) {
        kinds.put(f.feature(), "numeric");
        numeric(f.numeric(), stats);
      } else if (f.categorical() != null) {
        kinds.put(f.feature(), "categorical");
        Drift.Categorical c = f.categorical();
        stats.put("chi_square", c.chiSquare());
        stats.put("chi_square_p_value", c.chiSquarePValue());
        stats.put("psi", c.psi());
        stats.put("jensen_shannon", c.jensenShannon());
        stats.put("l_infinity", c.lInfinity());
      }
      Map<String, List<Map<String, Object>>> s =
          byFeature.computeIfAbsent(f.feature(), k -> new LinkedHashMap<>());
      List<String> drifted = f.drifted();
      stats.forEach(
          (name, v) -> {
            Map<String, Object> m = point(p.start(), p.version());
            m.put("value", value(v));
            m.put("count", f.windowValues());
            m.put("drifted", drifted.contains(name));
            s.computeIfAbsent(name, k -> new ArrayList<>()).add(m);
          });
    }
    List<Map<String, Object>> features = new ArrayList<>();
    byFeature.forEach(
        (feature, stats) ->
            stats.forEach(
                (stat, points) -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("feature", feature);
                  m.put("kind", kinds.get(feature));
                  m.put("statistic", stat);
                  m.put("points", points);
                  features.add(m);
                }));

    Map<String, List<Map<String, Object>>> byStat = new LinkedHashMap<>();
    for (WindowDrift.ScorePoint p : d.scores()) {
      if (p.drift() == null) {
        continue;
      }
      Map<String, Double> stats = new LinkedHashMap<>();
      numeric(p.drift(), stats);
      List<String> drifted = p.drift().drifted();
      stats.forEach(
          (name, v) -> {
            Map<String, Object> m = point(p.start(), p.version());
            m.put("value", value(v));
            m.put("count", p.count());
            m.put("reference_count", p.referenceCount());
            m.put("drifted", drifted.contains(name));
            byStat.computeIfAbsent(name, k -> new ArrayList<>()).add(m);
          });
    }
    List<Map<String, Object>> prediction = new ArrayList<>();
    byStat.forEach(
        (stat, points) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("statistic", stat);
          m.put("points", points);
          prediction.add(m);
        });

    Map<String, Object> out = header(r);
    Map<String, Object> reference = new LinkedHashMap<>();
    if (refFrom == null) {
      reference.put("scores", "the first window of each version's logged traffic");
    } else {
      reference.put("scores", "the version's logged scores from reference_from to reference_to");
      reference.put("from", refFrom.toString());
      reference.put("to", refTo.toString());
    }
    reference.put("features", "the version's training data profile");
    out.put("reference", reference);
    out.put("features", features);
    out.put("prediction", prediction);
    out.put("unprofiled_versions", d.unprofiled());
    return Handlers.json(OipJson.object(out));
  }

  private HttpResponse predictions(ServiceRequestContext ctx) {
    Range r = range(ctx, false);
    QueryParams q = ctx.queryParams();
    int limit = (int) whole(q.get("limit"), "limit", 100, 1, 1000);
    Integer version = null;
    if (q.contains("version")) {
      version = (int) whole(q.get("version"), "version", 1, 1, Integer.MAX_VALUE);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (LoggedPrediction p :
        monitoring.log().window(r.model(), version, r.from(), r.to(), limit, true)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", p.time().toString());
      m.put("request_id", p.requestId());
      m.put("row", p.row());
      m.put("version", p.version());
      m.put("served_by", p.servedBy());
      m.put("entity", p.entity());
      m.put("latency_micros", p.latencyMicros());
      m.put("score", p.score());
      m.put("inputs", p.inputs());
      m.put("outputs", p.outputs());
      rows.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", r.model());
    out.put("from", r.from().toString());
    out.put("to", r.to().toString());
    out.put("predictions", rows);
    return Handlers.json(OipJson.object(out));
  }

  private HttpResponse retention() {
    PredictionLog.Pruned p = monitoring.applyRetention();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("retention_days", monitoring.settings().retentionDays());
    out.put("deleted_predictions", p.predictions());
    out.put("deleted_feedback", p.feedback());
    return Handlers.json(OipJson.object(out));
  }

  private Optional<DataProfile> profile(String model, int version) {
    return registry.document(model, version, Guards.PROFILE).map(DataProfile::fromYaml);
  }

  private static void numeric(Drift.Numeric n, Map<String, Double> stats) {
    stats.put("ks", n.ks());
    stats.put("ks_p_value", n.ksPValue());
    stats.put("psi", n.psi());
    stats.put("wasserstein", n.wasserstein());
    stats.put("jensen_shannon", n.jensenShannon());
  }

  private static Map<String, Object> header(Range r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", r.model());
    out.put("window", Windows.format(r.window()));
    out.put("from", r.from().toString());
    out.put("to", r.to().toString());
    return out;
  }

  private static Map<String, Object> point(Instant time, int version) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", time.toString());
    m.put("version", version);
    return m;
  }

  private static List<Map<String, Object>> points(
      List<WindowPerformance> w, ToDoubleFunction<WindowPerformance> f) {
    List<Map<String, Object>> out = new ArrayList<>(w.size());
    for (WindowPerformance p : w) {
      Map<String, Object> m = point(p.start(), p.version());
      double v = f.applyAsDouble(p);
      m.put("value", value(v));
      out.add(m);
    }
    return out;
  }

  /** A JSON number, or null when undefined. */
  private static Object value(double v) {
    return Double.isFinite(v) ? (Object) v : null;
  }

  private static Instant instant(String text, String field, Instant fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw InvalidInputException.of(
          field, text, "an ISO-8601 instant such as 2026-03-01T10:00:00Z");
    }
  }

  private static double number(String text, String field, double fallback, double min, double max) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      double v = Double.parseDouble(text.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw InvalidInputException.of(
        field, text, "a number from " + (long) min + " to " + (long) max);
  }

  private static long whole(String text, String field, long fallback, long min, long max) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      long v = Long.parseLong(text.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw InvalidInputException.of(field, text, "a whole number from " + min + " to " + max);
  }
}
