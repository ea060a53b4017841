package dev.slipway.batch.schedule;

import java.time.LocalDate;

/** The work of a scheduled job for one business date. */
@FunctionalInterface
public interface JobTask {

  /**
   * Runs the job for one period.
   *
   * @param businessDate the period's business date
   * @return the number of rows processed, recorded in the history
   * @throws Exception when the run failed; the scheduler records the message and may retry
   */
  long run(LocalDate businessDate) throws Exception;
}
