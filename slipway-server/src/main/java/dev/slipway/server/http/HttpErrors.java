package dev.slipway.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.ConflictException;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.SlipwayException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where HTTP maps errors to status codes and {@code {"error": "..."}} bodies, and
 * counts them in {@code slipway.errors} by kind. Thread-safe.
 */
public final class HttpErrors implements ServerErrorHandler {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MeterRegistry meters;
  private final long maxRequestBytes;

  public HttpErrors(MeterRegistry meters, long maxRequestBytes) {
    this.meters = meters;
    this.maxRequestBytes = maxRequestBytes;
  }

  private String tooLarge() {
    return "field 'body': request body is larger than the limit of "
        + maxRequestBytes
        + " bytes; send fewer records per request or raise server.maxRequestBytes";
  }

  /** The response for a failure. Never exposes a stack trace. */
  public HttpResponse toResponse(Throwable error) {
    Throwable t = unwrap(error);
    HttpStatus status;
    String message;
    String kind;
    if (t instanceof SlipwayException s) {
      kind = s.kind();
      message = s.getMessage();
      status = statusOf(s);
      if (s instanceof ModelFailureException) {
        log.warn("model failure", s);
      }
    } else if (t instanceof ContentTooLargeException) {
      kind = "too_large";
      status = HttpStatus.REQUEST_ENTITY_TOO_LARGE;
      message = tooLarge();
    } else if (t instanceof HttpStatusException h) {
      status = h.httpStatus();
      kind = status == HttpStatus.REQUEST_ENTITY_TOO_LARGE ? "too_large" : "http_" + status.code();
      message = status == HttpStatus.REQUEST_ENTITY_TOO_LARGE ? tooLarge() : status.reasonPhrase();
    } else if (t instanceof JsonProcessingException j) {
      kind = "invalid_input";
      status = HttpStatus.BAD_REQUEST;
      message = "field 'body': malformed JSON" + location(j) + ": " + j.getOriginalMessage();
    } else {
      kind = "internal";
      status = HttpStatus.INTERNAL_SERVER_ERROR;
      message = "internal error: " + t.getClass().getSimpleName();
      log.error("unexpected error", t);
    }
    count(kind);
    return json(status, message);
  }

  private static HttpStatus statusOf(SlipwayException s) {
    if (s instanceof InvalidInputException i) {
      return i.tooLarge() ? HttpStatus.REQUEST_ENTITY_TOO_LARGE : HttpStatus.BAD_REQUEST;
    }
    if (s instanceof ModelNotFoundException) {
      return HttpStatus.NOT_FOUND;
    }
    if (s instanceof ModelUnavailableException) {
      return HttpStatus.SERVICE_UNAVAILABLE;
    }
    if (s instanceof ConflictException) {
      return HttpStatus.CONFLICT;
    }
    return HttpStatus.INTERNAL_SERVER_ERROR; // ModelFailureException
  }

  private void count(String kind) {
    Counter.builder("slipway.errors")
        .description("Requests that ended in an error, by kind")
        .tag("kind", kind)
        .register(meters)
        .increment();
  }

  private static String location(JsonProcessingException j) {
    return j.getLocation() == null
        ? ""
        : " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A JSON error response. */
  public static HttpResponse json(HttpStatus status, String message) {
    return HttpResponse.of(status, MediaType.JSON_UTF_8, body(message));
  }

  private static String body(String message) {
    ObjectNode node = JSON.createObjectNode().put("error", message);
    return node.toString();
  }

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    return toResponse(cause);
  }

  @Override
  public AggregatedHttpResponse renderStatus(
      ServiceRequestContext ctx,
      ServiceConfig config,
      RequestHeaders headers,
      HttpStatus status,
      String description,
      Throwable cause) {
    String message;
    if (status == HttpStatus.NOT_FOUND) {
      message =
          "no endpoint at "
              + headers.method()
              + " "
              + headers.path()
              + "; see GET / for the model list and docs";
    } else if (status == HttpStatus.METHOD_NOT_ALLOWED) {
      message = "method " + headers.method() + " is not allowed on " + headers.path();
    } else if (status == HttpStatus.REQUEST_ENTITY_TOO_LARGE) {
      message = tooLarge();
    } else {
      message = status.reasonPhrase() + (description == null ? "" : ": " + description);
    }
    if (status.isClientError() || status.isServerError()) {
      count(status == HttpStatus.REQUEST_ENTITY_TOO_LARGE ? "too_large" : "http_" + status.code());
    }
    return AggregatedHttpResponse.of(status, MediaType.JSON_UTF_8, body(message));
  }
}
