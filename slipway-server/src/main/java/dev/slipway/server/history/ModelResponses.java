package dev.slipway.server.history;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the responses of the prediction endpoints ({@code POST
 * /v2/models/{m}[/versions/{v}]/infer} and {@code POST /api/v1/models/{m}[/versions/{v}]/predict})
 * per model and status class in {@code slipway.model.responses} (tags {@code model}, {@code
 * status}: {@code 2xx}, {@code 4xx}, {@code 5xx}), which {@link MetricHistory} turns into the error
 * rate. Errors for a model name the server does not serve are not counted, so a caller cannot
 * create meters by making up names.
 *
 * <p>Thread-safe.
 */
public final class ModelResponses implements DecoratingHttpServiceFunction {
  static final String METER = "slipway.model.responses";
  static final String OK = "2xx";

  private static final Pattern PREDICT =
      Pattern.compile(
          "^/(?:v2/models/([^/]+)(?:/versions/[^/]+)?/infer|api/v1/models/([^/]+)(?:/versions/[^/]+)?/predict)$");

  private final MeterRegistry meters;
  private final Predicate<String> served;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  /**
   * @param served whether the server serves a model of this name (checked for errors only)
   */
  public ModelResponses(MeterRegistry meters, Predicate<String> served) {
    this.meters = meters;
    this.served = served;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    Matcher m = PREDICT.matcher(ctx.path());
    if (!m.matches()) {
      return delegate.serve(ctx, req);
    }
    String model = m.group(1) != null ? m.group(1) : m.group(2);
    // counted as the headers go out, so a caller that has its answer finds it counted
    return delegate
        .serve(ctx, req)
        .mapHeaders(
            headers -> {
              count(model, headers.status());
              return headers;
            });
  }

  void count(String model, HttpStatus status) {
    String cls =
        status.isServerError()
            ? "5xx"
            : status.isClientError() ? "4xx" : status.isSuccess() ? OK : null;
    if (cls == null) {
      return;
    }
    if (!cls.equals(OK) && !served.test(model)) {
      return;
    }
    counters
        .computeIfAbsent(
            model + '\u0000' + cls,
            k ->
                Counter.builder(METER)
                    .description("Responses of the prediction endpoints by model and status class")
                    .tag("model", model)
                    .tag("status", cls)
                    .register(meters))
        .increment();
  }
}
