package dev.slipway.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of verifying a version on registration: loading the model, checking its declared
 * schema and replaying its golden records. A version starts {@link Status#PENDING}; the verifier
 * records {@link Status#VERIFIED} or {@link Status#FAILED} once. A version that {@link
 * Status#FAILED} cannot get an alias.
 *
 * @param status the current status
 * @param message what the verifier reported, or {@code null}
 * @param at when the result was recorded; {@code null} while {@link Status#PENDING}
 */
public record Verification(Status status, String message, Instant at) {

  /** The state of a version that nobody has verified yet. */
  public static final Verification PENDING = new Verification(Status.PENDING, null, null);

  /** Verification states. */
  public enum Status {
    /** Not verified yet; may get aliases. */
    PENDING,
    /** Loaded and replayed its golden records within tolerance. */
    VERIFIED,
    /** Refused by the verifier; cannot get an alias. */
    FAILED
  }

  public Verification {
    Objects.requireNonNull(status, "status");
  }

  /** Whether the version failed verification (and so cannot get an alias). */
  public boolean failed() {
    return status == Status.FAILED;
  }
}
