package dev.slipway.batch.schedule;

import dev.slipway.api.InvalidInputException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A scheduled job. Immutable; build one with {@link #builder}. The fields are checked here; the
 * cron expression and the dependencies are checked against the other jobs when the job is given to
 * a {@link Scheduler} (see {@link JobGraph}).
 *
 * @param name unique among the scheduler's jobs; letters, digits, {@code _ . -}
 * @param cron a UNIX cron expression (minute hour day-of-month month day-of-week)
 * @param task the work, given the business date
 * @param dependsOn jobs that must have succeeded for the same business date first
 * @param dependsOnPast when true, the job's own previous period must have succeeded first
 * @param retries how many more attempts after a failure (0: none)
 * @param retryDelay how long after a failed attempt the next one may start
 * @param catchUp when true, every period missed while the scheduler was down or the job paused is
 *     run; when false, only the latest of them
 * @param zone the zone of the cron expression and of the business dates, or {@code null} for the
 *     scheduler's zone
 */
public record JobDefinition(
    String name,
    String cron,
    JobTask task,
    List<String> dependsOn,
    boolean dependsOnPast,
    int retries,
    Duration retryDelay,
    boolean catchUp,
    ZoneId zone) {

  /** What a job name must look like. */
  public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  public JobDefinition {
    if (name == null || !NAME_PATTERN.matcher(name).matches()) {
      throw InvalidInputException.of(
          "jobs.name", name, "1 to 128 letters, digits, '_', '.' or '-', starting alphanumeric");
    }
    if (cron == null || cron.isBlank()) {
      throw InvalidInputException.missing("jobs." + name + ".cron", "a UNIX cron expression");
    }
    Objects.requireNonNull(task, "task");
    dependsOn = List.copyOf(dependsOn == null ? List.of() : dependsOn);
    if (retries < 0) {
      throw InvalidInputException.of("jobs." + name + ".retries", retries, "0 or more");
    }
    if (retryDelay == null || retryDelay.isNegative()) {
      throw InvalidInputException.of(
          "jobs." + name + ".retryDelay", retryDelay, "a duration of zero or more");
    }
  }

  /** A builder with no dependencies, no retries and catch-up on. */
  public static Builder builder(String name, String cron, JobTask task) {
    return new Builder(name, cron, task);
  }

  /** Builds a {@link JobDefinition}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final String cron;
    private final JobTask task;
    private final List<String> dependsOn = new ArrayList<>();
    private boolean dependsOnPast;
    private int retries;
    private Duration retryDelay = Duration.ZERO;
    private boolean catchUp = true;
    private ZoneId zone;

    private Builder(String name, String cron, JobTask task) {
      this.name = name;
      this.cron = cron;
      this.task = task;
    }

    /** Adds jobs that must succeed for the same business date first. */
    public Builder dependsOn(String... jobs) {
      dependsOn.addAll(List.of(jobs));
      return this;
    }

    /** Requires the job's own previous period to have succeeded. */
    public Builder dependsOnPast(boolean value) {
      dependsOnPast = value;
      return this;
    }

    /** Retries a failed attempt up to {@code count} times, {@code delay} after each failure. */
    public Builder retries(int count, Duration delay) {
      retries = count;
      retryDelay = delay;
      return this;
    }

    /** Whether missed periods are all run (true, the default) or only the latest. */
    public Builder catchUp(boolean value) {
      catchUp = value;
      return this;
    }

    /** The zone of the cron expression and business dates (default: the scheduler's). */
    public Builder zone(ZoneId value) {
      zone = value;
      return this;
    }

    public JobDefinition build() {
      return new JobDefinition(
          name, cron, task, dependsOn, dependsOnPast, retries, retryDelay, catchUp, zone);
    }
  }
}
