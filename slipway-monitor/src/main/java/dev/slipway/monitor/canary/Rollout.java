package dev.slipway.monitor.canary;

import java.time.Instant;

/**
 * The state of one canary rollout, as stored.
 *
 * @param id the rollout's id (the audit id of its start)
 * @param spec what it does
 * @param status where it stands
 * @param stepIndex the current step, an index into {@link RolloutSpec#steps()}
 * @param stepStartedAt when the current step began
 * @param startedAt when the rollout began
 * @param updatedAt the last change
 */
public record Rollout(
    long id,
    RolloutSpec spec,
    Status status,
    int stepIndex,
    Instant stepStartedAt,
    Instant startedAt,
    Instant updatedAt) {

  /** Where a rollout stands. */
  public enum Status {
    RUNNING,
    PROMOTED,
    ROLLED_BACK,
    ABORTED
  }

  /** The candidate's share of traffic now, in percent. */
  public double percent() {
    switch (status) {
      case RUNNING:
        return spec.steps().get(stepIndex);
      case PROMOTED:
        return 100;
      default:
        return 0;
    }
  }

  Rollout with(Status s, int step, Instant stepStart, Instant now) {
    return new Rollout(id, spec, s, step, stepStart, startedAt, now);
  }
}
