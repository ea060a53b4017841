package dev.slipway.batch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scheduler semantics with a clock that moves only when the test moves it. */
class SchedulerTest {

  private static final String DAILY = "0 2 * * *"; // 02:00 every day
  private static final LocalDate MAR_1 = LocalDate.of(2026, 3, 1);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
  private final RunHistory history = new InMemoryRunHistory();
  private final Scheduler scheduler = new Scheduler(clock, ZoneId.of("UTC"), history);

  /** Calls in order, as "job date"; a job date in {@link #failing} throws. */
  private final List<String> calls = new ArrayList<>();

  private final Set<String> failing = new HashSet<>();

  private JobTask task(String name) {
    return date -> {
      String call = name + " " + date;
      calls.add(call);
      if (failing.contains(call) || failing.contains(name)) {
        throw new IllegalStateException("source table for " + date + " is empty");
      }
      return 10;
    };
  }

  private JobDefinition.Builder job(String name) {
    return JobDefinition.builder(name, DAILY, task(name));
  }

  private void at(String instant) {
    clock.set(Instant.parse(instant));
  }

  @Test
  void aJobRunsOncePerPeriodWithTheBusinessDateOfItsFireTime() {
    scheduler.define(job("a").build());

    at("2026-03-01T01:59:59Z");
    assertThat(scheduler.tick()).isEmpty();
    at("2026-03-01T02:00:00Z");
    List<JobRun> ran = scheduler.tick();
    at("2026-03-01T03:00:00Z");
    scheduler.tick();

    assertThat(calls).containsExactly("a 2026-03-01");
    assertThat(ran)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
              assertThat(r.rows()).isEqualTo(10);
              assertThat(r.attempt()).isEqualTo(1);
              assertThat(r.trigger()).isEqualTo(RunTrigger.SCHEDULE);
              assertThat(r.scheduledAt()).isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
            });
  }

  @Test
  void theBusinessDateIsTheFireTimesDateInTheConfiguredZone() {
    // 23:30 in Shanghai is 15:30 UTC the same day; 00:30 in Shanghai is the previous day in UTC.
    Scheduler shanghai = new Scheduler(clock, ZoneId.of("Asia/Shanghai"), history);
    shanghai.define(JobDefinition.builder("cn", "30 0 * * *", task("cn")).build());

    at("2026-03-01T16:30:00Z"); // 2026-03-02 00:30 in Shanghai
    shanghai.tick();

    assertThat(calls).containsExactly("cn 2026-03-02");
  }

  @Test
  void aDependantWaitsForItsDependencyOfTheSamePeriod() {
    // b fires at 01:00, before a (02:00), but needs a's run of the same date.
    scheduler.define(
        job("a").build(),
        JobDefinition.builder("b", "0 1 * * *", task("b")).dependsOn("a").build());

    at("2026-03-01T01:30:00Z");
    scheduler.tick();
    assertThat(calls).isEmpty();

    at("2026-03-01T02:00:00Z");
    scheduler.tick();
    assertThat(calls).containsExactly("a 2026-03-01", "b 2026-03-01");
  }

  @Test
  void aDependantRunsOnlyOnceAllItsDependenciesSucceeded() {
    failing.add("a2");
    scheduler.define(job("a1").build(), job("a2").build(), job("b").dependsOn("a1", "a2").build());

    at("2026-03-01T02:00:00Z");
    scheduler.tick();
    assertThat(calls).containsExactly("a1 2026-03-01", "a2 2026-03-01");

    failing.clear();
    scheduler.trigger("a2", MAR_1);
    scheduler.tick();
    assertThat(calls).endsWith("a2 2026-03-01", "b 2026-03-01");
  }

  @Test
  void dependsOnPastWaitsForTheJobsOwnPreviousPeriod() {
    scheduler.define(job("p").dependsOnPast(true).build());
    failing.add("p 2026-03-01");

    at("2026-03-01T02:00:00Z");
    scheduler.tick();
    at("2026-03-02T02:00:00Z");
    scheduler.tick();
    at("2026-03-03T02:00:00Z");
    scheduler.tick();
    assertThat(calls).containsExactly("p 2026-03-01"); // 2 and 3 March wait for 1 March

    failing.clear();
    scheduler.trigger("p", MAR_1);
    scheduler.tick();
    assertThat(calls)
        .containsExactly("p 2026-03-01", "p 2026-03-01", "p 2026-03-02", "p 2026-03-03");
  }

  @Test
  void withoutDependsOnPastALaterPeriodRunsAfterAnEarlierFailure() {
    scheduler.define(job("p").build());
    failing.add("p 2026-03-01");

    at("2026-03-01T02:00:00Z");
    scheduler.tick();
    at("2026-03-02T02:00:00Z");
    scheduler.tick();

    assertThat(calls).containsExactly("p 2026-03-01", "p 2026-03-02");
  }

  @Test
  void aFailureIsRetriedAfterTheDelayUpToTheLimitThenRecordedAsFailed() {
    failing.add("r");
    scheduler.define(job("r").retries(2, Duration.ofMinutes(10)).build());

    at("2026-03-01T02:00:00Z");
    scheduler.tick();
    assertThat(calls).hasSize(1);
    at("2026-03-01T02:09:59Z");
    scheduler.tick();
    assertThat(calls).hasSize(1); // the delay has not passed
    at("2026-03-01T02:10:00Z");
    scheduler.tick();
    assertThat(calls).hasSize(2);
    at("2026-03-01T02:20:00Z");
    scheduler.tick();
    at("2026-03-01T05:00:00Z");
    scheduler.tick();
    assertThat(calls).hasSize(3); // 1 attempt + 2 retries, then no more

    assertThat(scheduler.history("r"))
        .extracting(JobRun::attempt, JobRun::status, JobRun::startedAt)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                1, RunStatus.FAILED, Instant.parse("2026-03-01T02:00:00Z")),
            org.assertj.core.groups.Tuple.tuple(
                2, RunStatus.FAILED, Instant.parse("2026-03-01T02:10:00Z")),
            org.assertj.core.groups.Tuple.tuple(
                3, RunStatus.FAILED, Instant.parse("2026-03-01T02:20:00Z")));
    assertThat(scheduler.history("r").get(2).error())
        .isEqualTo("IllegalStateException: source table for 2026-03-01 is empty");
  }

  @Test
  void aRetryThatSucceedsEndsTheRetries() {
    failing.add("r");
    scheduler.define(job("r").retries(3, Duration.ofMinutes(5)).build());
    at("2026-03-01T02:00:00Z");
    scheduler.tick();
    failing.clear();
    at("2026-03-01T02:05:00Z");
    scheduler.tick();
    at("2026-03-01T03:00:00Z");
    scheduler.tick();

    assertThat(scheduler.history("r"))
        .extracting(JobRun::status)
        .containsExactly(RunStatus.FAILED, RunStatus.SUCCEEDED);
  }

  @Test
  void withCatchUpEveryPeriodMissedDuringDowntimeRunsOldestFirst() {
    scheduler.define(job("c").dependsOnPast(true).build());

    at("2026-03-04T12:00:00Z"); // no tick for 1, 2, 3 and 4 March
    scheduler.tick();

    assertThat(calls)
        .containsExactly("c 2026-03-01", "c 2026-03-02", "c 2026-03-03", "c 2026-03-04");
  }

  @Test
  void withoutCatchUpOnlyTheLatestMissedPeriodRuns() {
    scheduler.define(job("c").catchUp(false).dependsOnPast(true).build());

    at("2026-03-04T12:00:00Z");
    scheduler.tick();

    assertThat(calls).containsExactly("c 2026-03-04");
  }

  @Test
  void aRestartedSchedulerCatchesUpFromTheHistory() {
    scheduler.define(job("c").build());
    at("2026-03-01T02:00:00Z");
    scheduler.tick();

    at("2026-03-03T12:00:00Z"); // the process was down on 2 and 3 March
    Scheduler restarted = new Scheduler(clock, ZoneId.of("UTC"), history);
    restarted.define(job("c").build());
    restarted.tick();

    assertThat(calls).containsExactly("c 2026-03-01", "c 2026-03-02", "c 2026-03-03");
  }

  @Test
  void aPausedJobDoesNotRunAndCatchesUpWhenResumed() {
    scheduler.define(job("a").build(), job("b").dependsOn("a").build());
    scheduler.pause("a");
    assertThat(scheduler.isPaused("a")).isTrue();

    at("2026-03-02T02:00:00Z");
    scheduler.tick();
    assertThat(calls).isEmpty(); // a is paused, b waits for it

    scheduler.resume("a");
    at("2026-03-02T03:00:00Z");
    scheduler.tick();
    assertThat(calls)
        .containsExactly("a 2026-03-01", "a 2026-03-02", "b 2026-03-01", "b 2026-03-02");
  }

  @Test
  void triggerRunsAJobNowForAGivenDateEvenIfItRanAlready() {
    scheduler.define(job("a").build());
    at("2026-03-01T02:00:00Z");
    scheduler.tick();

    scheduler.trigger("a", MAR_1);
    scheduler.trigger("a", LocalDate.of(2025, 12, 31));
    scheduler.tick();

    assertThat(calls).containsExactly("a 2026-03-01", "a 2025-12-31", "a 2026-03-01");
    assertThat(scheduler.history("a"))
        .extracting(JobRun::businessDate, JobRun::attempt, JobRun::trigger)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LocalDate.of(2025, 12, 31), 1, RunTrigger.MANUAL),
            org.assertj.core.groups.Tuple.tuple(MAR_1, 1, RunTrigger.SCHEDULE),
            org.assertj.core.groups.Tuple.tuple(MAR_1, 2, RunTrigger.MANUAL));
  }

  @Test
  void backfillRunsEveryScheduledDateOfTheRangeInOrderWithDependencies() {
    scheduler.define(
        JobDefinition.builder("weekday", "0 2 * * 1-5", task("weekday")).build(),
        JobDefinition.builder("report", "0 3 * * 1-5", task("report"))
            .dependsOn("weekday")
            .dependsOnPast(true)
            .build());

    // 2026-02-20 is a Friday: the range holds Fri 20, Mon 23 and Tue 24.
    List<LocalDate> queued =
        scheduler.backfill("weekday", LocalDate.of(2026, 2, 20), LocalDate.of(2026, 2, 24));
    scheduler.backfill("report", LocalDate.of(2026, 2, 20), LocalDate.of(2026, 2, 24));
    scheduler.tick();

    assertThat(queued)
        .containsExactly(
            LocalDate.of(2026, 2, 20), LocalDate.of(2026, 2, 23), LocalDate.of(2026, 2, 24));
    assertThat(calls)
        .containsExactly(
            "weekday 2026-02-20",
            "weekday 2026-02-23",
            "weekday 2026-02-24",
            "report 2026-02-20",
            "report 2026-02-23",
            "report 2026-02-24");
    assertThat(scheduler.history("report"))
        .allSatisfy(r -> assertThat(r.trigger()).isEqualTo(RunTrigger.BACKFILL));
  }

  @Test
  void badRequestsNameWhatIsWrong() {
    scheduler.define(job("a").build());
    assertThatThrownBy(() -> scheduler.trigger("nope", MAR_1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("\"nope\"")
        .hasMessageContaining("known: a");
    assertThatThrownBy(() -> scheduler.backfill("a", MAR_1, MAR_1.minusDays(1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("on or after from (2026-03-01)");
  }

  @Test
  void theHistoryRecordsRowsDurationAndError() {
    scheduler.define(
        JobDefinition.builder(
                "slow",
                DAILY,
                date -> {
                  clock.advance(Duration.ofSeconds(42));
                  return 1234;
                })
            .build());
    at("2026-03-01T02:00:00Z");
    scheduler.tick();

    JobRun run = scheduler.history("slow").get(0);
    assertThat(run.rows()).isEqualTo(1234);
    assertThat(run.duration()).contains(Duration.ofSeconds(42));
    assertThat(run.error()).isNull();
  }

  @Test
  void anAttemptLeftRunningByAStoppedProcessIsRecordedFailedAndRetried() {
    Instant fire = Instant.parse("2026-03-01T02:00:00Z");
    history.save(
        new JobRun(
            "a", MAR_1, 1, RunStatus.RUNNING, RunTrigger.SCHEDULE, fire, fire, null, null, null));
    at("2026-03-01T02:30:00Z");
    scheduler.define(job("a").retries(1, Duration.ofMinutes(5)).build());

    at("2026-03-01T02:35:00Z");
    scheduler.tick();

    assertThat(calls).containsExactly("a 2026-03-01");
    assertThat(scheduler.history("a"))
        .extracting(JobRun::attempt, JobRun::status, JobRun::error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, RunStatus.FAILED, Scheduler.INTERRUPTED),
            org.assertj.core.groups.Tuple.tuple(2, RunStatus.SUCCEEDED, null));
  }

  @Test
  void startedTheSchedulerTicksOnItsOwnThreadUntilClosed() throws InterruptedException {
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    scheduler.define(
        JobDefinition.builder(
                "t",
                DAILY,
                date -> {
                  threads.add(Thread.currentThread().getName());
                  return 1;
                })
            .build());
    scheduler.start(Duration.ofMillis(10));
    try {
      scheduler.trigger("t", MAR_1);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (threads.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      scheduler.close();
    }
    assertThat(threads).containsExactly("slipway-scheduler");
    assertThatThrownBy(() -> scheduler.start(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCronFiringSeveralTimesADayGivesEachDateOnePeriod() {
    scheduler.define(JobDefinition.builder("m", "*/15 * * * *", task("m")).build());

    at("2026-03-31T23:59:00Z"); // a month of downtime, four fire times an hour
    List<JobRun> ran = scheduler.tick();
    at("2026-04-01T00:45:00Z");
    scheduler.tick();

    assertThat(ran).hasSize(31);
    assertThat(ran.get(0).scheduledAt()).isEqualTo(Instant.parse("2026-03-01T00:15:00Z"));
    assertThat(ran.get(30).businessDate()).isEqualTo(LocalDate.of(2026, 3, 31));
    assertThat(calls).hasSize(32).endsWith("m 2026-04-01");
  }
}
