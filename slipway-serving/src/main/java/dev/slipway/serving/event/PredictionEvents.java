package dev.slipway.serving.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's side of prediction events: the clock that dates them, the source of request ids
 * for callers who send none, and the registered listeners. A listener that throws is logged and
 * counted in {@code slipway.prediction.listener.errors}; the request does not see it.
 *
 * <p>Thread-safe: listeners may be added while requests run.
 */
public final class PredictionEvents {
  private static final Logger log = LoggerFactory.getLogger(PredictionEvents.class);

  private final Clock clock;
  private final Supplier<String> ids;
  private final Counter errors;
  private final List<PredictionListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param clock dates the events
   * @param ids makes a request id for a request that has none (must be thread-safe)
   * @param meters where listener errors are counted, or null for nowhere
   */
  public PredictionEvents(Clock clock, Supplier<String> ids, MeterRegistry meters) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.errors =
        meters == null
            ? null
            : Counter.builder("slipway.prediction.listener.errors")
                .description("Prediction listeners that threw (the requests were answered)")
                .register(meters);
  }

  /** System UTC clock, random (version 4) UUIDs as request ids, no listener yet. */
  public static PredictionEvents standard(MeterRegistry meters) {
    return new PredictionEvents(Clock.systemUTC(), PredictionEvents::randomId, meters);
  }

  /**
   * A version 4 UUID from the thread's fast generator: request ids must be unique, not secret, and
   * {@link UUID#randomUUID()} would put a shared SecureRandom on every request's path.
   */
  static String randomId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  public PredictionEvents add(PredictionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** Whether anyone listens (when not, the pipeline builds no event). */
  public boolean listened() {
    return !listeners.isEmpty();
  }

  /** A new request id. */
  public String newId() {
    return ids.get();
  }

  public Clock clock() {
    return clock;
  }

  /** Hands the event to every listener, in registration order; never throws. */
  public void publish(PredictionEvent event) {
    for (PredictionListener l : listeners) {
      try {
        l.onPrediction(event);
      } catch (RuntimeException e) {
        if (errors != null) {
          errors.increment();
        }
        log.warn("prediction listener {} failed: {}", l, e.toString());
      }
    }
  }
}
