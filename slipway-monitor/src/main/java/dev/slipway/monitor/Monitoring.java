package dev.slipway.monitor;

import dev.slipway.guard.profile.DataProfile;
import dev.slipway.monitor.feedback.Feedback;
import dev.slipway.monitor.feedback.FeedbackStore;
import dev.slipway.monitor.feedback.JoinedFeedback;
import dev.slipway.monitor.log.PredictionLog;
import dev.slipway.monitor.log.PredictionLogWriter;
import dev.slipway.monitor.performance.WindowDrift;
import dev.slipway.monitor.performance.WindowPerformance;
import dev.slipway.serving.event.PredictionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring of one server: the prediction log and its writer (subscribe {@link #listener()} to
 * the pipeline's events), feedback, retention run every {@link MonitorSettings#retentionEvery()}
 * and on demand, and the performance and drift series. Its tables live in the metadata database
 * (the registry's migrations create them).
 *
 * <p>Thread-safe. {@link #close} writes what is queued and stops the background threads.
 */
public final class Monitoring implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Monitoring.class);

  /** Most logged rows one drift query reads. */
  public static final int MAX_DRIFT_ROWS = 200_000;

  /** How often waiting feedback is joined again. */
  public static final Duration JOIN_SWEEP = Duration.ofSeconds(30);

  private final MonitorSettings settings;
  private final Clock clock;
  private final PredictionLog predictions;
  private final FeedbackStore feedback;
  private final PredictionLogWriter writer;
  private final Counter pruned;
  private final ScheduledExecutorService retention =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "slipway-prediction-log-retention");
            t.setDaemon(true);
            return t;
          });

  /**
   * Starts the log writer and the retention schedule.
   *
   * @param db the metadata database, migrated to V6 or later; borrowed, not closed
   * @param clock dates feedback and decides what retention deletes
   */
  public Monitoring(DataSource db, MonitorSettings settings, Clock clock, MeterRegistry meters) {
    this.settings = settings;
    this.clock = clock;
    this.predictions = new PredictionLog(db);
    this.feedback = new FeedbackStore(db, clock, settings.entityJoinWindow());
    this.writer = new PredictionLogWriter(predictions, feedback::joinLogged, settings, meters);
    this.pruned =
        Counter.builder("slipway.prediction.log.pruned")
            .description("Logged predictions deleted by retention")
            .register(meters);
    long every = settings.retentionEvery().toMillis();
    retention.scheduleWithFixedDelay(
        () -> {
          try {
            applyRetention();
          } catch (RuntimeException e) {
            log.warn("prediction log retention failed: {}", e.getMessage());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    retention.scheduleWithFixedDelay(
        () -> {
          try {
            joinPending();
          } catch (RuntimeException e) {
            log.warn("joining waiting feedback failed: {}", e.getMessage());
          }
        },
        JOIN_SWEEP.toMillis(),
        JOIN_SWEEP.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Joins waiting feedback received in the last day to predictions logged since (run every {@link
   * #JOIN_SWEEP}; the log writer joins most feedback at once, this catches the rest).
   *
   * @return how many feedbacks were joined
   */
  public int joinPending() {
    return feedback.joinPending(clock.instant().minus(Duration.ofDays(1)), 10_000);
  }

  /** What the pipeline's events go to; ignores every event when logging is disabled. */
  public PredictionListener listener() {
    return settings.enabled() ? writer : e -> {};
  }

  public MonitorSettings settings() {
    return settings;
  }

  public PredictionLog log() {
    return predictions;
  }

  public FeedbackStore feedback() {
    return feedback;
  }

  /**
   * Adds a listener of the label changes feedback joins make (a prediction's first label, or a
   * correction), from every join: the immediate one of {@link #submit}, the log writer's and {@link
   * #joinPending}'s. Each change is heard once; see {@link FeedbackStore#onJoined}.
   */
  public void onJoined(Consumer<List<JoinedFeedback>> listener) {
    feedback.onJoined(listener);
  }

  /** Stores feedback and joins what it can; see {@link FeedbackStore#submit}. */
  public List<FeedbackStore.Status> submit(List<Feedback> items) {
    return feedback.submit(items);
  }

  /** Deletes what is older than the retention period now. */
  public PredictionLog.Pruned applyRetention() {
    PredictionLog.Pruned p =
        predictions.prune(clock.instant().minus(Duration.ofDays(settings.retentionDays())));
    pruned.increment(p.predictions());
    return p;
  }

  /** Waits until the events accepted so far are logged; see {@link PredictionLogWriter#flush}. */
  public boolean flush(Duration timeout) throws InterruptedException {
    return writer.flush(timeout);
  }

  /** Performance per window and version of the predictions made in {@code [from, to)}. */
  public List<WindowPerformance> performance(
      String model, Instant from, Instant to, Duration window, double threshold, int bins) {
    return WindowPerformance.of(feedback.joined(model, from, to), window, threshold, bins);
  }

  /** Drift per window and version over {@code [from, to)}; see {@link WindowDrift}. */
  public WindowDrift.Result drift(
      String model,
      Instant from,
      Instant to,
      Duration window,
      IntFunction<Optional<DataProfile>> profiles,
      Instant referenceFrom,
      Instant referenceTo) {
    return WindowDrift.compute(
        predictions, model, from, to, window, profiles, referenceFrom, referenceTo, MAX_DRIFT_ROWS);
  }

  @Override
  public void close() {
    retention.shutdownNow();
    writer.close();
  }
}
