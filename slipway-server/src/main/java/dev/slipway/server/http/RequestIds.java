package dev.slipway.server.http;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import dev.slipway.api.InvalidInputException;
import dev.slipway.monitor.log.PredictionLog;

/**
 * Request ids over HTTP: a caller may name a request with the {@value #HEADER} header (OIP callers
 * also with the body's {@code id}); every prediction answer carries the id in that header, the one
 * the caller gave or the one the pipeline generated, so that feedback can name it. Stateless.
 */
final class RequestIds {
  static final String HEADER = "x-request-id";

  private RequestIds() {}

  /** The caller's id from the header, or null; a 400 naming the header when it is unusable. */
  static String of(AggregatedHttpRequest req) {
    String id = req.headers().get(HEADER);
    if (id == null) {
      return null;
    }
    if (id.isBlank() || id.length() > PredictionLog.MAX_KEY) {
      throw InvalidInputException.of(
          "X-Request-Id", id, "1 to " + PredictionLog.MAX_KEY + " characters naming the request");
    }
    return id;
  }

  /** The response with the request id header. */
  static HttpResponse with(HttpResponse response, String id) {
    return id == null ? response : response.mapHeaders(h -> h.toBuilder().set(HEADER, id).build());
  }
}
