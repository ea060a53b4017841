package dev.slipway.server.http;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs request handlers: aggregates the body, calls the handler on the configured executor, and
 * sends any failure through {@link HttpErrors}. Thread-safe.
 */
public final class Handlers {
  private final HttpErrors errors;
  private final boolean onEventLoop;

  /**
   * @param onEventLoop run handlers on the I/O thread that read the request (fastest for small
   *     models) instead of Armeria's blocking-task pool (safer for slow models)
   */
  public Handlers(HttpErrors errors, boolean onEventLoop) {
    this.errors = errors;
    this.onEventLoop = onEventLoop;
  }

  /** A handler of an aggregated request. */
  public interface Handler {
    HttpResponse handle(AggregatedHttpRequest request) throws Exception;
  }

  public HttpResponse run(ServiceRequestContext ctx, HttpRequest req, Handler handler) {
    Executor executor = onEventLoop ? ctx.eventLoop() : ctx.blockingTaskExecutor();
    CompletableFuture<HttpResponse> f =
        req.aggregate()
            .thenApplyAsync(
                agg -> {
                  try {
                    return handler.handle(agg);
                  } catch (Exception | StackOverflowError e) {
                    return errors.toResponse(e);
                  }
                },
                executor)
            .exceptionally(errors::toResponse);
    return HttpResponse.of(f);
  }

  public HttpErrors errors() {
    return errors;
  }

  static HttpResponse json(byte[] body) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body);
  }

  /** A version path parameter: a positive integer, or a 400 naming it. */
  static Integer version(ServiceRequestContext ctx) {
    String v = ctx.pathParam("version");
    if (v == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw InvalidInputException.of("version", v, "a positive version number such as 1");
  }
}
