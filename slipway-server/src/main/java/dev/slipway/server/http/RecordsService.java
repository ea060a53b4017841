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
import dev.slipway.batch.DataFormat;
import dev.slipway.batch.JsonRecords;
import dev.slipway.batch.store.StoreFirst;
import dev.slipway.batch.store.StoredPrediction;
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
import java.util.Optional;
import java.util.Set;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The records API for people who think in rows: {@code POST /api/v1/models/{m}/predict} with {@code
 * {"records": [{...}]}}, answered as JSON, XML or CSV by the Accept header; and model listing and
 * details under {@code /api/v1/models}.
 *
 * <p>For a model that answers from the prediction store first (see {@link StoreFirst}), each record
 * carrying the key field is answered from a fresh stored prediction when there is one, the others
 * by live inference; every prediction then says which ({@code served_from}: {@code store} or {@code
 * live}) and its own {@code model_version}. A request to a given version is always live.
 */
public final class RecordsService {
  private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();
  private static final CsvMapper CSV = new CsvMapper();

  private final Pipeline pipeline;
  private final Handlers handlers;
  private final RequestMetrics metrics;
  private final StoreFirst storeFirst;

  public RecordsService(Pipeline pipeline, Handlers handlers, RequestMetrics metrics) {
    this(pipeline, handlers, metrics, null);
  }

  /**
   * @param storeFirst which models answer from the prediction store first, or null for none
   */
  public RecordsService(
      Pipeline pipeline, Handlers handlers, RequestMetrics metrics, StoreFirst storeFirst) {
    this.pipeline = pipeline;
    this.handlers = handlers;
    this.metrics = metrics;
    this.storeFirst = storeFirst;
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
    List<Record> records = records(agg.content().array());
    String name = ctx.pathParam("name");
    Integer version = Handlers.version(ctx);
    String id = RequestIds.of(agg);
    Answers answers;
    if (storeFirst != null && version == null && !records.isEmpty() && storeFirst.enabled(name)) {
      answers = storeFirst(name, id, records);
      metrics.record("records", answers.model(), answers.version(), start);
    } else {
      InferenceResult result =
          pipeline.run(new InferenceRequest(name, version, id, records, null, Set.of()));
      answers = Answers.of(result);
      metrics.record("records", result, start);
    }
    HttpResponse response =
        switch (format) {
          case JSON -> Handlers.json(json(answers));
          case XML -> HttpResponse.of(HttpStatus.OK, MediaType.XML_UTF_8, xml(answers));
          case CSV -> HttpResponse.of(HttpStatus.OK, MediaType.CSV_UTF_8, csv(answers));
        };
    return RequestIds.with(response, answers.id());
  }

  /**
   * A live JSON exchange of the records API without the socket: the request body's records (read
   * and typed as {@code POST /api/v1/models/{name}/predict} reads them) through the pipeline to the
   * JSON response body it sends. Every stage a request goes through except the HTTP transport, the
   * content negotiation and the request metrics; benchmarks measure the request path with it.
   *
   * @param version a version, or null for the model's default
   * @param id the request id, or null to have one generated
   * @throws InvalidInputException for a body that is not a records request
   */
  public static byte[] answerJson(
      Pipeline pipeline, String name, Integer version, String id, byte[] body) throws IOException {
    List<Record> records = records(body);
    return json(
        Answers.of(pipeline.run(new InferenceRequest(name, version, id, records, null, Set.of()))));
  }

  /**
   * What a response says: per prediction its values and, when they differ between predictions, its
   * version ({@code versions}), the link that answered it ({@code servedBy}, null entries for none)
   * and where it came from ({@code servedFrom}); each list is null when not told.
   */
  private record Answers(
      String model,
      int version,
      String id,
      List<Prediction> predictions,
      List<Integer> versions,
      List<String> servedBy,
      List<String> servedFrom) {

    static Answers of(InferenceResult r) {
      return new Answers(r.model(), r.version(), r.id(), r.predictions(), null, r.servedBy(), null);
    }

    String version(int i) {
      return Integer.toString(versions == null ? version : versions.get(i));
    }

    String servedBy(int i) {
      return servedBy == null ? null : servedBy.get(i);
    }
  }

  /** Fresh stored predictions where there are some, live inference for the other records. */
  private Answers storeFirst(String name, String id, List<Record> records) {
    List<Optional<StoredPrediction>> stored = storeFirst.lookup(name, records);
    List<Record> live = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      if (stored.get(i).isEmpty()) {
        live.add(records.get(i));
      }
    }
    InferenceResult result =
        live.isEmpty()
            ? null
            : pipeline.run(new InferenceRequest(name, null, id, live, null, Set.of()));
    List<Prediction> livePredictions = result == null ? List.of() : result.predictions();
    List<Prediction> predictions = new ArrayList<>(records.size());
    List<Integer> versions = new ArrayList<>(records.size());
    List<String> servedBy = new ArrayList<>(records.size());
    List<String> servedFrom = new ArrayList<>(records.size());
    int j = 0;
    for (Optional<StoredPrediction> s : stored) {
      if (s.isPresent()) {
        // a guarded model's batch output says which link answered: keep it where it belongs
        Map<String, Object> values = new LinkedHashMap<>(s.get().outputs());
        Object link = values.remove("served_by");
        predictions.add(new Prediction(values));
        versions.add(s.get().version());
        servedBy.add(link == null ? null : link.toString());
        servedFrom.add("store");
      } else {
        predictions.add(livePredictions.get(j));
        versions.add(result.version());
        servedBy.add(result.servedBy() == null ? null : result.servedBy().get(j));
        servedFrom.add("live");
        j++;
      }
    }
    boolean anyLink = servedBy.stream().anyMatch(java.util.Objects::nonNull);
    int version = result != null ? result.version() : versions.get(0);
    String model = result != null ? result.model() : name;
    return new Answers(
        model,
        version,
        result != null ? result.id() : id,
        predictions,
        versions,
        anyLink ? servedBy : null,
        servedFrom);
  }

  /**
   * A records body's records: read by the streaming fast path when it is well-formed plain records,
   * otherwise as a tree, whose checks name the field, the value and what was expected.
   */
  static List<Record> records(byte[] body) throws IOException {
    List<Record> plain = JsonRecords.readPlain(Bodies.JSON.getFactory(), body);
    return plain != null ? plain : parseRecords(Bodies.object(body));
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
      // the batch engine's JSON typing, so a record gets the same verdict online and in batch
      out.add(DataFormat.jsonRecord(row, "records[" + i + "]"));
    }
    return out;
  }

  private static byte[] json(Answers a) {
    return OipJson.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("model", a.model());
          g.writeStringField("model_version", Integer.toString(a.version()));
          if (a.id() != null) {
            g.writeStringField("id", a.id());
          }
          g.writeArrayFieldStart("predictions");
          for (int i = 0; i < a.predictions().size(); i++) {
            Prediction p = a.predictions().get(i);
            g.writeStartObject();
            for (Map.Entry<String, Object> e : p.values().entrySet()) {
              g.writeFieldName(e.getKey());
              Bodies.JSON.writeValue(g, e.getValue());
            }
            g.writeStringField("model_version", a.version(i));
            if (a.servedBy(i) != null) {
              g.writeStringField("served_by", a.servedBy(i));
            }
            if (a.servedFrom() != null) {
              g.writeStringField("served_from", a.servedFrom().get(i));
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private static byte[] xml(Answers a) throws XMLStreamException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    XMLStreamWriter w = XML.createXMLStreamWriter(out, "UTF-8");
    w.writeStartDocument("UTF-8", "1.0");
    w.writeStartElement("predictions");
    w.writeAttribute("model", a.model());
    w.writeAttribute("model_version", Integer.toString(a.version()));
    for (int i = 0; i < a.predictions().size(); i++) {
      Prediction p = a.predictions().get(i);
      w.writeStartElement("prediction");
      w.writeAttribute("model_version", a.version(i));
      if (a.servedBy(i) != null) {
        w.writeAttribute("served_by", a.servedBy(i));
      }
      if (a.servedFrom() != null) {
        w.writeAttribute("served_from", a.servedFrom().get(i));
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
  private static byte[] csv(Answers a) throws IOException {
    List<String> header = new ArrayList<>(List.of("model", "model_version"));
    if (a.servedBy() != null) {
      header.add("served_by");
    }
    if (a.servedFrom() != null) {
      header.add("served_from");
    }
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < a.predictions().size(); i++) {
      Prediction p = a.predictions().get(i);
      List<Object> row = new ArrayList<>(List.of(a.model(), a.version(i)));
      if (a.servedBy() != null) {
        row.add(a.servedBy(i) == null ? "" : a.servedBy(i));
      }
      if (a.servedFrom() != null) {
        row.add(a.servedFrom().get(i));
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
