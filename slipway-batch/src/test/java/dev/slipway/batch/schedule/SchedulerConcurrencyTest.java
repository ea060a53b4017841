package dev.slipway.batch.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What other callers see while a tick runs a task (a task here blocks on a latch until the test has
 * made its calls), and jobs with a zone of their own.
 */
class SchedulerConcurrencyTest {
  private static final LocalDate MAR_1 = LocalDate.of(2026, 3, 1);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final InMemoryRunHistory history = new InMemoryRunHistory();
  private final Scheduler scheduler = new Scheduler(clock, ZoneId.of("UTC"), history);
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  private JobTask blocking() {
    return date -> {
      started.countDown();
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the task");
      }
      return 1;
    };
  }

  @Test
  void jobsCanBeListedPausedAndTriggeredWhileATaskRuns() throws Exception {
    scheduler.define(
        JobDefinition.builder("slow", "0 2 * * *", blocking()).build(),
        JobDefinition.builder("other", "0 2 * * *", date -> 2).build());
    scheduler.trigger("slow", MAR_1);
    CompletableFuture<List<JobRun>> tick = CompletableFuture.supplyAsync(scheduler::tick);
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

    // None of these wait for the running task (a deadlock would leave the task unreleased).
    assertThat(scheduler.jobs()).hasSize(2);
    assertThat(scheduler.history("slow"))
        .singleElement()
        .extracting(JobRun::status)
        .isEqualTo(RunStatus.RUNNING);
    scheduler.pause("other");
    assertThat(scheduler.isPaused("other")).isTrue();
    scheduler.trigger("slow", MAR_1); // again, while it runs
    release.countDown();

    List<JobRun> ran = tick.get(30, TimeUnit.SECONDS);
    assertThat(ran)
        .extracting(JobRun::job, JobRun::attempt, JobRun::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("slow", 1, RunStatus.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("slow", 2, RunStatus.SUCCEEDED));
    assertThat(history.runs("slow")).hasSize(2);
  }

  @Test
  void aJobWithAZoneOfItsOwnHasItsBusinessDatesInThatZone() {
    // 00:30 in Shanghai on 2 March is 16:30 UTC on 1 March.
    scheduler.define(
        JobDefinition.builder("cn", "30 0 * * *", date -> 1)
            .zone(ZoneId.of("Asia/Shanghai"))
            .build(),
        JobDefinition.builder("utc", "30 0 * * *", date -> 1).build());
    assertThat(scheduler.zone("cn")).isEqualTo(ZoneId.of("Asia/Shanghai"));
    assertThat(scheduler.nextFireTime("cn")).contains(Instant.parse("2026-03-01T16:30:00Z"));

    clock.set(Instant.parse("2026-03-01T16:30:00Z"));
    assertThat(scheduler.tick())
        .extracting(JobRun::job, JobRun::businessDate)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("cn", LocalDate.of(2026, 3, 2)));
  }
}
