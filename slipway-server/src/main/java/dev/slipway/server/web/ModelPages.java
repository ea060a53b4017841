package dev.slipway.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.TensorSpec;
import dev.slipway.guard.heuristic.Heuristic;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.RegisteredModel;
import dev.slipway.server.http.Handlers;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ServedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTML pages: {@code /} lists the models; {@code /ui/models/{m}} has a form generated from the
 * model's schema that calls the records API and shows the answer, an API console with a ready
 * sample request for each protocol, a Send button and the raw response, and for a guarded model its
 * guards: the checks, the fallback chain, the circuit breaker's state and what they did. Stateless.
 */
public final class ModelPages {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final ModelHost host;
  private final Handlers handlers;
  private final Guards guards;

  public ModelPages(ModelHost host, Handlers handlers) {
    this(host, handlers, null);
  }

  /**
   * @param guards the models' guards, shown on the page of a guarded model; null for none
   */
  public ModelPages(ModelHost host, Handlers handlers, Guards guards) {
    this.host = host;
    this.handlers = handlers;
    this.guards = guards;
  }

  public void bind(ServerBuilder sb) {
    sb.route().get("/").build((ctx, req) -> handlers.run(ctx, req, agg -> html(index())));
    sb.route()
        .get("/ui/models/{name}")
        .build(
            (ctx, req) ->
                handlers.run(
                    ctx, req, agg -> html(modelPage(host.get(ctx.pathParam("name"), null)))));
  }

  private static HttpResponse html(String body) {
    return HttpResponse.of(HttpStatus.OK, MediaType.HTML_UTF_8, body);
  }

  static String esc(Object o) {
    String s = String.valueOf(o);
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String page(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + esc(title)
        + " · Slipway</title><style>"
        + "body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1d2330}"
        + "h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}"
        + "label{display:block;margin:.5rem 0 .2rem;font-weight:600}input,select{padding:.3rem;min-width:14rem}"
        + "textarea{width:100%;font-family:monospace;min-height:9rem}pre{background:#f4f5f7;padding:.8rem;overflow:auto}"
        + "button{margin-top:.8rem;padding:.4rem 1.2rem;background:#1e5eff;color:#fff;border:0;border-radius:4px;cursor:pointer}"
        + ".hint{color:#667;font-weight:normal;font-size:.85rem}.err{color:#b00020}table{border-collapse:collapse}"
        + "td,th{padding:.3rem .8rem;border-bottom:1px solid #eee;text-align:left}code{background:#f4f5f7;padding:0 .2rem}"
        + "</style></head><body>"
        + body
        + "</body></html>";
  }

  private String index() {
    StringBuilder b =
        new StringBuilder(
            "<h1>Slipway</h1><p>Models served here:</p><table><tr><th>model</th><th>latest version</th><th></th></tr>");
    for (RegisteredModel m : host.registry().models()) {
      b.append("<tr><td>")
          .append(esc(m.name()))
          .append("</td><td>")
          .append(m.latestVersion())
          .append("</td><td><a href=\"/ui/models/")
          .append(esc(m.name()))
          .append("\">try it</a></td></tr>");
    }
    b.append(
        "</table><p>APIs: <code>GET /v2</code> (Open Inference Protocol v2), <code>GET /api/v1/models</code>, <code>GET /metrics</code>.</p>");
    return page("Models", b.toString());
  }

  private String modelPage(ServedModel m) throws Exception {
    ModelVersion v = m.version();
    String name = m.name();
    StringBuilder b = new StringBuilder();
    b.append("<h1>")
        .append(esc(name))
        .append(" <span class=\"hint\">version ")
        .append(m.number())
        .append(" · ")
        .append(esc(v.format()))
        .append("</span></h1>");
    b.append("<p><a id=\"dashboard-link\" href=\"/models/")
        .append(esc(name))
        .append("/dashboard\">Dashboard</a> <span class=\"hint\">traffic, latency, errors,")
        .append(" fallbacks, drift and rollout over time</span></p>");
    if (!v.metrics().isEmpty()) {
      List<String> shown = new ArrayList<>();
      v.metrics().forEach((k, val) -> shown.add(esc(k) + " = " + esc(number(val))));
      b.append("<p class=\"hint\">Held-out metrics: ")
          .append(String.join("; ", shown))
          .append("</p>");
    }
    Map<String, Object> sample = new LinkedHashMap<>();
    if (m.codec().isPresent()) {
      b.append("<h2>Try it</h2><form id=\"try\" novalidate>");
      for (Field f : m.codec().get().schema().fields()) {
        Object value = ServedModel.sampleValue(f);
        sample.put(f.name(), value);
        b.append("<label for=\"f-")
            .append(esc(f.name()))
            .append("\">")
            .append(esc(f.name()))
            .append(" <span class=\"hint\">")
            .append(esc(hint(f)))
            .append("</span></label>");
        if (!f.domain().isEmpty()) {
          b.append("<select id=\"f-")
              .append(esc(f.name()))
              .append("\" name=\"")
              .append(esc(f.name()))
              .append("\" data-type=\"BYTES\">");
          for (String d : f.domain()) {
            b.append("<option>").append(esc(d)).append("</option>");
          }
          b.append("</select>");
        } else if (f.type() == DataType.BOOL) {
          b.append("<input type=\"checkbox\" id=\"f-")
              .append(esc(f.name()))
              .append("\" name=\"")
              .append(esc(f.name()))
              .append("\" data-type=\"BOOL\" checked>");
        } else {
          b.append("<input id=\"f-")
              .append(esc(f.name()))
              .append("\" name=\"")
              .append(esc(f.name()))
              .append("\" data-type=\"")
              .append(f.type())
              .append("\"")
              .append(
                  f.type().isNumeric()
                      ? " type=\"number\" step=\"any\" required"
                      : " type=\"text\"")
              .append(f.min() != null ? " min=\"" + f.min() + "\"" : "")
              .append(f.max() != null ? " max=\"" + f.max() + "\"" : "")
              .append(" value=\"")
              .append(esc(value))
              .append("\">");
        }
      }
      b.append(
          "<br><button type=\"submit\">Predict</button></form><h3>Answer</h3><pre id=\"answer\">(submit the form)</pre>");
    }
    b.append(guardsSection(m));
    b.append(
        "<h2>API console</h2><p>Edit a sample request and send it; the raw response is shown as received.</p>");
    List<String[]> samples = new ArrayList<>();
    String base = "/v2/models/" + name + "/infer";
    samples.add(
        new String[] {
          "Open Inference Protocol v2",
          "POST",
          base,
          "application/json",
          JSON.writeValueAsString(oipSample(m, sample))
        });
    if (m.codec().isPresent()) {
      String records = JSON.writeValueAsString(Map.of("records", List.of(sample)));
      String predict = "/api/v1/models/" + name + "/predict";
      samples.add(
          new String[] {"Records API, JSON answer", "POST", predict, "application/json", records});
      samples.add(
          new String[] {"Records API, XML answer", "POST", predict, "application/xml", records});
      samples.add(new String[] {"Records API, CSV answer", "POST", predict, "text/csv", records});
    }
    samples.add(
        new String[] {
          "Model metadata (OIP v2)", "GET", "/v2/models/" + name, "application/json", ""
        });
    for (int i = 0; i < samples.size(); i++) {
      String[] s = samples.get(i);
      b.append("<h3>")
          .append(esc(s[0]))
          .append("</h3><p><code>")
          .append(s[1])
          .append(' ')
          .append(esc(s[2]))
          .append("</code> <span class=\"hint\">Accept: ")
          .append(esc(s[3]))
          .append("</span></p>");
      if (s[1].equals("POST")) {
        b.append("<textarea id=\"body-")
            .append(i)
            .append("\">")
            .append(esc(s[4]))
            .append("</textarea>");
        b.append(
                "<p class=\"hint\">curl -s -X POST -H 'Content-Type: application/json' -H 'Accept: ")
            .append(esc(s[3]))
            .append("' --data @request.json http://HOST")
            .append(esc(s[2]))
            .append("</p>");
      }
      b.append("<button class=\"send\" data-i=\"")
          .append(i)
          .append("\" data-method=\"")
          .append(s[1])
          .append("\" data-url=\"")
          .append(esc(s[2]))
          .append("\" data-accept=\"")
          .append(esc(s[3]))
          .append("\">Send</button>")
          .append("<pre id=\"resp-")
          .append(i)
          .append("\"></pre>");
    }
    b.append("<script>")
        .append(SCRIPT.replace("__PREDICT__", "/api/v1/models/" + jsString(name) + "/predict"))
        .append("</script>");
    return page(name, b.toString());
  }

  /**
   * The guards of a guarded model: per feature what is accepted (the data profile's range or domain
   * where it has one) and what a failed check does, the output checks, the fallback chain with the
   * circuit breaker's state, and the counts of input outcomes, answers per link and output check
   * failures (the counters of {@code /metrics}).
   */
  private String guardsSection(ServedModel m) {
    if (guards == null || !guards.guarded(m.name()) || m.codec().isEmpty()) {
      return "";
    }
    Guards.ModelGuard g = guards.guard(m);
    GuardSpec spec = g.spec();
    Guards.Counts counts = guards.counts(m.name());
    StringBuilder b = new StringBuilder("<h2 id=\"guards\">Guards</h2>");
    b.append(
        "<p class=\"hint\">Each record is checked before the model sees it and each answer before"
            + " the caller does; a record the model cannot answer goes down the fallback chain, and"
            + " every answer says which link gave it (<code>served_by</code>). Counts are since the"
            + " server started, over all versions; <code>/metrics</code> has the same counters"
            + " (<code>slipway_guard_*</code>). Ranges and domains are the schema's, narrowed by the"
            + " version's data profile where it knows the feature.</p>");

    b.append("<h3>Input checks</h3><table id=\"guard-inputs\"><tr><th>feature</th><th>type</th>")
        .append("<th>accepted</th><th>when a check fails</th></tr>");
    Map<String, Field> schema = new LinkedHashMap<>();
    m.codec().get().schema().fields().forEach(f -> schema.put(f.name(), f));
    for (InputGuard.Rule r : g.input().rules()) {
      Field f = r.field();
      Field declared = schema.get(f.name());
      boolean fromProfile =
          declared != null
              && (!java.util.Objects.equals(declared.min(), f.min())
                  || !java.util.Objects.equals(declared.max(), f.max())
                  || !new java.util.HashSet<>(declared.domain())
                      .equals(new java.util.HashSet<>(f.domain())));
      b.append("<tr data-feature=\"")
          .append(esc(f.name()))
          .append("\"><td>")
          .append(esc(f.name()))
          .append("</td><td>")
          .append(f.type())
          .append("</td><td>")
          .append(esc(accepted(f)))
          .append(fromProfile ? " <span class=\"hint\">(data profile)</span>" : "")
          .append(f.nullable() ? " <span class=\"hint\">or missing</span>" : "")
          .append("</td><td>")
          .append(esc(policy(r)))
          .append("</td></tr>");
    }
    b.append("</table>");

    b.append("<h3>Output checks</h3><ul id=\"guard-outputs\"><li>every number is finite</li>");
    new java.util.TreeMap<>(spec.outputRanges())
        .forEach(
            (name, range) ->
                b.append("<li><code>")
                    .append(esc(name))
                    .append("</code> in ")
                    .append(esc(range))
                    .append("</li>"));
    if (spec.confidenceOutput() != null) {
      b.append("<li>confidence (the largest value of <code>")
          .append(esc(spec.confidenceOutput()))
          .append("</code>) at least ")
          .append(number(spec.minConfidence()))
          .append(", else the model abstains</li>");
    }
    b.append("</ul>");

    GuardSpec.Breaker br = spec.breaker();
    b.append("<h3>Fallback chain</h3><ol id=\"guard-chain\">");
    if (g.filtered()) {
      b.append(
          "<li>the filtering model sends records it expects the model to get wrong down the"
              + " chain</li>");
    }
    b.append("<li>")
        .append(esc(g.label()))
        .append(" (the model), behind its circuit breaker: <b id=\"guard-breaker\">")
        .append(esc(g.breaker().getState().name()))
        .append("</b> <span class=\"hint\">opens when ")
        .append(br.failureRatePercent())
        .append(" % of the last ")
        .append(br.window())
        .append(" calls (at least ")
        .append(br.minimumCalls())
        .append(") failed or took over ")
        .append(esc(seconds(br.slowCall())))
        .append("; stays open ")
        .append(esc(seconds(br.open())))
        .append("</span></li>");
    for (String link : spec.fallback()) {
      b.append("<li>");
      if (link.equals(GuardSpec.HEURISTIC)) {
        b.append("the heuristic: ").append(esc(describe(spec.heuristic())));
      } else {
        b.append("model <code>").append(esc(link)).append("</code>");
      }
      b.append("</li>");
    }
    b.append("<li>otherwise 503, naming the record and why each link could not answer</li></ol>");

    b.append(
        "<h3>Counts</h3><table id=\"guard-counts\"><tr><th>records by input check</th><th></th></tr>");
    counts.inputs().forEach((outcome, n) -> row(b, "input", outcome, n));
    b.append("<tr><th>rows answered by</th><th></th></tr>");
    Map<String, Long> answers = new LinkedHashMap<>(counts.answers());
    row(b, "answer", Guards.PRIMARY_LINK, take(answers, Guards.PRIMARY_LINK));
    for (String link : spec.fallback()) {
      String metric =
          link.equals(GuardSpec.HEURISTIC)
              ? link
              : dev.slipway.registry.ModelRef.parse(link).name();
      row(b, "answer", metric, take(answers, metric));
    }
    long errors = take(answers, Guards.ERROR_LINK);
    answers.forEach((link, n) -> row(b, "answer", link, n));
    b.append("<tr><th>other</th><th></th></tr>");
    row(b, "other", "requests no link could answer (503)", errors);
    counts
        .outputs()
        .forEach((problem, n) -> row(b, "output", "output check failed: " + problem, n));
    row(b, "other", "calls the open breaker turned away", counts.breakerRejected());
    if (g.filtered() || counts.filtered() > 0) {
      row(b, "other", "records the filtering model routed away", counts.filtered());
    }
    b.append("</table>");
    return b.toString();
  }

  private static long take(Map<String, Long> counts, String key) {
    Long n = counts.remove(key);
    return n == null ? 0 : n;
  }

  private static void row(StringBuilder b, String kind, String name, long n) {
    b.append("<tr data-count=\"")
        .append(kind)
        .append("\"><td>")
        .append(esc(name))
        .append("</td><td class=\"n\">")
        .append(n)
        .append("</td></tr>");
  }

  private static String accepted(Field f) {
    if (!f.domain().isEmpty()) {
      return "one of " + String.join(", ", f.domain());
    }
    if (f.type() == DataType.BOOL) {
      return "true or false";
    }
    if (f.type() == DataType.BYTES) {
      return "a string of at most " + InputGuard.MAX_STRING_LENGTH + " characters";
    }
    if (f.min() == null && f.max() == null) {
      return "any finite number";
    }
    return (f.type().isIntegral() ? "an integer" : "a number")
        + " from "
        + (f.min() == null ? "-∞" : number(f.min()))
        + " to "
        + (f.max() == null ? "∞" : number(f.max()));
  }

  private static String policy(InputGuard.Rule r) {
    return switch (r.policy()) {
      case REJECT -> "refuse the request (400)";
      case IMPUTE ->
          "impute "
              + (r.impute() instanceof Number n
                  ? number(n.doubleValue())
                  : String.valueOf(r.impute()));
      case HEURISTIC -> "answer with the heuristic";
    };
  }

  private static String seconds(java.time.Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String describe(Heuristic h) {
    if (h == null) {
      return "(none)";
    }
    List<String> parts = new ArrayList<>();
    for (Heuristic.Rule rule : h.rules()) {
      List<String> when = new ArrayList<>();
      for (Heuristic.Condition c : rule.when()) {
        when.add(
            c.feature()
                + " "
                + c.op().symbol()
                + (c.op() == Heuristic.Op.MISSING ? "" : " " + c.value()));
      }
      parts.add("if " + String.join(" and ", when) + " then " + rule.then());
    }
    parts.add((h.rules().isEmpty() ? "" : "otherwise ") + h.otherwise());
    return String.join("; ", parts);
  }

  /** Whole numbers as such (row counts), others to four significant digits. */
  public static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(java.util.Locale.ROOT, "%.4g", v);
  }

  private static String jsString(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\u003c");
  }

  private static String hint(Field f) {
    StringBuilder h = new StringBuilder(f.type().name());
    if (f.min() != null || f.max() != null) {
      h.append(", training range ")
          .append(f.min() == null ? "?" : number(f.min()))
          .append(" to ")
          .append(f.max() == null ? "?" : number(f.max()));
    }
    if (!f.description().isEmpty()) {
      h.append(" · ").append(f.description());
    }
    return h.toString();
  }

  private static Map<String, Object> oipSample(ServedModel m, Map<String, Object> record) {
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (TensorSpec spec : m.publicSignature().inputs()) {
      Map<String, Object> in = new LinkedHashMap<>();
      in.put("name", spec.name());
      List<Long> shape = new ArrayList<>();
      long n = 1;
      for (long d : spec.shape()) {
        long size = d < 0 ? 1 : d;
        shape.add(size);
        n *= size;
      }
      in.put("shape", shape);
      in.put("datatype", spec.type().name());
      Object value =
          record.containsKey(spec.name())
              ? record.get(spec.name())
              : ServedModel.sampleValue(
                  new Field(spec.name(), spec.type(), false, null, null, List.of(), ""));
      List<Object> data = new ArrayList<>();
      for (long i = 0; i < Math.min(n, 4096); i++) {
        data.add(value);
      }
      in.put("data", data);
      inputs.add(in);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", "console-1");
    body.put("inputs", inputs);
    return body;
  }

  private static final String SCRIPT =
      """
      async function call(method, url, accept, body) {
        const opts = {method, headers: {'Accept': accept}};
        if (method === 'POST') { opts.headers['Content-Type'] = 'application/json'; opts.body = body; }
        const r = await fetch(url, opts);
        return {status: r.status, text: await r.text()};
      }
      for (const b of document.querySelectorAll('button.send')) {
        b.addEventListener('click', async () => {
          const i = b.dataset.i, out = document.getElementById('resp-' + i);
          const ta = document.getElementById('body-' + i);
          out.textContent = '…';
          try {
            const r = await call(b.dataset.method, b.dataset.url, b.dataset.accept, ta ? ta.value : null);
            out.className = r.status >= 400 ? 'err' : '';
            out.textContent = 'HTTP ' + r.status + '\\n' + r.text;
          } catch (e) { out.className = 'err'; out.textContent = String(e); }
        });
      }
      const form = document.getElementById('try');
      if (form) form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const rec = {};
        for (const el of form.querySelectorAll('[name]')) {
          const t = el.dataset.type;
          if (t === 'BOOL') rec[el.name] = el.checked;
          else if (t === 'BYTES') rec[el.name] = el.value;
          else if (el.value !== '') rec[el.name] = Number(el.value);
        }
        const out = document.getElementById('answer');
        out.textContent = '…';
        const r = await call('POST', '__PREDICT__', 'application/json', JSON.stringify({records: [rec]}));
        out.className = r.status >= 400 ? 'err' : '';
        try { out.textContent = JSON.stringify(JSON.parse(r.text), null, 2); } catch (e) { out.textContent = r.text; }
      });
      """;
}
