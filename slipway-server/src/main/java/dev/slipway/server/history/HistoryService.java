package dev.slipway.server.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.http.Handlers;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/models/{m}/history?from=&to=}: a model's {@link MetricHistory} as series ready
 * to plot. {@code from} and {@code to} are ISO-8601 instants or epoch milliseconds; {@code to}
 * defaults to now, {@code from} to one hour before {@code to}. The answer:
 *
 * <pre>{@code
 * {"model": "ad-click", "from": 1764000000000, "to": 1764003600000,
 *  "intervalSeconds": 10, "retentionSamples": 8640,
 *  "series": {
 *    "requests":      [{"t": 1764000010000, "version": 1, "value": 2.5}],   // requests per second
 *    "latency_p50":   [{"t": ..., "version": 1, "value": 3.1}],             // milliseconds
 *    "latency_p95":   [...], "latency_p99": [...],
 *    "error_rate":    [{"t": ..., "value": 0.02}],                          // 4xx+5xx ÷ all
 *    "fallback_rate": [{"t": ..., "value": 0.0}]}}                          // fallback rows ÷ all
 * }</pre>
 *
 * {@code t} is the end of the sample's window in epoch milliseconds. An unknown model is a 404; a
 * malformed {@code from}/{@code to}, or {@code from} after {@code to}, a 400 naming the field.
 * Thread-safe.
 */
public final class HistoryService {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_SPAN = Duration.ofHours(1);

  private final MetricHistory history;
  private final ModelRegistry registry;
  private final Handlers handlers;

  public HistoryService(MetricHistory history, ModelRegistry registry, Handlers handlers) {
    this.history = history;
    this.registry = registry;
    this.handlers = handlers;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .get("/api/v1/models/{name}/history")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> answer(ctx)));
  }

  private HttpResponse answer(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    registry.latest(name); // ModelNotFoundException → 404
    Instant to = instant("to", ctx.queryParam("to"), history.clock().instant());
    Instant from = instant("from", ctx.queryParam("from"), to.minus(DEFAULT_SPAN));
    if (from.isAfter(to)) {
      throw InvalidInputException.of(
          "from", ctx.queryParam("from"), "an instant at or before 'to' (" + to + ")");
    }
    return HttpResponse.of(
        HttpStatus.OK, MediaType.JSON_UTF_8, json(name, from, to, history.samples(name, from, to)));
  }

  String json(String model, Instant from, Instant to, List<MetricHistory.Sample> samples) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", model);
    root.put("from", from.toEpochMilli());
    root.put("to", to.toEpochMilli());
    root.put("intervalSeconds", history.interval().toMillis() / 1000.0);
    root.put("retentionSamples", history.capacity());
    ObjectNode series = root.putObject("series");
    ArrayNode requests = series.putArray("requests");
    ArrayNode p50 = series.putArray("latency_p50");
    ArrayNode p95 = series.putArray("latency_p95");
    ArrayNode p99 = series.putArray("latency_p99");
    ArrayNode errors = series.putArray("error_rate");
    ArrayNode fallbacks = series.putArray("fallback_rate");
    for (MetricHistory.Sample s : samples) {
      long t = s.time().toEpochMilli();
      for (Map.Entry<Integer, MetricHistory.VersionSample> e : s.versions().entrySet()) {
        MetricHistory.VersionSample v = e.getValue();
        point(requests, t, e.getKey(), v.requestsPerSecond());
        point(p50, t, e.getKey(), v.p50());
        point(p95, t, e.getKey(), v.p95());
        point(p99, t, e.getKey(), v.p99());
      }
      point(errors, t, null, s.errorRate());
      point(fallbacks, t, null, s.fallbackRate());
    }
    return root.toString();
  }

  private static void point(ArrayNode series, long t, Integer version, Double value) {
    if (value == null || value.isNaN() || value.isInfinite()) {
      return;
    }
    ObjectNode p = series.addObject().put("t", t);
    if (version != null) {
      p.put("version", version);
    }
    p.put("value", value);
  }

  /** A query parameter as an instant: ISO-8601 or epoch milliseconds; a 400 naming it otherwise. */
  static Instant instant(String field, String value, Instant absent) {
    if (value == null || value.isBlank()) {
      return absent;
    }
    String v = value.strip();
    try {
      if (v.matches("-?\\d{1,15}")) {
        return Instant.ofEpochMilli(Long.parseLong(v));
      }
      return Instant.parse(v);
    } catch (DateTimeParseException | ArithmeticException e) {
      throw InvalidInputException.of(
          field, value, "an ISO-8601 instant such as 2026-01-31T12:00:00Z or epoch milliseconds");
    }
  }
}
