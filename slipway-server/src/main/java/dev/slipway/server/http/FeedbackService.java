package dev.slipway.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.api.InvalidInputException;
import dev.slipway.monitor.Monitoring;
import dev.slipway.monitor.feedback.Feedback;
import dev.slipway.monitor.feedback.FeedbackStore;
import dev.slipway.monitor.log.PredictionLog;
import dev.slipway.registry.ModelRegistry;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/feedback}: the ground truth of predictions, one object or a list of them,
 * each either {@code {"request_id": "...", "label": 1}} (optionally {@code "row"} and {@code
 * "model"}) or {@code {"model": "...", "entity": "...", "time": "<ISO-8601>", "label": 0}}. Labels
 * are 0/1 or false/true. Every item is stored; the answer says per item whether it joined its
 * logged prediction ({@code matched}) or waits for it ({@code pending}: not logged yet, not
 * sampled, or unknown). 200 when all matched, 202 when any is pending; a bad body is a 400 naming
 * the item and field, and nothing of it is stored. Thread-safe.
 */
public final class FeedbackService {
  /** Most items in one request. */
  public static final int MAX_ITEMS = 10_000;

  private static final Set<String> FIELDS =
      Set.of("request_id", "row", "model", "entity", "time", "label");

  private final Monitoring monitoring;
  private final ModelRegistry registry;
  private final Handlers handlers;

  public FeedbackService(Monitoring monitoring, ModelRegistry registry, Handlers handlers) {
    this.monitoring = monitoring;
    this.registry = registry;
    this.handlers = handlers;
  }

  public void bind(ServerBuilder sb) {
    sb.route().post("/api/v1/feedback").build((ctx, req) -> handlers.run(ctx, req, this::submit));
  }

  private HttpResponse submit(AggregatedHttpRequest agg) throws IOException {
    List<Feedback> items = parse(body(agg));
    Set<String> models = new HashSet<>();
    for (Feedback f : items) {
      if (f.model() != null && models.add(f.model())) {
        registry.latest(f.model()); // 404 naming an unknown model
      }
    }
    List<FeedbackStore.Status> status = monitoring.submit(items);
    long matched = status.stream().filter(s -> s == FeedbackStore.Status.MATCHED).count();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("accepted", items.size());
    out.put("matched", matched);
    out.put("pending", items.size() - matched);
    List<Map<String, Object>> results = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      Feedback f = items.get(i);
      if (f.requestId() != null) {
        r.put("request_id", f.requestId());
      } else {
        r.put("entity", f.entity());
      }
      r.put("status", status.get(i).name().toLowerCase(java.util.Locale.ROOT));
      results.add(r);
    }
    out.put("results", results);
    return HttpResponse.of(
        matched == items.size() ? HttpStatus.OK : HttpStatus.ACCEPTED,
        MediaType.JSON_UTF_8,
        OipJson.object(out));
  }

  private static JsonNode body(AggregatedHttpRequest req) throws IOException {
    if (req.content().isEmpty()) {
      throw InvalidInputException.missing("body", "a feedback object or a list of them");
    }
    try (JsonParser p = Bodies.JSON.createParser(req.content().array())) {
      JsonNode root = Bodies.JSON.readTree(p);
      if (p.nextToken() != null) {
        throw InvalidInputException.of("body", "trailing content", "a single JSON value");
      }
      if (root == null || !(root.isObject() || root.isArray())) {
        throw InvalidInputException.of(
            "body", root == null ? "nothing" : root.toString(), "a feedback object or a list");
      }
      return root;
    }
  }

  /** The items of a body, or a 400 naming the first bad field. */
  static List<Feedback> parse(JsonNode root) {
    if (root.isObject()) {
      return List.of(item(root, ""));
    }
    if (root.isEmpty()) {
      throw InvalidInputException.of("body", "[]", "at least one feedback object");
    }
    if (root.size() > MAX_ITEMS) {
      throw InvalidInputException.of(
          "body", root.size() + " items", "at most " + MAX_ITEMS + " feedback items per request");
    }
    List<Feedback> out = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      JsonNode n = root.get(i);
      String at = "[" + i + "].";
      if (!n.isObject()) {
        throw InvalidInputException.of("[" + i + "]", n.toString(), "a feedback object");
      }
      out.add(item(n, at));
    }
    return out;
  }

  private static Feedback item(JsonNode n, String at) {
    n.fieldNames()
        .forEachRemaining(
            k -> {
              if (!FIELDS.contains(k)) {
                throw InvalidInputException.of(
                    at + k, k, "no such field; known: " + new java.util.TreeSet<>(FIELDS));
              }
            });
    double label = label(n.get("label"), at + "label");
    String requestId = text(n.get("request_id"), at + "request_id", PredictionLog.MAX_KEY);
    String model = text(n.get("model"), at + "model", 128);
    JsonNode rowNode = n.get("row");
    int row = 0;
    if (rowNode != null && !rowNode.isNull()) {
      if (!rowNode.canConvertToInt() || !rowNode.isIntegralNumber() || rowNode.intValue() < 0) {
        throw InvalidInputException.of(at + "row", rowNode.toString(), "a row index from 0");
      }
      row = rowNode.intValue();
    }
    JsonNode entityNode = n.get("entity");
    String entity = null;
    if (entityNode != null && !entityNode.isNull()) {
      if (entityNode.isTextual() || entityNode.isIntegralNumber()) {
        entity = entityNode.asText();
      } else {
        throw InvalidInputException.of(at + "entity", entityNode.toString(), "a string or integer");
      }
      if (entity.isEmpty() || entity.length() > PredictionLog.MAX_KEY) {
        throw InvalidInputException.of(
            at + "entity", entity, "1 to " + PredictionLog.MAX_KEY + " characters");
      }
    }
    Instant time = null;
    JsonNode timeNode = n.get("time");
    if (timeNode != null && !timeNode.isNull()) {
      try {
        time = Instant.parse(timeNode.asText());
      } catch (DateTimeParseException e) {
        throw InvalidInputException.of(
            at + "time", timeNode.toString(), "an ISO-8601 instant such as 2026-03-01T10:15:00Z");
      }
    }
    if (requestId != null) {
      if (entity != null || time != null) {
        throw InvalidInputException.of(
            at + (entity != null ? "entity" : "time"),
            entity != null ? entity : timeNode.asText(),
            "either request_id, or model + entity + time, not both");
      }
      return new Feedback(requestId, row, model, null, null, label);
    }
    if (entity == null && time == null && model == null) {
      throw InvalidInputException.missing(
          at + "request_id", "the request id of the prediction, or model + entity + time");
    }
    if (model == null) {
      throw InvalidInputException.missing(at + "model", "the model name (with entity and time)");
    }
    if (entity == null) {
      throw InvalidInputException.missing(at + "entity", "the entity key (with model and time)");
    }
    if (time == null) {
      throw InvalidInputException.missing(
          at + "time", "the ISO-8601 time of the outcome (with model and entity)");
    }
    if (rowNode != null && !rowNode.isNull()) {
      throw InvalidInputException.of(at + "row", rowNode.toString(), "row only with request_id");
    }
    return new Feedback(null, 0, model, entity, time, label);
  }

  private static double label(JsonNode n, String field) {
    String expected = "0 or 1 (or false/true): the observed outcome";
    if (n == null || n.isNull()) {
      throw InvalidInputException.missing(field, expected);
    }
    if (n.isBoolean()) {
      return n.booleanValue() ? 1 : 0;
    }
    if (n.isNumber() && (n.doubleValue() == 0 || n.doubleValue() == 1)) {
      return n.doubleValue();
    }
    throw InvalidInputException.of(field, n.toString(), expected);
  }

  private static String text(JsonNode n, String field, int max) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual() || n.asText().isEmpty() || n.asText().length() > max) {
      throw InvalidInputException.of(
          field, n.toString(), "a string of 1 to " + max + " characters");
    }
    return n.asText();
  }
}
