package dev.slipway.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that moves forward by a fixed step each time it is read. Thread-safe. */
final class SteppingClock extends Clock {
  private final AtomicReference<Instant> next;
  private final Duration step;

  SteppingClock(Instant start, Duration step) {
    this.next = new AtomicReference<>(start);
    this.step = step;
  }

  @Override
  public Instant instant() {
    return next.getAndUpdate(i -> i.plus(step));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("tests read instants only");
  }
}
