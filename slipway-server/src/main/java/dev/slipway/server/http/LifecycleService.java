package dev.slipway.server.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.monitor.alert.Alert;
import dev.slipway.monitor.alert.AlertRule;
import dev.slipway.monitor.lifecycle.LifecycleStep;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.config.LifecycleConfig;
import dev.slipway.server.lifecycle.AlertEvaluator;
import dev.slipway.server.lifecycle.Lifecycle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/alerts}: the alert rules with their state (firing, the last closed window's
 * value) and the alerts fired, newest last; {@code GET /api/v1/models/{name}/lifecycle}: the
 * model's policy, whether a run is under way, and the recorded steps of its runs (404 for an
 * unknown model). Thread-safe.
 */
public final class LifecycleService {
  private final Lifecycle lifecycle;
  private final ModelRegistry registry;
  private final Handlers handlers;

  public LifecycleService(Lifecycle lifecycle, ModelRegistry registry, Handlers handlers) {
    this.lifecycle = lifecycle;
    this.registry = registry;
    this.handlers = handlers;
  }

  public void bind(ServerBuilder sb) {
    sb.route().get("/api/v1/alerts").build((ctx, req) -> handlers.run(ctx, req, agg -> alerts()));
    sb.route()
        .get("/api/v1/models/{name}/lifecycle")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> lifecycle(ctx)));
  }

  private HttpResponse alerts() {
    LifecycleConfig.Alerts a = lifecycle.config().alerts();
    List<Map<String, Object>> rules = new ArrayList<>();
    a.rules()
        .forEach(
            (model, list) -> {
              Optional<AlertEvaluator.Evaluated> last = lifecycle.evaluator().latest(model);
              for (AlertRule r : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", model);
                m.put("name", r.name());
                m.put("metric", r.metric());
                m.put("direction", r.direction() == AlertRule.Direction.BELOW ? "below" : "above");
                m.put("threshold", r.threshold());
                m.put("windows", r.windows());
                m.put("description", r.describe());
                m.put("state", lifecycle.engine().isFiring(model, r.name()) ? "firing" : "ok");
                double v = lifecycle.lastValue(model, r.name());
                m.put("last_value", Double.isFinite(v) ? v : null);
                m.put("last_window_end", last.map(e -> e.end().toString()).orElse(null));
                rules.add(m);
              }
            });
    List<Map<String, Object>> fired = new ArrayList<>();
    for (Alert f : lifecycle.fired()) {
      fired.add(Lifecycle.alertFields(f));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("window_seconds", a.window().toMillis() / 1000.0);
    out.put("close_delay_seconds", a.closeDelay().toMillis() / 1000.0);
    out.put("rules", rules);
    out.put("fired", fired);
    return Handlers.json(OipJson.object(out));
  }

  private HttpResponse lifecycle(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    registry.versions(name); // 404 for an unknown model
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", name);
    LifecycleConfig.Policy p = lifecycle.config().policies().get(name);
    if (p == null) {
      out.put("policy", null);
    } else {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("on_alerts", new ArrayList<>(p.policy().onAlerts()));
      m.put("cooldown_seconds", p.policy().cooldown().toSeconds());
      m.put("canary_steps", p.policy().canarySteps());
      m.put("retrain_window_seconds", p.retrain().window().toSeconds());
      m.put("retrain_min_rows", p.retrain().minRows());
      m.put("holdout", p.retrain().holdout());
      m.put("canary_min_samples", p.canary().minSamples());
      m.put("canary_min_step_seconds", p.canary().minStepDuration().toMillis() / 1000.0);
      m.put("canary_metric", p.canary().metric() == null ? null : p.canary().metric().name());
      Map<String, Object> gate = new LinkedHashMap<>();
      gate.put("at_least", p.gate().atLeast());
      gate.put("at_most", p.gate().atMost());
      gate.put("max_worsening", p.gate().maxWorsening());
      m.put("gate", gate);
      out.put("policy", m);
    }
    out.put("running", lifecycle.loop().running(name));
    List<Map<String, Object>> steps = new ArrayList<>();
    for (LifecycleStep s : lifecycle.loop().steps(name)) {
      steps.add(Lifecycle.stepFields(s));
    }
    out.put("steps", steps);
    return Handlers.json(OipJson.object(out));
  }
}
