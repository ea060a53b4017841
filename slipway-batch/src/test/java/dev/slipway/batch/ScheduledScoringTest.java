package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import dev.slipway.batch.schedule.InMemoryRunHistory;
import dev.slipway.batch.schedule.JobDefinition;
import dev.slipway.batch.schedule.JobRun;
import dev.slipway.batch.schedule.RunStatus;
import dev.slipway.batch.schedule.Scheduler;
import dev.slipway.batch.schedule.ScoringTask;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scheduled job that scores each business date's file through the batch engine. */
class ScheduledScoringTest {

  @TempDir Path home;
  @TempDir Path dir;

  @Test
  void eachPeriodScoresItsOwnFileAndAMissingInputIsAFailedRun() throws Exception {
    AdClickHome.create(home);
    try (AdClickHome h = AdClickHome.open(home)) {
      new AdClickGenerator(1).writeCsv(dir.resolve("in-2026-03-01.csv"), 30);
      new AdClickGenerator(2).writeCsv(dir.resolve("in-2026-03-02.csv"), 40);
      Scheduler scheduler =
          new Scheduler(
              Clock.fixed(Instant.parse("2026-03-03T12:00:00Z"), ZoneOffset.UTC),
              ZoneOffset.UTC,
              new InMemoryRunHistory());
      scheduler.define(
          JobDefinition.builder(
                  "score-ads",
                  "0 2 * * *",
                  new ScoringTask(
                      h.engine(),
                      "ad-click@champion",
                      dir.resolve("in-{date}.csv").toString(),
                      dir.resolve("out-{date}.csv").toString()))
              .build());
      // 1, 2 and 3 March; there is no input for the 3rd.
      scheduler.backfill("score-ads", LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 3));
      List<JobRun> runs = scheduler.tick();

      assertThat(runs)
          .extracting(JobRun::businessDate, JobRun::status, JobRun::rows)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  LocalDate.of(2026, 3, 1), RunStatus.SUCCEEDED, 30L),
              org.assertj.core.groups.Tuple.tuple(
                  LocalDate.of(2026, 3, 2), RunStatus.SUCCEEDED, 40L),
              org.assertj.core.groups.Tuple.tuple(
                  LocalDate.of(2026, 3, 3), RunStatus.FAILED, null));
      assertThat(runs.get(2).error()).contains("in-2026-03-03.csv");
      assertThat(dir.resolve("out-2026-03-01.csv")).exists();
      assertThat(Files.readAllLines(dir.resolve("out-2026-03-02.csv"))).hasSize(41);
    }
  }

  @Test
  void anOutputWithoutTheDateIsRefused() {
    BatchEngine engine = new BatchEngine(null, Clock.systemUTC());
    assertThatThrownBy(() -> new ScoringTask(engine, "m", "in.csv", "out.csv"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("{date}");
  }
}
