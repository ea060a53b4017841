package dev.slipway.server.web;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.http.Handlers;

/**
 * {@code GET /models/{m}/dashboard}: a model's monitoring dashboard. The page is a shell of panels
 * (traffic per version, latency percentiles, error and fallback rates, drift per feature, the live
 * metric, the rollout's state and decisions); {@code /static/slipway/dashboard.js} fills them from
 * the JSON endpoints every few seconds and draws the plots with uPlot, served from its WebJar by
 * {@link StaticAssets}. Unknown model: 404. Stateless and thread-safe.
 */
public final class DashboardPage {
  /** How often the page reloads its data. */
  static final int REFRESH_MILLIS = 5000;

  private final ModelRegistry registry;
  private final Handlers handlers;

  public DashboardPage(ModelRegistry registry, Handlers handlers) {
    this.registry = registry;
    this.handlers = handlers;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .get("/models/{name}/dashboard")
        .build(
            (ctx, req) ->
                handlers.run(
                    ctx,
                    req,
                    agg -> {
                      String name = ctx.pathParam("name");
                      registry.latest(name); // ModelNotFoundException → 404
                      return HttpResponse.of(HttpStatus.OK, MediaType.HTML_UTF_8, html(name));
                    }));
  }

  static String html(String name) {
    StringBuilder b = new StringBuilder();
    b.append("<link rel=\"stylesheet\" href=\"")
        .append(StaticAssets.UPLOT)
        .append("uPlot.min.css\"><link rel=\"stylesheet\" href=\"")
        .append(StaticAssets.SLIPWAY)
        .append("dashboard.css\">");
    b.append("<h1>")
        .append(ModelPages.esc(name))
        .append(" <span class=\"hint\">dashboard</span></h1>");
    b.append("<p class=\"hint\"><a href=\"/ui/models/")
        .append(ModelPages.esc(name))
        .append("\">model page</a> · refreshes every ")
        .append(REFRESH_MILLIS / 1000)
        .append(" s · <label class=\"inline\" for=\"range\">range</label> <select id=\"range\">")
        .append(
            "<option value=\"900\">15 min</option><option value=\"3600\" selected>1 hour</option>")
        .append("<option value=\"21600\">6 hours</option><option value=\"86400\">24 hours</option>")
        .append("</select> · <span id=\"updated\">loading…</span></p>");
    b.append("<main id=\"dashboard\" data-model=\"")
        .append(ModelPages.esc(name))
        .append("\" data-refresh-ms=\"")
        .append(REFRESH_MILLIS)
        .append("\">");
    panel(b, "traffic", "Traffic per version", "answered requests per second");
    panel(b, "latency", "Latency percentiles", "p50, p95 and p99 per version, in ms");
    panel(b, "rates", "Error and fallback rates", "4xx/5xx ÷ responses; fallback rows ÷ rows");
    panel(b, "drift", "Drift per feature", "drift statistic per feature and window");
    panel(b, "live", "Live metric", "accuracy, AUC and log loss from feedback, per version");
    b.append("<section class=\"panel wide\" id=\"panel-rollout\"><h2>Rollout</h2>")
        .append("<p class=\"empty\">loading…</p><dl id=\"rollout-state\"></dl>")
        .append("<table id=\"rollout-decisions\" hidden><thead><tr><th>time</th><th>action</th>")
        .append("<th>reason</th><th>numbers</th></tr></thead><tbody></tbody></table></section>");
    b.append("</main>");
    b.append("<script src=\"")
        .append(StaticAssets.UPLOT)
        .append("uPlot.iife.min.js\"></script><script src=\"")
        .append(StaticAssets.SLIPWAY)
        .append("dashboard.js\"></script>");
    return ModelPages.page(name + " dashboard", b.toString());
  }

  private static void panel(StringBuilder b, String id, String title, String hint) {
    b.append("<section class=\"panel\" id=\"panel-")
        .append(id)
        .append("\"><h2>")
        .append(ModelPages.esc(title))
        .append(" <span class=\"hint\">")
        .append(ModelPages.esc(hint))
        .append("</span></h2><p class=\"empty\">loading…</p><div class=\"plot\"></div></section>");
  }
}
