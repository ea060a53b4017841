package dev.slipway.monitor.canary;

import java.time.Instant;
import java.util.Map;

/**
 * One decision of the canary controller and the numbers that drove it.
 *
 * @param rolloutId the rollout
 * @param auditId the registry audit entry written with it
 * @param at when it was made
 * @param stepIndex the step it was made at
 * @param percent the candidate's share after the decision, in percent
 * @param outcome what was decided
 * @param reason why, in words
 * @param numbers the counts, rates, p-values and latencies behind it
 */
public record Decision(
    long rolloutId,
    long auditId,
    Instant at,
    int stepIndex,
    double percent,
    Outcome outcome,
    String reason,
    Map<String, Object> numbers) {

  /** What a decision did. */
  public enum Outcome {
    START,
    WAIT,
    ADVANCE,
    PROMOTE,
    ROLLBACK,
    ABORT
  }

  public Decision {
    numbers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(numbers));
  }
}
