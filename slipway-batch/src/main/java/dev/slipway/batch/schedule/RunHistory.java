package dev.slipway.batch.schedule;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The persisted record of every attempt of every job. Implementations are thread-safe.
 *
 * <p>{@link JdbcRunHistory} keeps it in the metadata database; {@link InMemoryRunHistory} is for
 * tests and throw-away schedulers.
 */
public interface RunHistory {

  /** Stores an attempt, replacing the one with the same job, business date and attempt number. */
  void save(JobRun run);

  /** Every attempt of a job, oldest period first, then by attempt. */
  List<JobRun> runs(String job);

  /** The last attempt of a job for a period, if any. */
  default Optional<JobRun> latest(String job, LocalDate businessDate) {
    JobRun last = null;
    for (JobRun r : runs(job)) {
      if (r.businessDate().equals(businessDate)) {
        last = r;
      }
    }
    return Optional.ofNullable(last);
  }
}
