package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.batch.schedule.Scheduler;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.SlipwayServer;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway jobs ...} against a running server on a free port with two jobs, {@code score} and
 * {@code report} (which depends on it). The scheduler's clock stands still; the test runs queued
 * periods with {@link Scheduler#tick()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobsCommandTest {
  static final int ROWS = 12;
  Path dir;
  SlipwayServer server;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    Path home = dir.resolve("home");
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      DemoModel.register(registry, 3, 1000);
    }
    for (int day = 1; day <= 6; day++) {
      new AdClickGenerator(day).writeCsv(dir.resolve("in-2026-11-0" + day + ".csv"), ROWS);
    }
    String in = dir + "/in-{date}.csv";
    String yaml =
        "jobs:\n"
            + "  score: {cron: \"0 2 * * *\", model: ad-click, input: \""
            + in
            + "\", output: \""
            + dir
            + "/out/{date}/score.csv\"}\n"
            + "  report: {cron: \"0 3 * * *\", model: ad-click, dependsOn: [score], input: \""
            + in
            + "\", output: \""
            + dir
            + "/out/{date}/report.jsonl\"}\n";
    Path file = Files.writeString(dir.resolve("slipway.yaml"), yaml);
    server =
        SlipwayServer.start(
            SlipwayConfig.load(file, Map.of()).withHome(home).withPort(0),
            Clock.fixed(Instant.parse("2026-11-10T12:00:00Z"), ZoneOffset.UTC));
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  CliRun jobs(String... args) {
    List<String> all = new ArrayList<>(List.of("jobs"));
    all.addAll(List.of(args));
    all.add("--url");
    all.add("http://127.0.0.1:" + server.port());
    return CliRun.of(all.toArray(String[]::new));
  }

  void tick() {
    server.scheduler().orElseThrow().tick();
  }

  @Test
  void listShowsEachJobsScheduleNextRunAndState() {
    CliRun r = jobs("list");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("JOB", "SCHEDULE", "NEXT RUN", "PAUSED", "LAST RUN")
        .contains("score", "0 2 * * * UTC", "2026-11-11T02:00:00Z")
        .contains("report", "0 3 * * * UTC", "2026-11-11T03:00:00Z");
    JsonNode json = jobs("list", "--json").json();
    assertThat(json.path("jobs")).hasSize(2);
    assertThat(json.path("jobs").get(0).path("name").asText()).isEqualTo("score");
  }

  @Test
  void triggerRunsThePeriodAndRunsShowsItsHistory() {
    CliRun t = jobs("trigger", "score", "--date", "2026-11-01");
    assertThat(t.code()).as(t.toString()).isZero();
    assertThat(t.out()).contains("Queued score for 2026-11-01");
    tick();

    JsonNode runs = jobs("runs", "score", "--json").json().path("runs");
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(runs.get(0).path("rows").asInt()).isEqualTo(ROWS);
    CliRun text = jobs("runs", "score");
    assertThat(text.out())
        .contains("DATE", "STATUS", "ROWS")
        .contains("2026-11-01", "SUCCEEDED", "MANUAL", String.valueOf(ROWS));
    assertThat(dir.resolve("out/2026-11-01/score.csv")).exists();
  }

  @Test
  void pauseAndResumeAreShown() {
    CliRun p = jobs("pause", "report");
    assertThat(p.code()).as(p.toString()).isZero();
    assertThat(p.out()).contains("Paused report.");
    assertThat(jobs("show", "report").out()).contains("paused:     yes").contains("score");
    assertThat(jobs("show", "report", "--json").json().path("paused").asBoolean()).isTrue();

    CliRun r = jobs("resume", "report");
    assertThat(r.out()).contains("Resumed report.");
    assertThat(jobs("show", "report").out()).contains("paused:     no");
  }

  @Test
  void aBackfilledDependantWaitsUntilItsDependencyIsBackfilledToo() {
    CliRun b = jobs("backfill", "report", "--from", "2026-11-04", "--to", "2026-11-06");
    assertThat(b.code()).as(b.toString()).isZero();
    assertThat(b.out()).contains("Queued 3 run(s) of report: 2026-11-04, 2026-11-05, 2026-11-06");
    tick();
    assertThat(jobs("runs", "report", "--json").json().path("runs")).isEmpty();

    jobs("backfill", "score", "--from", "2026-11-04", "--to", "2026-11-06");
    tick();
    List<String> ran = new ArrayList<>();
    jobs("runs", "report", "--json")
        .json()
        .path("runs")
        .forEach(r -> ran.add(r.path("business_date").asText() + " " + r.path("status").asText()));
    assertThat(ran)
        .containsExactly("2026-11-04 SUCCEEDED", "2026-11-05 SUCCEEDED", "2026-11-06 SUCCEEDED");
    assertThat(dir.resolve("out/2026-11-06/report.jsonl")).exists();
  }

  @Test
  void theServersErrorsArePrintedOnOneLine() {
    CliRun unknown = jobs("runs", "nope");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("slipway: no job named 'nope'; known jobs: score, report");

    CliRun backwards = jobs("backfill", "score", "--from", "2026-11-05", "--to", "2026-11-01");
    assertThat(backwards.code()).isEqualTo(2);
    assertThat(backwards.err()).contains("field 'to'").contains("on or after from");

    CliRun badDate = jobs("trigger", "score", "--date", "yesterday");
    assertThat(badDate.code()).isEqualTo(2);
    assertThat(badDate.err()).contains("field 'date'").contains("yesterday");
  }

  @Test
  void withoutAServerTheCommandSaysWhatToGive() {
    CliRun r = CliRun.of("jobs", "list", "--url", "");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("--url");
  }
}
