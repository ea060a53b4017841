package dev.slipway.batch.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.registry.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history in the metadata database, read back by a restarted scheduler: the same tests run on
 * the embedded H2 database and on PostgreSQL.
 */
abstract class JdbcRunHistoryContract {

  @TempDir Path home;

  /** Opens a registry on the test's database; a second call opens the same database again. */
  protected abstract ModelRegistry open();

  @Test
  void attemptsArePersistedAndReadBackAfterReopeningTheHome() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    JobDefinition flaky =
        JobDefinition.builder(
                "score",
                "0 2 * * *",
                date -> {
                  clock.advance(Duration.ofSeconds(3));
                  if (date.getDayOfMonth() == 1) {
                    throw new IllegalStateException("input for " + date + " missing");
                  }
                  return 500;
                })
            .build();
    try (ModelRegistry registry = open()) {
      Scheduler scheduler =
          new Scheduler(clock, ZoneId.of("UTC"), new JdbcRunHistory(registry.dataSource()));
      scheduler.define(flaky);
      clock.set(Instant.parse("2026-03-02T02:00:00Z"));
      scheduler.tick();
    }

    try (ModelRegistry registry = open()) {
      JdbcRunHistory history = new JdbcRunHistory(registry.dataSource());
      assertThat(history.runs("score"))
          .containsExactly(
              new JobRun(
                  "score",
                  LocalDate.of(2026, 3, 1),
                  1,
                  RunStatus.FAILED,
                  RunTrigger.SCHEDULE,
                  Instant.parse("2026-03-01T02:00:00Z"),
                  Instant.parse("2026-03-02T02:00:00Z"),
                  Instant.parse("2026-03-02T02:00:03Z"),
                  null,
                  "IllegalStateException: input for 2026-03-01 missing"),
              new JobRun(
                  "score",
                  LocalDate.of(2026, 3, 2),
                  1,
                  RunStatus.SUCCEEDED,
                  RunTrigger.SCHEDULE,
                  Instant.parse("2026-03-02T02:00:00Z"),
                  Instant.parse("2026-03-02T02:00:03Z"),
                  Instant.parse("2026-03-02T02:00:06Z"),
                  500L,
                  null));
      assertThat(history.latest("score", LocalDate.of(2026, 3, 2)).orElseThrow().duration())
          .contains(Duration.ofSeconds(3));
      assertThat(history.runs("other")).isEmpty();

      // A restarted scheduler goes on from the history: 3 March only, not 1 and 2 again.
      clock.set(Instant.parse("2026-03-03T02:00:00Z"));
      Scheduler restarted = new Scheduler(clock, ZoneId.of("UTC"), history);
      restarted.define(flaky);
      assertThat(restarted.tick())
          .extracting(JobRun::businessDate)
          .containsExactly(LocalDate.of(2026, 3, 3));
    }
  }

  @Test
  void aLongErrorIsShortenedToTheColumnSize() {
    try (ModelRegistry registry = open()) {
      JdbcRunHistory history = new JdbcRunHistory(registry.dataSource());
      Instant at = Instant.parse("2026-03-01T02:00:00Z");
      history.save(
          new JobRun(
              "j",
              LocalDate.of(2026, 3, 1),
              1,
              RunStatus.FAILED,
              RunTrigger.MANUAL,
              at,
              at,
              at,
              null,
              "x".repeat(20_000)));
      assertThat(history.runs("j").get(0).error()).hasSize(JdbcRunHistory.MAX_ERROR_LENGTH);
    }
  }

  @Test
  void aPausedJobStaysPausedAfterARestartAndResumingIsPersistedToo() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    JobDefinition job = JobDefinition.builder("nightly", "0 2 * * *", date -> 1).build();
    JobDefinition other = JobDefinition.builder("other", "0 2 * * *", date -> 1).build();
    try (ModelRegistry registry = open()) {
      Scheduler scheduler = scheduler(registry, clock);
      scheduler.define(job, other);
      scheduler.pause("nightly");
    }

    try (ModelRegistry registry = open()) {
      Scheduler restarted = scheduler(registry, clock);
      restarted.define(job, other);
      clock.set(Instant.parse("2026-03-01T02:00:00Z"));
      assertThat(restarted.isPaused("nightly")).isTrue();
      assertThat(restarted.isPaused("other")).isFalse();
      assertThat(restarted.tick()).extracting(JobRun::job).containsExactly("other");
      restarted.resume("nightly");
    }

    try (ModelRegistry registry = open()) {
      Scheduler again = scheduler(registry, clock);
      again.define(job, other);
      assertThat(again.isPaused("nightly")).isFalse();
    }
  }

  private static Scheduler scheduler(ModelRegistry registry, MutableClock clock) {
    return new Scheduler(
        clock,
        ZoneId.of("UTC"),
        new JdbcRunHistory(registry.dataSource()),
        new JdbcPausedJobs(registry.dataSource(), clock));
  }
}
