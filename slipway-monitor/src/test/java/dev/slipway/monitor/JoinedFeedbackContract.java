package dev.slipway.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.slipway.api.DataType;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.monitor.feedback.Feedback;
import dev.slipway.monitor.feedback.FeedbackStore.Status;
import dev.slipway.monitor.feedback.JoinedFeedback;
import dev.slipway.monitor.log.LoggedPrediction;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.artifact.LocalArtifactStore;
import dev.slipway.serving.event.PredictionEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Monitoring#onJoined} hears: every prediction's first label once, and corrections,
 * from every join (the immediate one, the log writer's, the sweep), never twice for one change. A
 * database's test extends this class and gives a fresh, empty database.
 */
public abstract class JoinedFeedbackContract {
  static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path work;
  protected final MutableClock clock = new MutableClock(T0);
  private ModelRegistry registry;
  private Monitoring monitoring;
  final List<JoinedFeedback> heard = new CopyOnWriteArrayList<>();

  /** A new data source onto an empty database; the registry migrates it and closes it. */
  protected abstract DataSource newDataSource();

  /** Called after the database is closed. */
  protected void afterClosed() {}

  @BeforeEach
  void open() {
    registry = new ModelRegistry(newDataSource(), new LocalArtifactStore(work), clock);
    monitoring =
        new Monitoring(
            registry.dataSource(),
            MonitorSettings.defaults()
                .withModel("ads", new MonitorSettings.Model(null, "user", null, null)),
            clock,
            new SimpleMeterRegistry());
    monitoring.onJoined(heard::addAll);
  }

  @AfterEach
  void close() {
    monitoring.close();
    registry.close();
    afterClosed();
  }

  static PredictionEvent event(String id, int version, Instant at, String user, double score) {
    Tensor t = new Tensor("score", DataType.FP64, new long[] {1}, new double[] {score});
    return new PredictionEvent(
        id,
        "ads",
        version,
        at,
        Duration.ofMillis(1),
        List.of(Record.of(Map.of("user", user))),
        Map.of("score", t),
        1,
        null,
        null);
  }

  void log(PredictionEvent... events) throws InterruptedException {
    for (PredictionEvent e : events) {
      monitoring.listener().onPrediction(e);
    }
    assertThat(monitoring.flush(WAIT)).as("log written in time").isTrue();
  }

  @Test
  void aMatchedFeedbackIsHeardOnceWithItsPredictionsVersionTimeAndScore() throws Exception {
    log(event("a-1", 2, T0, "u", 0.8));
    clock.set(T0.plusSeconds(3600)); // the feedback comes an hour later

    monitoring.submit(List.of(Feedback.ofRequest("a-1", 1)));

    assertThat(heard)
        .extracting(
            JoinedFeedback::model,
            JoinedFeedback::version,
            JoinedFeedback::time,
            JoinedFeedback::score,
            JoinedFeedback::label,
            JoinedFeedback::replaced)
        .containsExactly(tuple("ads", 2, T0, 0.8, 1.0, null));
  }

  @Test
  void theSameFeedbackPostedTwiceIsHeardOnce() throws Exception {
    log(event("d-1", 1, T0, "u", 0.3));

    monitoring.submit(List.of(Feedback.ofRequest("d-1", 1)));
    monitoring.submit(List.of(Feedback.ofRequest("d-1", 1)));
    monitoring.submit(List.of(Feedback.ofRequest("d-1", 1), Feedback.ofRequest("d-1", 1)));

    assertThat(heard).hasSize(1);
  }

  @Test
  void aCorrectionIsHeardWithTheLabelItReplaces() throws Exception {
    log(event("c-1", 1, T0, "u", 0.3));

    monitoring.submit(List.of(Feedback.ofRequest("c-1", 0)));
    monitoring.submit(List.of(Feedback.ofRequest("c-1", 1)));

    assertThat(heard)
        .extracting(JoinedFeedback::label, JoinedFeedback::replaced)
        .containsExactly(tuple(0.0, null), tuple(1.0, 0.0));
  }

  @Test
  void feedbackPostedBeforeItsPredictionIsHeardWhenTheWriterJoinsIt() throws Exception {
    assertThat(monitoring.submit(List.of(Feedback.ofRequest("early", 1))))
        .containsExactly(Status.PENDING);
    assertThat(heard).isEmpty();

    log(event("early", 3, T0, "u", 0.9));

    assertThat(heard)
        .extracting(JoinedFeedback::version, JoinedFeedback::label)
        .containsExactly(tuple(3, 1.0));
    assertThat(monitoring.joinPending()).isZero();
    assertThat(heard).hasSize(1);
  }

  @Test
  void twoPendingFeedbacksOfOnePredictionAreHeardAsItsLatestLabel() throws Exception {
    monitoring.submit(List.of(Feedback.ofRequest("two", 1)));
    monitoring.submit(List.of(Feedback.ofRequest("two", 0)));

    log(event("two", 1, T0, "u", 0.9));

    assertThat(heard)
        .extracting(JoinedFeedback::label, JoinedFeedback::replaced)
        .containsExactly(tuple(0.0, null));
  }

  @Test
  void theSweepHearsWhatTheWriterMissedAndNothingTwice() throws Exception {
    monitoring.submit(List.of(Feedback.ofEntity("ads", "ann", T0.plusSeconds(5), 1)));
    // stored without the writer: no join saw it yet
    monitoring
        .log()
        .append(
            List.of(
                new LoggedPrediction(
                    0, "q", 0, "ads", 1, T0, 1, "ads/1", "ann", 0.4, null, Map.of())));
    assertThat(heard).isEmpty();

    assertThat(monitoring.joinPending()).isEqualTo(1);
    assertThat(monitoring.joinPending()).isZero();

    assertThat(heard)
        .extracting(JoinedFeedback::time, JoinedFeedback::score, JoinedFeedback::label)
        .containsExactly(tuple(T0, 0.4, 1.0));
  }

  @Test
  void theSameFeedbackPostedConcurrentlyIsHeardOnce() throws Exception {
    log(event("race", 1, T0, "u", 0.5));
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<List<Status>>> posts = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        posts.add(
            pool.submit(
                () -> {
                  go.await();
                  return monitoring.submit(List.of(Feedback.ofRequest("race", 1)));
                }));
      }
      go.countDown();
      for (Future<List<Status>> f : posts) {
        assertThat(f.get()).containsExactly(Status.MATCHED);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(heard).hasSize(1);
  }

  @Test
  void aFailingListenerDoesNotFailTheFeedbackNorSilenceTheOthers() throws Exception {
    monitoring.onJoined(
        changes -> {
          throw new IllegalStateException("boom");
        });
    List<JoinedFeedback> after = new CopyOnWriteArrayList<>();
    monitoring.onJoined(after::addAll);
    log(event("f-1", 1, T0, "u", 0.5));

    assertThat(monitoring.submit(List.of(Feedback.ofRequest("f-1", 0))))
        .containsExactly(Status.MATCHED);
    assertThat(after).hasSize(1);
    assertThat(monitoring.feedback().joined("ads", T0, T0.plusSeconds(1))).hasSize(1);
  }
}
