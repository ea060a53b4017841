package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.batch.schedule.JobDefinition;
import dev.slipway.cli.client.HttpRegistryClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code slipway jobs ...}: the scheduled jobs of a running server ({@code /api/v1/jobs}). The
 * scheduler lives in the server, so every subcommand needs {@code --url} or {@code SLIPWAY_URL}.
 */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = {
      "Scheduled jobs (jobs: in slipway.yaml) of a running server: list, show, runs, trigger,"
          + " pause, resume, backfill.",
      "Needs a running server (--url or SLIPWAY_URL)."
    },
    subcommands = {
      JobsCommand.ListJobs.class,
      JobsCommand.Show.class,
      JobsCommand.Runs.class,
      JobsCommand.Trigger.class,
      JobsCommand.Pause.class,
      JobsCommand.Resume.class,
      JobsCommand.Backfill.class
    })
final class JobsCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the server is and how to print. A picocli mixin. */
  static final class ServerOptions {
    @Option(
        names = "--url",
        paramLabel = "URL",
        description =
            "the running Slipway server, e.g. http://127.0.0.1:8080 (default: SLIPWAY_URL)",
        defaultValue = "${env:SLIPWAY_URL}")
    String url;

    @Option(names = "--json", description = "print the server's JSON instead of text")
    boolean json;
  }

  /** A subcommand: one call to the server, printed as JSON or text. */
  abstract static class JobsSubcommand implements Callable<Integer> {
    @Mixin ServerOptions server = new ServerOptions();

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() {
      if (server.url == null || server.url.isBlank()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "jobs run in a server: give --url (or set SLIPWAY_URL), e.g. --url"
                + " http://127.0.0.1:8080");
      }
      HttpRegistryClient client = HttpRegistryClient.connect(server.url, RegistryOptions.actor());
      PrintWriter out = spec.commandLine().getOut();
      JsonNode answer = send(client);
      if (server.json) {
        Output.json(out, answer);
      } else {
        print(answer, out);
      }
      out.flush();
      return 0;
    }

    abstract JsonNode send(HttpRegistryClient client);

    abstract void print(JsonNode answer, PrintWriter out);
  }

  /** A subcommand about one job. */
  abstract static class OneJob extends JobsSubcommand {
    @Parameters(index = "0", paramLabel = "JOB", description = "the job's name")
    String job;

    /** The job's path; a name the server could not have is refused here, naming it. */
    String path(String suffix) {
      if (!JobDefinition.NAME_PATTERN.matcher(job).matches()) {
        throw InvalidInputException.of(
            "JOB", job, "a job name: letters, digits, '_', '.' or '-', starting alphanumeric");
      }
      return "/api/v1/jobs/" + job + suffix;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the jobs: schedule, next run, paused, last run.")
  static final class ListJobs extends JobsSubcommand {
    @Override
    JsonNode send(HttpRegistryClient client) {
      return client.exchange("GET", "/api/v1/jobs", null);
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode j : answer.path("jobs")) {
        JsonNode last = j.path("last_run");
        rows.add(
            List.of(
                j.path("name").asText(),
                j.path("cron").asText() + " " + j.path("zone").asText(),
                instant(j.get("next_run")),
                j.path("paused").asBoolean() ? "yes" : "no",
                last.isObject()
                    ? last.path("business_date").asText() + " " + last.path("status").asText()
                    : "-"));
      }
      if (rows.isEmpty()) {
        out.println("No jobs (add them under jobs: in slipway.yaml).");
        return;
      }
      Output.table(out, List.of("JOB", "SCHEDULE", "NEXT RUN", "PAUSED", "LAST RUN"), rows);
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a job's settings and state.")
  static final class Show extends OneJob {
    @Override
    JsonNode send(HttpRegistryClient client) {
      return client.exchange("GET", path(""), null);
    }

    @Override
    void print(JsonNode j, PrintWriter out) {
      JsonNode b = j.path("batch");
      JsonNode last = j.path("last_run");
      List<String> deps = new ArrayList<>();
      j.path("depends_on").forEach(d -> deps.add(d.asText()));
      out.println(j.path("name").asText());
      out.println(
          "  schedule:   " + j.path("cron").asText() + " (" + j.path("zone").asText() + ")");
      out.println("  next run:   " + instant(j.get("next_run")));
      out.println("  paused:     " + (j.path("paused").asBoolean() ? "yes" : "no"));
      out.println("  model:      " + b.path("model").asText());
      out.println("  input:      " + b.path("input").asText());
      out.println("  output:     " + b.path("output").asText());
      out.println("  depends on: " + (deps.isEmpty() ? "-" : String.join(", ", deps)));
      out.println(
          "  past:       "
              + (j.path("depends_on_past").asBoolean()
                  ? "waits for its own previous period"
                  : "independent"));
      out.println(
          "  retries:    "
              + j.path("retries").asInt()
              + " (delay "
              + j.path("retry_delay").asText()
              + "), catch-up "
              + (j.path("catch_up").asBoolean() ? "on" : "off"));
      out.println(
          "  last run:   "
              + (last.isObject()
                  ? last.path("business_date").asText()
                      + " "
                      + last.path("status").asText()
                      + " (attempt "
                      + last.path("attempt").asInt()
                      + ")"
                  : "-"));
    }
  }

  @Command(
      name = "runs",
      mixinStandardHelpOptions = true,
      description = "A job's run history: every attempt, oldest period first.")
  static final class Runs extends OneJob {
    @Override
    JsonNode send(HttpRegistryClient client) {
      return client.exchange("GET", path("/runs"), null);
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode r : answer.path("runs")) {
        JsonNode ms = r.get("duration_ms");
        rows.add(
            List.of(
                r.path("business_date").asText(),
                r.path("attempt").asText(),
                r.path("status").asText(),
                r.path("trigger").asText(),
                instant(r.get("started_at")),
                ms == null || ms.isNull()
                    ? "-"
                    : String.format(java.util.Locale.ROOT, "%.1f s", ms.asLong() / 1000.0),
                text(r.get("rows")),
                text(r.get("error"))));
      }
      if (rows.isEmpty()) {
        out.println("No runs of " + answer.path("job").asText() + " yet.");
        return;
      }
      Output.table(
          out,
          List.of("DATE", "ATTEMPT", "STATUS", "TRIGGER", "STARTED", "DURATION", "ROWS", "ERROR"),
          rows);
    }
  }

  @Command(
      name = "trigger",
      mixinStandardHelpOptions = true,
      description = {
        "Queue a run of a job for a business date (default: today in the job's zone), whether or"
            + " not that date ran before. It runs once its dependencies have succeeded for that"
            + " date; a paused job's run waits until it is resumed."
      })
  static final class Trigger extends OneJob {
    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "the business date")
    String date;

    @Override
    JsonNode send(HttpRegistryClient client) {
      ObjectNode body = JSON.createObjectNode();
      if (date != null) {
        body.put("date", date);
      }
      return client.exchange("POST", path("/trigger"), body);
    }

    @Override
    void print(JsonNode a, PrintWriter out) {
      out.println(
          "Queued "
              + a.path("job").asText()
              + " for "
              + a.path("business_date").asText()
              + ": "
              + a.path("status").asText());
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description =
          "Pause a job: no period runs, scheduled or triggered, until it is resumed (also across"
              + " restarts). A run in progress finishes.")
  static final class Pause extends OneJob {
    @Override
    JsonNode send(HttpRegistryClient client) {
      return client.exchange("POST", path("/pause"), null);
    }

    @Override
    void print(JsonNode a, PrintWriter out) {
      out.println("Paused " + a.path("job").asText() + ".");
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description =
          "Resume a paused job. Periods missed while it was paused run now (all of them with"
              + " catch-up, only the latest without), then the schedule goes on.")
  static final class Resume extends OneJob {
    @Override
    JsonNode send(HttpRegistryClient client) {
      return client.exchange("POST", path("/resume"), null);
    }

    @Override
    void print(JsonNode a, PrintWriter out) {
      out.println("Resumed " + a.path("job").asText() + ".");
    }
  }

  @Command(
      name = "backfill",
      mixinStandardHelpOptions = true,
      description =
          "Queue a run for every business date from --from to --to (inclusive) on which the job's"
              + " cron fires, oldest first, each once its dependencies have succeeded for it.")
  static final class Backfill extends OneJob {
    @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD")
    String from;

    @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD")
    String to;

    @Override
    JsonNode send(HttpRegistryClient client) {
      ObjectNode body = JSON.createObjectNode();
      body.put("from", from);
      body.put("to", to);
      return client.exchange("POST", path("/backfill"), body);
    }

    @Override
    void print(JsonNode a, PrintWriter out) {
      List<String> dates = new ArrayList<>();
      a.path("business_dates").forEach(d -> dates.add(d.asText()));
      out.println(
          "Queued "
              + dates.size()
              + " run(s) of "
              + a.path("job").asText()
              + (dates.isEmpty() ? "" : ": " + String.join(", ", dates))
              + (a.path("paused").asBoolean() ? " (the job is paused: they wait for resume)" : ""));
    }
  }

  private static String instant(JsonNode n) {
    return n == null || n.isNull() ? "-" : Output.instant(n.asText());
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? "-" : n.asText();
  }
}
