package dev.slipway.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.schedule.JdbcPausedJobs;
import dev.slipway.batch.schedule.JdbcRunHistory;
import dev.slipway.batch.schedule.JobDefinition;
import dev.slipway.batch.schedule.JobRun;
import dev.slipway.batch.schedule.Scheduler;
import dev.slipway.batch.schedule.ScoringTask;
import dev.slipway.server.config.JobConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The scheduled jobs of {@code slipway.yaml} over REST, under {@code /api/v1/jobs}: list, show, run
 * history, trigger, pause, resume and backfill. An unknown job is a 404; a bad date, or {@code
 * from} after {@code to}, a 400 naming the field. Trigger and backfill queue runs and answer 202 at
 * once; the scheduler's thread runs them (after their dependencies), and their outcome appears in
 * {@code /runs}. Thread-safe.
 */
public final class JobsService {
  private final Scheduler scheduler;
  private final Map<String, JobConfig> jobs = new LinkedHashMap<>();
  private final Clock clock;
  private final Handlers handlers;

  /**
   * @param scheduler the scheduler running {@code jobs}, or null when none are configured
   * @param jobs the configured jobs
   * @param clock the scheduler's clock: "today" of a trigger without a date
   */
  public JobsService(Scheduler scheduler, List<JobConfig> jobs, Clock clock, Handlers handlers) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.handlers = handlers;
    jobs.forEach(j -> this.jobs.put(j.name(), j));
  }

  /**
   * The scheduler of the configured jobs, not yet started, recording runs and pauses in the
   * metadata database; null when there are no jobs. Each job scores its period's input through
   * {@code engine}.
   */
  public static Scheduler scheduler(
      List<JobConfig> jobs, BatchEngine engine, DataSource metadata, Clock clock) {
    if (jobs.isEmpty()) {
      return null;
    }
    Scheduler s =
        new Scheduler(
            clock,
            JobConfig.DEFAULT_ZONE,
            new JdbcRunHistory(metadata),
            new JdbcPausedJobs(metadata, clock));
    List<JobDefinition> definitions = new ArrayList<>();
    for (JobConfig j : jobs) {
      definitions.add(j.definition(new ScoringTask(engine, j.batch())));
    }
    s.define(definitions);
    return s;
  }

  public void bind(ServerBuilder sb) {
    sb.route().get("/api/v1/jobs").build((ctx, req) -> handlers.run(ctx, req, agg -> list()));
    sb.route()
        .get("/api/v1/jobs/{job}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> show(job(ctx))));
    sb.route()
        .get("/api/v1/jobs/{job}/runs")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> runs(job(ctx))));
    sb.route()
        .post("/api/v1/jobs/{job}/trigger")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> trigger(job(ctx), agg)));
    sb.route()
        .post("/api/v1/jobs/{job}/pause")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> pause(job(ctx), true)));
    sb.route()
        .post("/api/v1/jobs/{job}/resume")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> pause(job(ctx), false)));
    sb.route()
        .post("/api/v1/jobs/{job}/backfill")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> backfill(job(ctx), agg)));
  }

  /** The configured job named in the path, or a 404 listing the known ones. */
  private JobConfig job(ServiceRequestContext ctx) {
    String name = ctx.pathParam("job");
    JobConfig j = jobs.get(name);
    if (j == null) {
      throw new ModelNotFoundException(
          "no job named '"
              + name
              + "'; "
              + (jobs.isEmpty()
                  ? "no jobs are configured (jobs: in slipway.yaml)"
                  : "known jobs: " + String.join(", ", jobs.keySet())));
    }
    return j;
  }

  private HttpResponse list() {
    ObjectNode out = Bodies.JSON.createObjectNode();
    ArrayNode list = out.putArray("jobs");
    for (JobConfig j : jobs.values()) {
      list.add(summary(j));
    }
    return json(HttpStatus.OK, out);
  }

  private ObjectNode summary(JobConfig j) {
    ObjectNode n = Bodies.JSON.createObjectNode();
    n.put("name", j.name());
    n.put("cron", j.cron());
    n.put("zone", j.zone().getId());
    n.put("next_run", scheduler.nextFireTime(j.name()).map(Object::toString).orElse(null));
    n.put("paused", scheduler.isPaused(j.name()));
    List<JobRun> history = scheduler.history(j.name());
    JobRun last = null;
    for (JobRun r : history) {
      if (last == null || !r.startedAt().isBefore(last.startedAt())) {
        last = r; // the latest attempt started, whatever its period
      }
    }
    n.set("last_run", last == null ? null : run(last));
    return n;
  }

  private HttpResponse show(JobConfig j) {
    ObjectNode n = summary(j);
    n.set("depends_on", Bodies.JSON.valueToTree(j.dependsOn()));
    n.put("depends_on_past", j.dependsOnPast());
    n.put("retries", j.retries());
    n.put("retry_delay", j.retryDelay().toString());
    n.put("catch_up", j.catchUp());
    BatchJob b = j.batch();
    ObjectNode batch = n.putObject("batch");
    batch.put("model", b.model());
    batch.put("input", b.input().toString());
    batch.put("output", b.output().toString());
    batch.put("rejects", b.rejects().toString());
    batch.put("input_format", b.inputFormat().name().toLowerCase(java.util.Locale.ROOT));
    batch.put("output_format", b.outputFormat().name().toLowerCase(java.util.Locale.ROOT));
    batch.put("key", b.keyColumn());
    return json(HttpStatus.OK, n);
  }

  private HttpResponse runs(JobConfig j) {
    ObjectNode out = Bodies.JSON.createObjectNode();
    out.put("job", j.name());
    ArrayNode list = out.putArray("runs");
    scheduler.history(j.name()).forEach(r -> list.add(run(r)));
    return json(HttpStatus.OK, out);
  }

  private static ObjectNode run(JobRun r) {
    ObjectNode n = Bodies.JSON.createObjectNode();
    n.put("business_date", r.businessDate().toString());
    n.put("attempt", r.attempt());
    n.put("status", r.status().name());
    n.put("trigger", r.trigger().name());
    n.put("scheduled_at", r.scheduledAt().toString());
    n.put("started_at", r.startedAt().toString());
    n.put("finished_at", r.finishedAt() == null ? null : r.finishedAt().toString());
    n.put("duration_ms", r.duration().map(d -> d.toMillis()).orElse(null));
    n.put("rows", r.rows());
    n.put("error", r.error());
    return n;
  }

  /**
   * Queues a run for a business date: {@code {"date": "2026-11-01"}}, or today in the job's zone
   * without a body. A paused job's run waits for resume.
   */
  private HttpResponse trigger(JobConfig j, AggregatedHttpRequest agg) throws IOException {
    LocalDate date = null;
    if (!agg.content().isEmpty()) {
      JsonNode body = Bodies.object(agg);
      date = date(body, "date", false);
    }
    if (date == null) {
      date = LocalDate.ofInstant(clock.instant(), j.zone());
    }
    scheduler.trigger(j.name(), date);
    scheduler.tickSoon();
    ObjectNode out = Bodies.JSON.createObjectNode();
    out.put("job", j.name());
    out.put("business_date", date.toString());
    boolean paused = scheduler.isPaused(j.name());
    out.put("paused", paused);
    out.put(
        "status",
        paused
            ? "queued; the job is paused, so it runs when resumed"
            : "queued; runs once its dependencies have succeeded for " + date);
    return json(HttpStatus.ACCEPTED, out);
  }

  private HttpResponse pause(JobConfig j, boolean pause) {
    if (pause) {
      scheduler.pause(j.name());
    } else {
      scheduler.resume(j.name());
      scheduler.tickSoon();
    }
    ObjectNode out = Bodies.JSON.createObjectNode();
    out.put("job", j.name());
    out.put("paused", scheduler.isPaused(j.name()));
    return json(HttpStatus.OK, out);
  }

  /** Queues every period in {@code {"from": ..., "to": ...}} (inclusive) that the cron fires on. */
  private HttpResponse backfill(JobConfig j, AggregatedHttpRequest agg) throws IOException {
    JsonNode body = Bodies.object(agg);
    LocalDate from = date(body, "from", true);
    LocalDate to = date(body, "to", true);
    List<LocalDate> dates = scheduler.backfill(j.name(), from, to);
    scheduler.tickSoon();
    ObjectNode out = Bodies.JSON.createObjectNode();
    out.put("job", j.name());
    ArrayNode queued = out.putArray("business_dates");
    dates.forEach(d -> queued.add(d.toString()));
    out.put("paused", scheduler.isPaused(j.name()));
    return json(HttpStatus.ACCEPTED, out);
  }

  private static LocalDate date(JsonNode body, String field, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw InvalidInputException.missing(field, "a date such as 2026-11-01");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw InvalidInputException.of(field, n.toString(), "a date such as 2026-11-01 (a string)");
    }
    try {
      return LocalDate.parse(n.asText());
    } catch (DateTimeParseException e) {
      throw InvalidInputException.of(field, n.asText(), "a date such as 2026-11-01");
    }
  }

  private static HttpResponse json(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, Bodies.JSON.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
