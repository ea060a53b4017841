package dev.slipway.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.slipway.api.DataType;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.monitor.feedback.Feedback;
import dev.slipway.monitor.feedback.FeedbackStore.Status;
import dev.slipway.monitor.feedback.LabeledPrediction;
import dev.slipway.monitor.log.LoggedPrediction;
import dev.slipway.monitor.log.PredictionLog;
import dev.slipway.monitor.log.Sampler;
import dev.slipway.monitor.performance.WindowDrift;
import dev.slipway.monitor.performance.WindowPerformance;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.artifact.LocalArtifactStore;
import dev.slipway.serving.event.PredictionEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction log, feedback join, retention and window queries on a metadata database. A
 * database's test extends this class and gives a fresh, empty database in {@link #newDataSource}.
 */
public abstract class PredictionLogContract {
  static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path work;
  protected final MutableClock clock = new MutableClock(T0);
  protected final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ModelRegistry registry;
  private Monitoring monitoring;

  /** A new data source onto an empty database; the registry migrates it and closes it. */
  protected abstract DataSource newDataSource();

  /** Called after the database is closed (drop the test's schema). */
  protected void afterClosed() {}

  @BeforeEach
  void open() {
    registry = new ModelRegistry(newDataSource(), new LocalArtifactStore(work), clock);
  }

  @AfterEach
  void close() {
    if (monitoring != null) {
      monitoring.close();
    }
    registry.close();
    afterClosed();
  }

  Monitoring monitoring(MonitorSettings settings) {
    monitoring = new Monitoring(registry.dataSource(), settings, clock, meters);
    return monitoring;
  }

  Monitoring monitoring() {
    return monitoring(MonitorSettings.defaults().withModel("ads", model(null, "user")));
  }

  static MonitorSettings.Model model(Double rate, String entityField) {
    return new MonitorSettings.Model(rate, entityField, null, null);
  }

  /** An event of model {@code ads} with one row per score, each row's user the given one. */
  static PredictionEvent event(String id, int version, Instant at, String user, double... scores) {
    List<Record> inputs = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("user", user);
      r.put("age", 20L + i);
      r.put("device", i % 2 == 0 ? "mobile" : "desktop");
      inputs.add(Record.of(r));
    }
    Tensor score = new Tensor("score", DataType.FP64, new long[] {scores.length}, scores.clone());
    return new PredictionEvent(
        id,
        "ads",
        version,
        at,
        Duration.ofMillis(3),
        inputs,
        Map.of("score", score),
        scores.length,
        null,
        null);
  }

  void log(Monitoring m, PredictionEvent... events) throws InterruptedException {
    for (PredictionEvent e : events) {
      m.listener().onPrediction(e);
    }
    assertThat(m.flush(WAIT)).as("log written in time").isTrue();
  }

  @Test
  void everyRowIsLoggedWithInputsOutputsVersionLatencyLinkAndEntity() throws Exception {
    Monitoring m = monitoring();
    log(m, event("r-1", 2, T0, "u-7", 0.25, 0.75));

    List<LoggedPrediction> rows = m.log().request("r-1");
    assertThat(rows)
        .extracting(
            LoggedPrediction::row,
            LoggedPrediction::model,
            LoggedPrediction::version,
            LoggedPrediction::time,
            LoggedPrediction::latencyMicros,
            LoggedPrediction::servedBy,
            LoggedPrediction::entity,
            LoggedPrediction::score)
        .containsExactly(
            tuple(0, "ads", 2, T0, 3000L, "ads/2", "u-7", 0.25),
            tuple(1, "ads", 2, T0, 3000L, "ads/2", "u-7", 0.75));
    assertThat(rows.get(1).inputs()).containsEntry("device", "desktop").containsEntry("age", 21);
    assertThat(rows.get(1).outputs()).containsEntry("score", 0.75);
    assertThat(meters.get("slipway.prediction.log").tag("outcome", "written").counter().count())
        .isEqualTo(2);
  }

  @Test
  void onlySampledRequestsAreLoggedAndTheSameIdIsAlwaysDecidedAlike() throws Exception {
    MonitorSettings s = MonitorSettings.defaults().withModel("ads", model(0.3, null));
    Monitoring m = monitoring(s);
    Sampler sampler = new Sampler(s.seed());
    int expected = 0;
    for (int i = 0; i < 400; i++) {
      m.listener().onPrediction(event("s-" + i, 1, T0, "u", 0.5));
      expected += sampler.sampled("s-" + i, 0.3) ? 1 : 0;
    }
    assertThat(m.flush(WAIT)).isTrue();

    assertThat(m.log().count("ads")).isEqualTo(expected).isBetween(80L, 160L);
    assertThat(meters.get("slipway.prediction.log").tag("outcome", "sampled_out").counter().count())
        .isEqualTo(400 - expected);
  }

  @Test
  void aModelSampledAtZeroIsNotLogged() throws Exception {
    Monitoring m = monitoring(MonitorSettings.defaults().withModel("ads", model(0.0, null)));
    log(m, event("z-1", 1, T0, "u", 0.5), event("z-2", 1, T0, "u", 0.5));

    assertThat(m.log().count("ads")).isZero();
  }

  @Test
  void windowQueriesReturnTheHalfOpenRangeOldestFirstOptionallyOfOneVersion() throws Exception {
    Monitoring m = monitoring();
    log(
        m,
        event("w-3", 2, T0.plusSeconds(3600), "u", 0.3),
        event("w-1", 1, T0, "u", 0.1),
        event("w-2", 2, T0.plusSeconds(1800), "u", 0.2),
        event("w-0", 1, T0.minusNanos(1000), "u", 0.0));

    assertThat(m.log().window("ads", null, T0, T0.plusSeconds(3600), 100, false))
        .extracting(LoggedPrediction::requestId)
        .containsExactly("w-1", "w-2");
    assertThat(m.log().window("ads", 2, T0, T0.plusSeconds(7200), 100, false))
        .extracting(LoggedPrediction::requestId)
        .containsExactly("w-2", "w-3");
    assertThat(m.log().window("other", null, T0, T0.plusSeconds(7200), 100, false)).isEmpty();
    assertThat(m.log().first("ads", 2)).contains(T0.plusSeconds(1800));
  }

  @Test
  void retentionDeletesOldPredictionsAndFeedbackKeepingRecentOnes() throws Exception {
    MonitorSettings s = MonitorSettings.defaults();
    Monitoring m = monitoring(s);
    Instant old = T0.minus(Duration.ofDays(31));
    log(m, event("old", 1, old, "u", 0.4), event("new", 1, T0.minusSeconds(60), "u", 0.6));
    clock.set(old.plusSeconds(10));
    m.submit(List.of(Feedback.ofRequest("old", 1), Feedback.ofRequest("never-logged", 1)));
    clock.set(T0);
    m.submit(List.of(Feedback.ofRequest("new", 0)));

    PredictionLog.Pruned pruned = m.applyRetention();

    assertThat(pruned).isEqualTo(new PredictionLog.Pruned(1, 2));
    assertThat(m.log().request("old")).isEmpty();
    assertThat(m.log().request("new")).hasSize(1);
    assertThat(m.feedback().joined("ads", old, T0.plusSeconds(1)))
        .extracting(LabeledPrediction::label)
        .containsExactly(0.0);
  }

  @Test
  void feedbackByRequestIdJoinsItsLoggedRow() throws Exception {
    Monitoring m = monitoring();
    log(m, event("f-1", 1, T0, "u", 0.2, 0.9));

    List<Status> status =
        m.submit(
            List.of(
                new Feedback("f-1", 1, null, null, null, 1),
                new Feedback("f-1", 0, "ads", null, null, 0)));

    assertThat(status).containsExactly(Status.MATCHED, Status.MATCHED);
    assertThat(m.feedback().joined("ads", T0, T0.plusSeconds(1)))
        .extracting(LabeledPrediction::score, LabeledPrediction::label)
        .containsExactly(tuple(0.2, 0.0), tuple(0.9, 1.0));
  }

  @Test
  void feedbackThatArrivesBeforeItsPredictionIsLoggedWaitsAndJoinsLater() throws Exception {
    Monitoring m = monitoring();

    assertThat(m.submit(List.of(Feedback.ofRequest("early", 1)))).containsExactly(Status.PENDING);
    assertThat(m.feedback().pending()).isEqualTo(1);
    log(m, event("early", 1, T0, "u", 0.8));

    assertThat(m.feedback().pending()).isZero();
    assertThat(m.feedback().joined("ads", T0, T0.plusSeconds(1)))
        .extracting(LabeledPrediction::score, LabeledPrediction::label)
        .containsExactly(tuple(0.8, 1.0));
  }

  @Test
  void aSweepJoinsFeedbackWhosePredictionWasStoredWithoutTheWriter() throws Exception {
    Monitoring m = monitoring();
    m.submit(List.of(Feedback.ofRequest("quiet", 1)));
    // stored at the same moment as the feedback: the writer's join did not see it
    m.log()
        .append(
            List.of(
                new LoggedPrediction(
                    0, "quiet", 0, "ads", 1, T0, 1, "ads/1", null, 0.9, null, Map.of())));
    assertThat(m.feedback().pending()).isEqualTo(1);

    assertThat(m.joinPending()).isEqualTo(1);

    assertThat(m.feedback().pending()).isZero();
    assertThat(m.feedback().joined("ads", T0, T0.plusSeconds(1))).hasSize(1);
  }

  @Test
  void feedbackNamingAnotherModelDoesNotJoin() throws Exception {
    Monitoring m = monitoring();
    log(m, event("x-1", 1, T0, "u", 0.8));

    assertThat(m.submit(List.of(new Feedback("x-1", 0, "other", null, null, 1))))
        .containsExactly(Status.PENDING);
  }

  @Test
  void entityFeedbackJoinsTheLatestPredictionAtOrBeforeItsTimeWithinTheWindow() throws Exception {
    Monitoring m = monitoring(); // join window: 1 hour
    log(
        m,
        event("e-1", 1, T0, "alice", 0.1),
        event("e-2", 1, T0.plusSeconds(600), "alice", 0.2),
        event("e-3", 1, T0.plusSeconds(600), "bob", 0.3));

    List<Status> status =
        m.submit(
            List.of(
                Feedback.ofEntity("ads", "alice", T0.plusSeconds(1200), 1),
                Feedback.ofEntity("ads", "alice", T0.plusSeconds(300), 0),
                Feedback.ofEntity("ads", "alice", T0.plusSeconds(600 + 3601), 1),
                Feedback.ofEntity("ads", "carol", T0.plusSeconds(1200), 1)));

    assertThat(status)
        .containsExactly(Status.MATCHED, Status.MATCHED, Status.PENDING, Status.PENDING);
    assertThat(m.feedback().joined("ads", T0, T0.plusSeconds(3600)))
        .extracting(LabeledPrediction::score, LabeledPrediction::label)
        .containsExactly(tuple(0.1, 0.0), tuple(0.2, 1.0));
  }

  @Test
  void earlyEntityFeedbackJoinsWhenAPredictionForTheEntityIsLogged() throws Exception {
    Monitoring m = monitoring();
    assertThat(m.submit(List.of(Feedback.ofEntity("ads", "dave", T0.plusSeconds(60), 1))))
        .containsExactly(Status.PENDING);

    log(m, event("d-1", 1, T0, "dave", 0.7));

    assertThat(m.feedback().joined("ads", T0, T0.plusSeconds(1)))
        .extracting(LabeledPrediction::label)
        .containsExactly(1.0);
  }

  @Test
  void aLaterFeedbackForTheSamePredictionReplacesTheFirst() throws Exception {
    Monitoring m = monitoring();
    log(m, event("c-1", 1, T0, "u", 0.6));
    m.submit(List.of(Feedback.ofRequest("c-1", 0)));
    m.submit(List.of(Feedback.ofRequest("c-1", 1)));

    assertThat(m.feedback().joined("ads", T0, T0.plusSeconds(1)))
        .extracting(LabeledPrediction::label)
        .containsExactly(1.0);
  }

  @Test
  void performanceIsComputedPerWindowAndVersionFromJoinedFeedback() throws Exception {
    Monitoring m = monitoring();
    Instant hour2 = T0.plusSeconds(3600);
    log(
        m,
        event("p-1", 1, T0.plusSeconds(10), "u", 0.9),
        event("p-2", 1, T0.plusSeconds(20), "u", 0.2),
        event("p-3", 1, T0.plusSeconds(30), "u", 0.6),
        event("p-4", 2, T0.plusSeconds(40), "u", 0.7),
        event("p-5", 1, hour2.plusSeconds(5), "u", 0.4));
    m.submit(
        List.of(
            Feedback.ofRequest("p-1", 1),
            Feedback.ofRequest("p-2", 0),
            Feedback.ofRequest("p-3", 0),
            Feedback.ofRequest("p-4", 1),
            Feedback.ofRequest("p-5", 1)));

    List<WindowPerformance> w =
        m.performance("ads", T0, T0.plusSeconds(7200), Duration.ofHours(1), 0.5, 10);

    assertThat(w)
        .extracting(WindowPerformance::start, WindowPerformance::version, WindowPerformance::count)
        .containsExactly(tuple(T0, 1, 3L), tuple(T0, 2, 1L), tuple(hour2, 1, 1L));
    // window 1, version 1: (0.9, 1) right, (0.2, 0) right, (0.6, 0) wrong
    assertThat(w.get(0).accuracy()).isEqualTo(2.0 / 3);
    // the positive 0.9 outranks both negatives
    assertThat(w.get(0).auc()).isEqualTo(1.0);
    assertThat(w.get(0).logLoss())
        .isCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3, within(1e-12));
    assertThat(w.get(1).auc()).isNaN();
    assertThat(w.get(2).accuracy()).isZero();
  }

  @Test
  void driftComparesEachWindowsInputsWithTheProfileAndItsScoresWithTheFirstWindow()
      throws Exception {
    Monitoring m = monitoring();
    Random random = new Random(3);
    List<Record> training = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      training.add(
          Record.of(
              Map.of(
                  "age",
                  20 + random.nextDouble() * 10,
                  "device",
                  i % 2 == 0 ? "mobile" : "desktop")));
    }
    DataProfile profile = DataProfile.of(training);
    List<PredictionEvent> events = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      // hour 1: like training; hour 2: ages 60+, all mobile, higher scores
      boolean shifted = i >= 100;
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("age", (shifted ? 60 : 20) + random.nextDouble() * 10);
      r.put("device", shifted || i % 2 == 0 ? "mobile" : "desktop");
      double score = (shifted ? 0.6 : 0.1) + random.nextDouble() * 0.3;
      Instant at = T0.plusSeconds(shifted ? 3600 + i : i);
      events.add(
          new PredictionEvent(
              "d-" + i,
              "ads",
              1,
              at,
              Duration.ZERO,
              List.of(Record.of(r)),
              Map.of(
                  "score",
                  new Tensor("score", DataType.FP64, new long[] {1}, new double[] {score})),
              1,
              null,
              null));
    }
    log(m, events.toArray(new PredictionEvent[0]));

    WindowDrift.Result d =
        m.drift(
            "ads",
            T0,
            T0.plusSeconds(7200),
            Duration.ofHours(1),
            v -> v == 1 ? Optional.of(profile) : Optional.empty(),
            null,
            null);

    assertThat(d.unprofiled()).isEmpty();
    // KS flags the shifted hour only (JS distance on 10 bins of 100 values is noisy by itself)
    assertThat(d.features())
        .extracting(
            p -> p.start(),
            p -> p.drift().feature(),
            p -> p.drift().drifted().contains("ks") || p.drift().drifted().contains("chi_square"))
        .as("(window, feature, drifted) of %s", d.features())
        .containsExactlyInAnyOrder(
            tuple(T0, "age", false),
            tuple(T0, "device", false),
            tuple(T0.plusSeconds(3600), "age", true),
            tuple(T0.plusSeconds(3600), "device", true));
    assertThat(d.scores())
        .extracting(p -> p.count(), p -> p.referenceCount(), p -> p.drift().drifted().isEmpty())
        .as("(scores, reference scores, not drifted)")
        .containsExactly(tuple(100L, 100L, true), tuple(100L, 100L, false));
  }

  static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
