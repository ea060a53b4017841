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
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.RegisteredModel;
import dev.slipway.server.http.Handlers;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ServedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTML pages: {@code /} lists the models; {@code /ui/models/{m}} has a form generated from the
 * model's schema that calls the records API and shows the answer, and an API console with a ready
 * sample request for each protocol, a Send button and the raw response. Stateless.
 */
public final class ModelPages {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final ModelHost host;
  private final Handlers handlers;

  public ModelPages(ModelHost host, Handlers handlers) {
    this.host = host;
    this.handlers = handlers;
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

  private static String page(String title, String body) {
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
