package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.batch.schedule.Scheduler;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.train.data.AdClickGenerator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
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
 * Scheduled jobs of slipway.yaml on a real server: two dependent jobs scoring generated CSV files
 * with the demo model, driven over REST. The scheduler's clock is the test's; the test runs the
 * queued periods with {@link Scheduler#tick()} (ticks are serialized, so when it returns every
 * ready period has run, whether the server's own ticking thread or the test ran it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduledJobsApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int ROWS = 25;

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now;

    TestClock(Instant start) {
      now = start;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  Path dir;
  final TestClock clock = new TestClock(Instant.parse("2026-11-10T12:00:00Z"));
  final HttpClient http = HttpClient.newHttpClient();
  SlipwayServer server;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    Path home = dir.resolve("home");
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      DemoModel.register(registry, 7, 2000);
    }
    for (int day = 1; day <= 10; day++) {
      String date = String.format("2026-11-%02d", day);
      Files.createDirectories(dir.resolve("in").resolve(date));
      new AdClickGenerator(day).writeCsv(dir.resolve("in").resolve(date).resolve("ads.csv"), ROWS);
    }
    String in = dir.resolve("in") + "/{date}/ads.csv";
    String out = dir.resolve("out") + "/";
    String yaml =
        "jobs:\n"
            // a and b never fire between 12:00 and 23:00, the window the pause test moves through
            + job("a", "0 2 * * *", in, out + "a-{date}.csv", "")
            + job("b", "0 2 * * *", in, out + "b-{date}.csv", "dependsOn: [a], ")
            + job("nightly", "0 23 * * *", in, out + "nightly-{date}.csv", "")
            + job("history", "0 2 * * *", in, out + "history-{date}.csv", "dependsOnPast: true, ");
    Path file = Files.writeString(dir.resolve("slipway.yaml"), yaml);
    SlipwayConfig config = SlipwayConfig.load(file, Map.of()).withHome(home).withPort(0);
    server = SlipwayServer.start(config, clock);
  }

  private static String job(String name, String cron, String in, String out, String extra) {
    return "  "
        + name
        + ": {cron: \""
        + cron
        + "\", model: ad-click, "
        + extra
        + "input: \""
        + in
        + "\", output: \""
        + out
        + "\"}\n";
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  Scheduler scheduler() {
    return server.scheduler().orElseThrow();
  }

  @Test
  void aTriggeredDependantWaitsForItsDependencyThenBothRunAndTheirHistoryIsServed()
      throws Exception {
    HttpResponse<String> queued = post("/api/v1/jobs/b/trigger", "{\"date\": \"2026-11-01\"}");
    assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
    assertThat(json(queued).path("business_date").asText()).isEqualTo("2026-11-01");
    scheduler().tick();
    assertThat(json(get("/api/v1/jobs/b/runs")).path("runs")).isEmpty(); // a has not run

    assertThat(post("/api/v1/jobs/a/trigger", "{\"date\": \"2026-11-01\"}").statusCode())
        .isEqualTo(202);
    scheduler().tick();

    for (String job : List.of("a", "b")) {
      JsonNode runs = json(get("/api/v1/jobs/" + job + "/runs")).path("runs");
      assertThat(runs).hasSize(1);
      JsonNode run = runs.get(0);
      assertThat(run.path("business_date").asText()).isEqualTo("2026-11-01");
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
      assertThat(run.path("trigger").asText()).isEqualTo("MANUAL");
      assertThat(run.path("attempt").asInt()).isEqualTo(1);
      assertThat(run.path("rows").asInt()).isEqualTo(ROWS);
      assertThat(run.path("duration_ms").isNumber()).isTrue();
      assertThat(run.path("error").isNull()).isTrue();
      assertThat(Files.readAllLines(dir.resolve("out/" + job + "-2026-11-01.csv")))
          .hasSize(ROWS + 1);
    }
    JsonNode a = json(get("/api/v1/jobs/a"));
    assertThat(a.path("cron").asText()).isEqualTo("0 2 * * *");
    assertThat(a.path("zone").asText()).isEqualTo("UTC");
    assertThat(a.path("next_run").asText()).isEqualTo("2026-11-11T02:00:00Z");
    assertThat(a.path("batch").path("model").asText()).isEqualTo("ad-click");
    assertThat(json(get("/api/v1/jobs/b")).path("depends_on").get(0).asText()).isEqualTo("a");

    JsonNode list = json(get("/api/v1/jobs")).path("jobs");
    List<String> names = new ArrayList<>();
    list.forEach(j -> names.add(j.path("name").asText()));
    assertThat(names).containsExactly("a", "b", "nightly", "history");
    assertThat(list.get(1).path("last_run").path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(list.get(1).path("paused").asBoolean()).isFalse();
  }

  @Test
  void aPausedJobDoesNotRunOnScheduleNorWhenTriggeredUntilResumed() throws Exception {
    assertThat(json(post("/api/v1/jobs/nightly/pause", "")).path("paused").asBoolean()).isTrue();
    assertThat(json(get("/api/v1/jobs/nightly")).path("paused").asBoolean()).isTrue();

    clock.now = Instant.parse("2026-11-10T23:00:00Z"); // nightly's fire time
    scheduler().tick();
    HttpResponse<String> manual = post("/api/v1/jobs/nightly/trigger", "{\"date\":\"2026-11-09\"}");
    assertThat(manual.statusCode()).isEqualTo(202);
    assertThat(json(manual).path("paused").asBoolean()).isTrue();
    assertThat(json(manual).path("status").asText()).contains("paused");
    scheduler().tick();
    assertThat(json(get("/api/v1/jobs/nightly/runs")).path("runs")).isEmpty();

    assertThat(json(post("/api/v1/jobs/nightly/resume", "")).path("paused").asBoolean()).isFalse();
    scheduler().tick();
    List<String> ran = new ArrayList<>();
    for (JsonNode r : json(get("/api/v1/jobs/nightly/runs")).path("runs")) {
      ran.add(r.path("business_date").asText() + " " + r.path("trigger").asText());
      assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("SUCCEEDED");
    }
    // the period that came while paused (caught up) and the manual one
    assertThat(ran).containsExactly("2026-11-09 MANUAL", "2026-11-10 SCHEDULE");
  }

  @Test
  void aBackfillRunsEachDayInOrderAndWritesOneOutputPerDay() throws Exception {
    HttpResponse<String> r =
        post("/api/v1/jobs/history/backfill", "{\"from\": \"2026-11-02\", \"to\": \"2026-11-04\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).path("business_dates").toString())
        .isEqualTo("[\"2026-11-02\",\"2026-11-03\",\"2026-11-04\"]");
    scheduler().tick();

    JsonNode runs = json(get("/api/v1/jobs/history/runs")).path("runs");
    assertThat(runs).hasSize(3);
    Instant previous = Instant.MIN;
    for (int i = 0; i < 3; i++) {
      JsonNode run = runs.get(i);
      assertThat(run.path("business_date").asText()).isEqualTo("2026-11-0" + (i + 2));
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
      assertThat(run.path("trigger").asText()).isEqualTo("BACKFILL");
      Instant started = Instant.parse(run.path("started_at").asText());
      assertThat(started).isAfterOrEqualTo(previous);
      previous = started;
      assertThat(dir.resolve("out/history-2026-11-0" + (i + 2) + ".csv")).exists();
    }
  }

  @Test
  void anUnknownJobIsA404() {
    for (HttpResponse<String> r :
        List.of(
            get("/api/v1/jobs/nope"),
            get("/api/v1/jobs/nope/runs"),
            post("/api/v1/jobs/nope/trigger", ""),
            post("/api/v1/jobs/nope/pause", ""),
            post(
                "/api/v1/jobs/nope/backfill", "{\"from\":\"2026-11-01\",\"to\":\"2026-11-02\"}"))) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
      assertThat(json(r).path("error").asText()).contains("nope").contains("known jobs: a, b");
    }
  }

  @Test
  void badDatesAreA400NamingTheField() {
    assertBadRequest(
        post("/api/v1/jobs/a/backfill", "{\"from\": \"2026-11-05\", \"to\": \"2026-11-01\"}"),
        "field 'to'",
        "on or after from");
    assertBadRequest(
        post("/api/v1/jobs/a/backfill", "{\"from\": \"11/01/2026\", \"to\": \"2026-11-01\"}"),
        "field 'from'",
        "11/01/2026");
    assertBadRequest(
        post("/api/v1/jobs/a/backfill", "{\"from\": \"2026-11-01\"}"), "field 'to'", "missing");
    assertBadRequest(post("/api/v1/jobs/a/backfill", ""), "field 'body'", "JSON object");
    assertBadRequest(
        post("/api/v1/jobs/a/trigger", "{\"date\": \"2026-02-30\"}"), "field 'date'", "2026-02-30");
    assertBadRequest(post("/api/v1/jobs/a/trigger", "{\"date\": 20261101}"), "field 'date'", "");
  }

  private static void assertBadRequest(HttpResponse<String> r, String field, String detail) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).path("error").asText()).contains(field).contains(detail);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  HttpResponse<String> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }
}
