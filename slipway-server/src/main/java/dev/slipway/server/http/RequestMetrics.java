package dev.slipway.server.http;

import dev.slipway.serving.InferenceResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts answered requests and their latency by protocol, model and version ({@code
 * slipway.request.duration}, a Prometheus histogram; its count is the request count). Errors are
 * counted by {@link HttpErrors}. Thread-safe.
 */
public final class RequestMetrics {
  private final MeterRegistry meters;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public RequestMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  void record(String protocol, InferenceResult result, long startNanos) {
    record(protocol, result.model(), result.version(), startNanos);
  }

  /** A request answered by a model version (or from its stored predictions). */
  void record(String protocol, String model, int version, long startNanos) {
    String key = protocol + '\u0000' + model + '\u0000' + version;
    Timer t =
        timers.computeIfAbsent(
            key,
            k ->
                Timer.builder("slipway.request.duration")
                    .description("Latency of answered inference requests")
                    .tag("protocol", protocol)
                    .tag("model", model)
                    .tag("version", Integer.toString(version))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(10_000))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(meters));
    t.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }
}
