package dev.slipway.monitor.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.Tensor;
import dev.slipway.monitor.MonitorSettings;
import dev.slipway.serving.event.PredictionEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The writer never makes a request wait: a full queue drops events and counts them. */
class PredictionLogWriterTest {
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final CountDownLatch writing = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);

  /** A database whose first connection waits until the test releases it, then fails. */
  DataSource stuck() {
    return (DataSource)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                writing.countDown();
                release.await(30, TimeUnit.SECONDS);
                throw new SQLException("database down");
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  static PredictionEvent event(String id) {
    return new PredictionEvent(
        id,
        "m",
        1,
        Instant.EPOCH,
        Duration.ZERO,
        null,
        Map.of("score", new Tensor("score", DataType.FP64, new long[] {1}, new double[] {0.5})),
        1,
        null,
        null);
  }

  @Test
  void aFullQueueDropsNewEventsAndCountsThemWhileTheDatabaseIsStuck() throws Exception {
    MonitorSettings s =
        new MonitorSettings(
            true,
            1.0,
            Map.of(),
            30,
            Duration.ofHours(1),
            2,
            10,
            Duration.ofHours(1),
            Duration.ofHours(1),
            0);
    try (PredictionLogWriter w =
        new PredictionLogWriter(new PredictionLog(stuck()), rows -> {}, s, meters)) {
      w.onPrediction(event("a"));
      assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue(); // "a" is being written
      for (String id : List.of("b", "c", "d", "e")) {
        w.onPrediction(event(id)); // b and c fit the queue of 2; d and e do not
      }

      assertThat(count("dropped")).isEqualTo(2);
      release.countDown();
      assertThat(w.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(count("failed")).isEqualTo(3); // a, then b and c in one batch
      assertThat(count("written")).isZero();
    }
  }

  @Test
  void theScoreIsTheNamedOutputElseTheOnlyNumber() {
    assertThat(PredictionLogWriter.score(Map.of("score", 0.3, "p", 0.9), "score")).isEqualTo(0.3);
    assertThat(PredictionLogWriter.score(Map.of("label", "click", "p", 0.9), "score"))
        .isEqualTo(0.9);
    assertThat(PredictionLogWriter.score(Map.of("a", 0.1, "b", 0.9), "score")).isNull();
    assertThat(PredictionLogWriter.score(Map.of("label", "x"), "score")).isNull();
  }

  double count(String outcome) {
    return meters.get("slipway.prediction.log").tag("outcome", outcome).counter().count();
  }
}
