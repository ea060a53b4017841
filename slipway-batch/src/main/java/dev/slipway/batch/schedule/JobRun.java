package dev.slipway.batch.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt of a job for a period, as kept in the {@link RunHistory}.
 *
 * @param job the job's name
 * @param businessDate the period: the date of its scheduled fire time in the scheduler's zone
 * @param attempt 1 for the first attempt of this period, counting on over retries and re-runs
 * @param status where the attempt is
 * @param trigger why it ran
 * @param scheduledAt the period's fire time (start of the business date for a date the cron does
 *     not fire on)
 * @param startedAt when the attempt started
 * @param finishedAt when it ended, {@code null} while {@link RunStatus#RUNNING}
 * @param rows rows processed, {@code null} unless {@link RunStatus#SUCCEEDED}
 * @param error the failure's message, {@code null} unless {@link RunStatus#FAILED}
 */
public record JobRun(
    String job,
    LocalDate businessDate,
    int attempt,
    RunStatus status,
    RunTrigger trigger,
    Instant scheduledAt,
    Instant startedAt,
    Instant finishedAt,
    Long rows,
    String error) {

  public JobRun {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(businessDate, "businessDate");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(scheduledAt, "scheduledAt");
    Objects.requireNonNull(startedAt, "startedAt");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
  }

  /** How long the attempt took, when it has finished. */
  public Optional<Duration> duration() {
    return finishedAt == null
        ? Optional.empty()
        : Optional.of(Duration.between(startedAt, finishedAt));
  }

  JobRun succeeded(Instant at, long rowCount) {
    return new JobRun(
        job,
        businessDate,
        attempt,
        RunStatus.SUCCEEDED,
        trigger,
        scheduledAt,
        startedAt,
        at,
        rowCount,
        null);
  }

  JobRun failed(Instant at, String message) {
    return new JobRun(
        job,
        businessDate,
        attempt,
        RunStatus.FAILED,
        trigger,
        scheduledAt,
        startedAt,
        at,
        null,
        message);
  }
}
