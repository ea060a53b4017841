package dev.slipway.serving.host;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A loaded version with its count of open leases. Once closed it takes no new leases; it is closed
 * only when no lease is open, so no request ever sees its predictor closed under it. Thread-safe.
 */
final class Loaded implements Lease {
  private static final long CLOSED = 1L << 62;
  private final ServedModel model;
  private final AtomicLong state = new AtomicLong();
  private final long loadedAtNanos;
  volatile long retiredAtNanos = -1;

  Loaded(ServedModel model, long loadedAtNanos) {
    this.model = model;
    this.loadedAtNanos = loadedAtNanos;
  }

  @Override
  public ServedModel model() {
    return model;
  }

  long loadedAtNanos() {
    return loadedAtNanos;
  }

  /** Opens a lease; false if this version is already closed (the caller looks it up again). */
  boolean tryAcquire() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) {
        return false;
      }
      if (state.compareAndSet(s, s + 1)) {
        return true;
      }
    }
  }

  /** Releases one lease (a {@link Lease} view shares this object, hence close = release). */
  @Override
  public void close() {
    state.decrementAndGet();
  }

  long inFlight() {
    return state.get() & ~CLOSED;
  }

  /** Closes the predictor if no lease is open; false (and nothing done) otherwise. */
  boolean tryUnload() {
    if (!state.compareAndSet(0, CLOSED)) {
      return false;
    }
    model.close();
    return true;
  }
}
