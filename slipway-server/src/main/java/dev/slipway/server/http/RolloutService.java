package dev.slipway.server.http;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.monitor.abtest.AbReport;
import dev.slipway.monitor.abtest.Interval;
import dev.slipway.monitor.canary.CanaryController;
import dev.slipway.monitor.canary.Decision;
import dev.slipway.monitor.canary.Rollout;
import dev.slipway.monitor.canary.RolloutSpec;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.serving.route.Router;
import dev.slipway.serving.route.TrafficPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Traffic policies, canary rollouts and A/B reports over REST:
 *
 * <ul>
 *   <li>{@code GET|PUT|DELETE /api/v1/models/{name}/traffic}: the model's traffic policy
 *   <li>{@code GET /api/v1/models/{name}/rollout}: the newest rollout and its decisions
 *   <li>{@code POST /api/v1/models/{name}/rollout}: start a canary
 *   <li>{@code POST /api/v1/models/{name}/rollout/abort}: stop it, traffic back to stable
 *   <li>{@code POST /api/v1/models/{name}/rollout/evaluate}: judge the current step now
 *   <li>{@code GET /api/v1/models/{name}/abtest}: the A/B report
 * </ul>
 *
 * The actor is the {@code X-Slipway-Actor} header, as for the registry API. Thread-safe.
 */
public final class RolloutService {
  private final ModelRegistry registry;
  private final Router router;
  private final CanaryController canary;
  private final Handlers handlers;

  public RolloutService(
      ModelRegistry registry, Router router, CanaryController canary, Handlers handlers) {
    this.registry = registry;
    this.router = router;
    this.canary = canary;
    this.handlers = handlers;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .get("/api/v1/models/{name}/traffic")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> traffic(ctx)));
    sb.route()
        .put("/api/v1/models/{name}/traffic")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> setTraffic(ctx, agg)));
    sb.route()
        .delete("/api/v1/models/{name}/traffic")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> clearTraffic(ctx, agg)));
    sb.route()
        .get("/api/v1/models/{name}/rollout")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> rollout(ctx)));
    sb.route()
        .post("/api/v1/models/{name}/rollout")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> start(ctx, agg)));
    sb.route()
        .post("/api/v1/models/{name}/rollout/abort")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> abort(ctx, agg)));
    sb.route()
        .post("/api/v1/models/{name}/rollout/evaluate")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> evaluate(ctx)));
    sb.route()
        .get("/api/v1/models/{name}/abtest")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> abtest(ctx)));
  }

  private String model(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    registry.versions(name); // 404 for an unknown model
    return name;
  }

  private HttpResponse traffic(ServiceRequestContext ctx) {
    String name = model(ctx);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", name);
    out.put("policy", router.policy(name).map(TrafficPolicy::toJson).orElse(null));
    out.put("bandit", posteriors(name));
    return Handlers.json(OipJson.object(out));
  }

  private HttpResponse setTraffic(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = model(ctx);
    TrafficPolicy policy = TrafficPolicy.fromJson(Bodies.object(agg));
    canary.setPolicy(name, policy, RegistryService.actor(agg));
    return traffic(ctx);
  }

  private HttpResponse clearTraffic(ServiceRequestContext ctx, AggregatedHttpRequest agg) {
    String name = model(ctx);
    canary.clearPolicy(name, RegistryService.actor(agg));
    return traffic(ctx);
  }

  private HttpResponse rollout(ServiceRequestContext ctx) {
    String name = model(ctx);
    CanaryController.State s =
        canary
            .state(name)
            .orElseThrow(
                () -> new ModelNotFoundException("model '" + name + "' has no rollout yet"));
    return Handlers.json(OipJson.object(describe(s)));
  }

  private HttpResponse start(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = model(ctx);
    RolloutSpec spec = RolloutSpec.fromJson(name, Bodies.object(agg));
    if (spec.metric() != null) {
      // the server computes the metric from feedback: only the metrics it knows can be judged
      dev.slipway.monitor.canary.FeedbackMetric.check(spec.metric());
    }
    return Handlers.json(OipJson.object(describe(canary.start(spec, RegistryService.actor(agg)))));
  }

  private HttpResponse abort(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = model(ctx);
    String reason = null;
    if (!agg.content().isEmpty()) {
      reason = RegistryService.text(Bodies.object(agg), "reason");
    }
    return Handlers.json(
        OipJson.object(describe(canary.abort(name, RegistryService.actor(agg), reason))));
  }

  private HttpResponse evaluate(ServiceRequestContext ctx) {
    String name = model(ctx);
    canary
        .evaluate(name)
        .orElseThrow(
            () -> new ModelNotFoundException("model '" + name + "' has no running rollout"));
    return rollout(ctx);
  }

  private HttpResponse abtest(ServiceRequestContext ctx) {
    String name = model(ctx);
    Integer control = null;
    String c = ctx.queryParam("control");
    if (c != null) {
      try {
        control = Integer.parseInt(c);
      } catch (NumberFormatException e) {
        throw InvalidInputException.of("control", c, "a version number");
      }
    }
    double hours = number(ctx, "hours", 24, 0.001, 24 * 365);
    double alpha = number(ctx, "alpha", 0.05, 1e-6, 0.5);
    double power = number(ctx, "power", 0.8, 0.5, 0.999999);
    String effectText = ctx.queryParam("effect");
    Double effect = effectText == null ? null : number(ctx, "effect", 0.01, 1e-9, 1);
    AbReport r =
        canary.report(
            name, control, Duration.ofMillis((long) (hours * 3_600_000)), effect, alpha, power);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", name);
    out.put("metric", r.metric());
    out.put("binary", r.binary());
    out.put("control", r.control());
    out.put("effect", r.effect());
    out.put("alpha", r.alpha());
    out.put("power", r.power());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (AbReport.Variant v : r.variants()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", v.version());
      m.put("requests", v.requests());
      m.put("errors", v.errors());
      m.put("metricCount", v.metricCount());
      m.put("metric", finite(v.metricValue()));
      m.put("interval", interval(v.interval()));
      m.put("difference", finite(v.difference()));
      m.put("differenceInterval", interval(v.differenceInterval()));
      m.put("pValue", finite(v.pValue()));
      m.put("sampleSizePerArm", finite(v.sampleSizePerArm()));
      rows.add(m);
    }
    out.put("variants", rows);
    return Handlers.json(OipJson.object(out));
  }

  private static double number(
      ServiceRequestContext ctx, String param, double dflt, double min, double max) {
    String t = ctx.queryParam(param);
    if (t == null) {
      return dflt;
    }
    try {
      double v = Double.parseDouble(t);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw InvalidInputException.of(param, t, "a number from " + min + " to " + max);
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static List<Double> interval(Interval i) {
    return i == null ? null : List.of(i.lower(), i.upper());
  }

  private Map<String, Object> posteriors(String name) {
    Map<String, Object> out = new LinkedHashMap<>();
    router
        .posteriors(name)
        .forEach(
            (v, p) ->
                out.put(
                    Integer.toString(v),
                    Map.of(
                        "successes", p.successes(), "failures", p.failures(), "mean", p.mean())));
    return out;
  }

  private static Map<String, Object> describe(CanaryController.State s) {
    Rollout r = s.rollout();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", r.id());
    out.put("model", r.spec().model());
    out.put("status", r.status().name());
    out.put("stable", r.spec().stable());
    out.put("candidate", r.spec().candidate());
    out.put("percent", r.percent());
    out.put("step", r.stepIndex());
    out.put("stepStartedAt", r.stepStartedAt().toString());
    out.put("startedAt", r.startedAt().toString());
    out.put("spec", r.spec().toJson());
    List<Map<String, Object>> ds = new ArrayList<>();
    for (Decision d : s.decisions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("auditId", d.auditId());
      m.put("at", d.at().toString());
      m.put("step", d.stepIndex());
      m.put("percent", d.percent());
      m.put("outcome", d.outcome().name());
      m.put("reason", d.reason());
      m.put("numbers", d.numbers());
      ds.add(m);
    }
    out.put("decisions", ds);
    return out;
  }
}
