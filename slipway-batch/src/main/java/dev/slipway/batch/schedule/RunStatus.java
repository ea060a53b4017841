package dev.slipway.batch.schedule;

/** The state of one attempt of a job for a period. */
public enum RunStatus {
  /** Started and not finished (or the process died while it ran). */
  RUNNING,
  /** Finished without an error. */
  SUCCEEDED,
  /** The task threw; a later attempt may follow if retries remain. */
  FAILED
}
