package dev.slipway.server.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricHistoryTest {
  static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");
  static final String MODEL = "ad-click";

  final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final MetricHistory history =
      new MetricHistory(meters, Clock.fixed(T0, ZoneOffset.UTC), Duration.ofSeconds(10), 8640);

  /** The timer {@code RequestMetrics} registers for answered requests. */
  static Timer requests(MeterRegistry meters, String protocol, int version) {
    return Timer.builder("slipway.request.duration")
        .tag("protocol", protocol)
        .tag("model", MODEL)
        .tag("version", Integer.toString(version))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(meters);
  }

  static void record(Timer t, int times, long millis) {
    for (int i = 0; i < times; i++) {
      t.record(millis, TimeUnit.MILLISECONDS);
    }
  }

  List<MetricHistory.Sample> all() {
    return history.samples(MODEL, Instant.MIN, Instant.MAX);
  }

  @Test
  void requestRatesPerVersionComeFromTheCountersDeltasSummedOverProtocols() {
    record(requests(meters, "records", 1), 50, 5); // before the baseline: not in any window
    history.sampleAt(T0);
    record(requests(meters, "records", 1), 20, 5);
    record(requests(meters, "oip", 1), 10, 5);
    record(requests(meters, "records", 2), 5, 5);
    history.sampleAt(T0.plusSeconds(10));
    record(requests(meters, "oip", 1), 10, 5);
    history.sampleAt(T0.plusSeconds(30));

    List<MetricHistory.Sample> s = all();
    assertThat(s)
        .extracting(MetricHistory.Sample::time)
        .containsExactly(T0.plusSeconds(10), T0.plusSeconds(30));
    assertThat(s.get(0).versions().get(1).requestsPerSecond()).isEqualTo(3.0);
    assertThat(s.get(0).versions().get(2).requestsPerSecond()).isEqualTo(0.5);
    assertThat(s.get(1).versions().get(1).requestsPerSecond()).isEqualTo(0.5); // 10 in 20 s
    assertThat(s.get(1).versions().get(2).requestsPerSecond()).isZero();
    assertThat(s.get(1).versions().get(2).p50()).as("no request, no percentile").isNull();
  }

  @Test
  void latencyPercentilesDescribeEachWindowNotTheServersLifetime() {
    Timer t = requests(meters, "records", 1);
    history.sampleAt(T0);
    for (int ms = 1; ms <= 100; ms++) {
      t.record(ms, TimeUnit.MILLISECONDS);
    }
    history.sampleAt(T0.plusSeconds(10));
    record(t, 100, 400);
    history.sampleAt(T0.plusSeconds(20));

    // Bucket resolution: Micrometer's histogram buckets are at most about a third apart.
    MetricHistory.VersionSample first = all().get(0).versions().get(1);
    assertThat(first.p50()).isCloseTo(50, within(12.0));
    assertThat(first.p95()).isCloseTo(95, within(20.0));
    assertThat(first.p99()).isCloseTo(99, within(20.0));
    MetricHistory.VersionSample second = all().get(1).versions().get(1);
    assertThat(second.p50()).isCloseTo(400, within(100.0)).isGreaterThan(first.p99());
    assertThat(second.p99()).isCloseTo(400, within(100.0));
  }

  @Test
  void quantilesInterpolateInsideTheBucketHoldingTheRank() {
    // 10 values: 5 in (10, 20] ms, 5 in (20, 40] ms; as Prometheus' histogram_quantile does.
    SortedMap<Double, Double> cumulative = new TreeMap<>();
    cumulative.put(10.0, 0.0);
    cumulative.put(20.0, 5.0);
    cumulative.put(40.0, 10.0);
    assertThat(MetricHistory.quantile(cumulative, 10, 0.5)).isEqualTo(20.0);
    assertThat(MetricHistory.quantile(cumulative, 10, 0.75)).isEqualTo(30.0);
    assertThat(MetricHistory.quantile(cumulative, 10, 0.1)).isEqualTo(12.0);
    // a rank above every bucket (values past the largest bound) is reported as the largest bound
    assertThat(MetricHistory.quantile(cumulative, 20, 0.99)).isEqualTo(40.0);
  }

  @Test
  void errorRateIsErrorResponsesOverAllAndFallbackRateIsNonPrimaryRowsOverAll() {
    history.sampleAt(T0);
    meters.counter("slipway.model.responses", "model", MODEL, "status", "2xx").increment(8);
    meters.counter("slipway.model.responses", "model", MODEL, "status", "4xx").increment(1);
    meters.counter("slipway.model.responses", "model", MODEL, "status", "5xx").increment(1);
    meters.counter("slipway.guard.answers", "model", MODEL, "link", "primary").increment(18);
    meters.counter("slipway.guard.answers", "model", MODEL, "link", "heuristic").increment(2);
    history.sampleAt(T0.plusSeconds(10));
    meters.counter("slipway.model.responses", "model", MODEL, "status", "2xx").increment(4);
    history.sampleAt(T0.plusSeconds(20));
    history.sampleAt(T0.plusSeconds(30));

    List<MetricHistory.Sample> s = all();
    assertThat(s.get(0).errorRate()).isEqualTo(0.2);
    assertThat(s.get(0).fallbackRate()).isEqualTo(0.1);
    assertThat(s.get(1).errorRate()).isZero();
    assertThat(s.get(1).fallbackRate()).as("no guarded rows in the window").isNull();
    assertThat(s.get(2).errorRate()).as("no responses in the window").isNull();
  }

  @Test
  void retentionKeepsTheLastCapacitySamplesPerModel() {
    MetricHistory small =
        new MetricHistory(meters, Clock.fixed(T0, ZoneOffset.UTC), Duration.ofSeconds(10), 5);
    Timer t = requests(meters, "records", 1);
    for (int i = 0; i <= 12; i++) {
      t.record(1, TimeUnit.MILLISECONDS);
      small.sampleAt(T0.plusSeconds(10L * i));
    }
    List<MetricHistory.Sample> kept = small.samples(MODEL, Instant.MIN, Instant.MAX);
    assertThat(kept).hasSize(5);
    assertThat(kept.get(0).time()).isEqualTo(T0.plusSeconds(80));
    assertThat(kept.get(4).time()).isEqualTo(T0.plusSeconds(120));
    assertThat(small.samples(MODEL, T0.plusSeconds(90), T0.plusSeconds(100))).hasSize(2);
  }

  @Test
  void aSampleNotAfterThePreviousIsIgnoredAndTheClockTimesSample() {
    Timer t = requests(meters, "records", 1);
    history.sampleAt(T0.minusSeconds(10));
    record(t, 10, 1);
    history.sample(); // at the clock's T0
    history.sampleAt(T0.minusSeconds(5));
    history.sampleAt(T0);
    assertThat(all()).extracting(MetricHistory.Sample::time).containsExactly(T0);
    assertThat(all().get(0).versions().get(1).requestsPerSecond()).isEqualTo(1.0);
    assertThat(history.samples("other", Instant.MIN, Instant.MAX)).isEmpty();
  }
}
