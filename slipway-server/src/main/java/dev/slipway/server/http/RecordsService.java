package dev.slipway.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Prediction;
import dev.slipway.api.Record;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.RegisteredModel;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.ServedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The records API for people who think in rows: {@code POST /api/v1/models/{m}/predict} with {@code
 * {"records": [{...}]}}, answered as JSON, XML or CSV by the Accept header; and model listing and
 * details under {@code /api/v1/models}.
 */
public final class RecordsService {
  private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();
  private static final CsvMapper CSV = new CsvMapper();

  private final Pipeline pipeline;
  private final Handlers handlers;
  private final RequestMetrics metrics;

  public RecordsService(Pipeline pipeline, Handlers handlers, RequestMetrics metrics) {
    this.pipeline = pipeline;
    this.handlers = handlers;
    this.metrics = metrics;
  }

  public void bind(ServerBuilder sb) {
    sb.route().get("/api/v1/models").build((ctx, req) -> handlers.run(ctx, req, agg -> models()));
    sb.route()
        .get("/api/v1/models/{name}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> model(ctx)));
    for (String p :
        List.of(
            "/api/v1/models/{name}/predict", "/api/v1/models/{name}/versions/{version}/predict")) {
      sb.route().post(p).build((ctx, req) -> handlers.run(ctx, req, agg -> predict(ctx, agg)));
    }
    // A baseline for load tests: reads the body like predict does, runs no model.
    sb.route()
        .post("/api/v1/noop")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> Handlers.json(new byte[] {'{', '}'})));
  }

  private enum Format {
    JSON,
    XML,
    CSV
  }

  private static Format negotiate(AggregatedHttpRequest req) {
    List<MediaType> accept = req.headers().accept();
    if (accept.isEmpty()) {
      return Format.JSON;
    }
    for (MediaType m : accept) {
      String type = m.type();
      String sub = m.subtype();
      if (type.equals("*")
          || (type.equals("application") && (sub.equals("*") || sub.equals("json")))) {
        return Format.JSON;
      }
      if (sub.equals("xml") && (type.equals("application") || type.equals("text"))) {
        return Format.XML;
      }
      if (type.equals("text") && sub.equals("csv")) {
        return Format.CSV;
      }
    }
    throw new NotAcceptable(req.headers().get("accept"));
  }

  /** No representation the caller accepts. */
  static final class NotAcceptable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotAcceptable(String accept) {
      super(
          "field 'Accept': got \""
              + accept
              + "\", expected application/json, application/xml, text/xml or text/csv");
    }
  }

  private HttpResponse predict(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws Exception {
    long start = System.nanoTime();
    Format format;
    try {
      format = negotiate(agg);
    } catch (NotAcceptable e) {
      return HttpErrors.json(HttpStatus.NOT_ACCEPTABLE, e.getMessage());
    }
    List<Record> records = parseRecords(Bodies.object(agg));
    InferenceResult result =
        pipeline.run(
            new InferenceRequest(
                ctx.pathParam("name"),
                Handlers.version(ctx),
                RequestIds.of(agg),
                records,
                null,
                java.util.Set.of()));
    List<Prediction> predictions = result.predictions();
    HttpResponse response =
        switch (format) {
          case JSON -> Handlers.json(json(result, predictions));
          case XML -> HttpResponse.of(HttpStatus.OK, MediaType.XML_UTF_8, xml(result, predictions));
          case CSV -> HttpResponse.of(HttpStatus.OK, MediaType.CSV_UTF_8, csv(result, predictions));
        };
    metrics.record("records", result, start);
    return RequestIds.with(response, result.id());
  }

  static List<Record> parseRecords(JsonNode root) {
    JsonNode rows = root.get("records");
    if (rows == null || rows.isNull()) {
      throw InvalidInputException.missing(
          "records", "a list of objects such as [{\"feature\": value}]");
    }
    if (!rows.isArray()) {
      throw InvalidInputException.of("records", rows.toString(), "a list of objects");
    }
    List<Record> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      if (!row.isObject()) {
        throw InvalidInputException.of(
            "records[" + i + "]", row.toString(), "an object of feature values");
      }
      Map<String, Object> values = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : row.properties()) {
        JsonNode v = e.getValue();
        Object value;
        if (v.isNull()) {
          value = null;
        } else if (v.isIntegralNumber()) {
          value = v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
        } else if (v.isNumber()) {
          value = v.doubleValue();
        } else if (v.isTextual()) {
          value = v.asText();
        } else if (v.isBoolean()) {
          value = v.booleanValue();
        } else {
          throw InvalidInputException.of(
              "records[" + i + "]." + e.getKey(),
              v.toString(),
              "a number, string, boolean or null");
        }
        values.put(e.getKey(), value);
      }
      out.add(Record.of(values));
    }
    return out;
  }

  private static byte[] json(InferenceResult result, List<Prediction> predictions) {
    return OipJson.write(
        g -> {
          String version = Integer.toString(result.version());
          g.writeStartObject();
          g.writeStringField("model", result.model());
          g.writeStringField("model_version", version);
          g.writeStringField("id", result.id());
          g.writeArrayFieldStart("predictions");
          for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            g.writeStartObject();
            for (Map.Entry<String, Object> e : p.values().entrySet()) {
              g.writeFieldName(e.getKey());
              Bodies.JSON.writeValue(g, e.getValue());
            }
            g.writeStringField("model_version", version);
            if (result.servedBy() != null) {
              g.writeStringField("served_by", result.servedBy().get(i));
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private static byte[] xml(InferenceResult result, List<Prediction> predictions)
      throws XMLStreamException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    XMLStreamWriter w = XML.createXMLStreamWriter(out, "UTF-8");
    String version = Integer.toString(result.version());
    w.writeStartDocument("UTF-8", "1.0");
    w.writeStartElement("predictions");
    w.writeAttribute("model", result.model());
    w.writeAttribute("model_version", version);
    for (int i = 0; i < predictions.size(); i++) {
      Prediction p = predictions.get(i);
      w.writeStartElement("prediction");
      w.writeAttribute("model_version", version);
      if (result.servedBy() != null) {
        w.writeAttribute("served_by", result.servedBy().get(i));
      }
      for (Map.Entry<String, Object> e : p.values().entrySet()) {
        w.writeStartElement(e.getKey());
        if (e.getValue() instanceof List<?> list) {
          for (Object v : list) {
            w.writeStartElement("value");
            w.writeCharacters(String.valueOf(v));
            w.writeEndElement();
          }
        } else {
          w.writeCharacters(String.valueOf(e.getValue()));
        }
        w.writeEndElement();
      }
      w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndDocument();
    w.close();
    return out.toByteArray();
  }

  /** One row per prediction; a list output becomes columns {@code name_0, name_1, ...}. */
  private static byte[] csv(InferenceResult result, List<Prediction> predictions)
      throws IOException {
    List<String> header = new ArrayList<>(List.of("model", "model_version"));
    if (result.servedBy() != null) {
      header.add("served_by");
    }
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < predictions.size(); i++) {
      Prediction p = predictions.get(i);
      List<Object> row = new ArrayList<>(List.of(result.model(), result.version()));
      if (result.servedBy() != null) {
        row.add(result.servedBy().get(i));
      }
      for (Map.Entry<String, Object> e : p.values().entrySet()) {
        if (e.getValue() instanceof List<?> list) {
          for (int j = 0; j < list.size(); j++) {
            if (rows.isEmpty()) {
              header.add(e.getKey() + "_" + j);
            }
            row.add(list.get(j));
          }
        } else {
          if (rows.isEmpty()) {
            header.add(e.getKey());
          }
          row.add(e.getValue());
        }
      }
      rows.add(row);
    }
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    header.forEach(schema::addColumn);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var writer = CSV.writer(schema.build()).writeValues(out)) {
      for (List<Object> row : rows) {
        writer.write(row);
      }
    }
    return out.toByteArray();
  }

  private HttpResponse models() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (RegisteredModel m : pipeline.host().registry().models()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("name", m.name());
      item.put("latest_version", m.latestVersion());
      item.put("description", m.description());
      list.add(item);
    }
    return Handlers.json(OipJson.object(Map.of("models", list)));
  }

  private HttpResponse model(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    List<ModelVersion> versions = pipeline.host().registry().versions(name);
    ServedModel latest = pipeline.host().get(name, null);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    List<Map<String, Object>> fields = new ArrayList<>();
    latest
        .codec()
        .ifPresent(
            c -> {
              for (Field f : c.schema().fields()) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("name", f.name());
                fm.put("type", f.type().name());
                fm.put("nullable", f.nullable());
                if (f.min() != null) {
                  fm.put("min", f.min());
                }
                if (f.max() != null) {
                  fm.put("max", f.max());
                }
                if (!f.domain().isEmpty()) {
                  fm.put("domain", f.domain());
                }
                fields.add(fm);
              }
            });
    body.put("schema", fields);
    List<Map<String, Object>> vs = new ArrayList<>();
    for (ModelVersion v : versions) {
      Map<String, Object> vm = new LinkedHashMap<>();
      vm.put("version", v.version());
      vm.put("format", v.format());
      vm.put("sha256", v.sha256());
      vm.put("size_bytes", v.sizeBytes());
      vm.put("metrics", v.metrics());
      vm.put("created_by", v.createdBy());
      vm.put("created_at", v.createdAt().toString());
      vs.add(vm);
    }
    body.put("versions", vs);
    return Handlers.json(OipJson.object(body));
  }
}
