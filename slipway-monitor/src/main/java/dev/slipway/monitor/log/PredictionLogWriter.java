package dev.slipway.monitor.log;

import dev.slipway.monitor.MonitorSettings;
import dev.slipway.serving.event.PredictionEvent;
import dev.slipway.serving.event.PredictionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to prediction events and writes the sampled ones to the {@link PredictionLog} off the
 * request path: {@link #onPrediction} only decides the sample and offers the event to a bounded
 * queue; one background thread drains it in batches. When the queue is full the event is dropped,
 * never waited for. Counted in {@code slipway.prediction.log} by outcome: {@code written} (rows),
 * {@code sampled_out}, {@code dropped} (queue full), {@code failed} (rows the database refused);
 * {@code slipway.prediction.log.queue} is the queue's length.
 *
 * <p>Thread-safe: {@link #onPrediction} may be called from any number of threads.
 */
public final class PredictionLogWriter implements PredictionListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PredictionLogWriter.class);

  private final PredictionLog predictions;
  private final Consumer<List<LoggedPrediction>> afterWrite;
  private final MonitorSettings settings;
  private final Sampler sampler;
  private final BlockingQueue<PredictionEvent> queue;
  private final Counter written;
  private final Counter sampledOut;
  private final Counter dropped;
  private final Counter failed;
  private final Thread thread;
  private final Object progress = new Object(); // flush waits on it
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private volatile boolean closed;

  /**
   * Starts the writer thread.
   *
   * @param afterWrite called on the writer thread with each batch just stored (the feedback join)
   */
  public PredictionLogWriter(
      PredictionLog predictions,
      Consumer<List<LoggedPrediction>> afterWrite,
      MonitorSettings settings,
      MeterRegistry meters) {
    this.predictions = predictions;
    this.afterWrite = afterWrite;
    this.settings = settings;
    this.sampler = new Sampler(settings.seed());
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.written = outcome(meters, "written");
    this.sampledOut = outcome(meters, "sampled_out");
    this.dropped = outcome(meters, "dropped");
    this.failed = outcome(meters, "failed");
    Gauge.builder("slipway.prediction.log.queue", queue, BlockingQueue::size)
        .description("Prediction events waiting to be written to the prediction log")
        .register(meters);
    this.thread = new Thread(this::drain, "slipway-prediction-log");
    thread.setDaemon(true);
    thread.start();
  }

  private static Counter outcome(MeterRegistry meters, String outcome) {
    return Counter.builder("slipway.prediction.log")
        .description("Prediction log: rows written, events sampled out, dropped, rows failed")
        .tag("outcome", outcome)
        .register(meters);
  }

  @Override
  public void onPrediction(PredictionEvent event) {
    if (!sampler.sampled(event.requestId(), settings.sampleRate(event.model()))) {
      sampledOut.increment();
      return;
    }
    if (closed) {
      dropped.increment();
      return;
    }
    if (queue.offer(event)) {
      accepted.incrementAndGet();
    } else {
      dropped.increment();
    }
  }

  /**
   * Waits until every event accepted before the call is written (or failed), at most {@code
   * timeout}.
   *
   * @return whether everything accepted was handled in time
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long target = accepted.get();
    synchronized (progress) {
      while (done.get() < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
      return true;
    }
  }

  private void drain() {
    List<PredictionEvent> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        PredictionEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, Math.max(0, settings.batchSize() - 1));
        write(batch);
      } catch (InterruptedException e) {
        if (closed) {
          queue.drainTo(batch);
          write(batch);
          return;
        }
      } finally {
        done.addAndGet(batch.size());
        synchronized (progress) {
          progress.notifyAll();
        }
        batch.clear();
      }
    }
  }

  private void write(List<PredictionEvent> events) {
    List<LoggedPrediction> rows = new ArrayList<>();
    for (PredictionEvent e : events) {
      try {
        rows.addAll(rows(e));
      } catch (RuntimeException ex) {
        failed.increment(e.rowCount());
        log.warn("prediction of {} not logged: {}", e.model(), ex.toString());
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    try {
      predictions.append(rows);
      written.increment(rows.size());
    } catch (RuntimeException ex) {
      failed.increment(rows.size());
      log.warn("{} predictions not logged: {}", rows.size(), ex.getMessage());
      return;
    }
    try {
      afterWrite.accept(rows);
    } catch (RuntimeException ex) {
      log.warn("feedback join after logging failed: {}", ex.getMessage());
    }
  }

  /** The rows of an event as the log stores them. */
  List<LoggedPrediction> rows(PredictionEvent e) {
    if (e.requestId().length() > PredictionLog.MAX_KEY) {
      throw new IllegalArgumentException("request id longer than " + PredictionLog.MAX_KEY);
    }
    String scoreOutput = settings.scoreOutput(e.model());
    String entityField = settings.entityField(e.model());
    long micros = e.latency().toNanos() / 1000;
    List<LoggedPrediction> out = new ArrayList<>(e.rowCount());
    for (PredictionEvent.Row r : e.rows()) {
      String entity = r.entity();
      if (entity == null && entityField != null && r.inputs() != null) {
        Object v = r.inputs().get(entityField);
        entity = v == null ? null : String.valueOf(v);
      }
      if (entity != null && entity.length() > PredictionLog.MAX_KEY) {
        entity = null;
      }
      out.add(
          new LoggedPrediction(
              0,
              e.requestId(),
              r.index(),
              e.model(),
              e.version(),
              e.time(),
              micros,
              r.servedBy(),
              entity,
              score(r.outputs(), scoreOutput),
              r.inputs() == null ? null : r.inputs().asMap(),
              r.outputs()));
    }
    return out;
  }

  /**
   * The row's score: the named output when it is a number; else the only numeric scalar output;
   * else null (the row counts for drift but not for performance).
   */
  static Double score(Map<String, Object> outputs, String name) {
    Object named = outputs.get(name);
    if (named instanceof Number n) {
      return n.doubleValue();
    }
    Double only = null;
    for (Object v : outputs.values()) {
      if (v instanceof Number n) {
        if (only != null) {
          return null;
        }
        only = n.doubleValue();
      }
    }
    return only;
  }

  /** Stops accepting events, writes what is queued and stops the thread. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
