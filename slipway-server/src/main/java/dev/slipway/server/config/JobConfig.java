package dev.slipway.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.DataFormat;
import dev.slipway.batch.schedule.JobDefinition;
import dev.slipway.batch.schedule.JobGraph;
import dev.slipway.batch.schedule.JobTask;
import dev.slipway.batch.schedule.ScoringTask;
import dev.slipway.registry.ModelRef;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scheduled scoring job from the {@code jobs:} section of {@code slipway.yaml}: a cron schedule
 * in a zone, and the batch job to run for each period, with {@value ScoringTask#DATE} in its paths
 * standing for the period's business date. Immutable.
 *
 * @param name the job's name (its key under {@code jobs:})
 * @param cron a UNIX cron expression
 * @param zone the zone of the cron expression and of business dates
 * @param batch the batch job, with {@value ScoringTask#DATE} in its paths
 * @param dependsOn jobs that must have succeeded for the same business date first
 * @param dependsOnPast whether the job's own previous period must have succeeded first
 * @param retries more attempts after a failure
 * @param retryDelay the wait before each retry
 * @param catchUp whether every missed period runs (true) or only the latest
 */
public record JobConfig(
    String name,
    String cron,
    ZoneId zone,
    BatchJob batch,
    List<String> dependsOn,
    boolean dependsOnPast,
    int retries,
    Duration retryDelay,
    boolean catchUp) {

  /** The zone of jobs that do not name one. */
  public static final ZoneId DEFAULT_ZONE = ZoneId.of("UTC");

  static final Set<String> KEYS =
      Set.of(
          "cron",
          "zone",
          "model",
          "input",
          "output",
          "rejects",
          "format",
          "inputFormat",
          "outputFormat",
          "key",
          "chunk",
          "threads",
          "dependsOn",
          "dependsOnPast",
          "retries",
          "retryDelay",
          "catchUp");

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

  public JobConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(batch, "batch");
    dependsOn = List.copyOf(dependsOn);
    Objects.requireNonNull(retryDelay, "retryDelay");
  }

  /** The scheduler's definition of this job, running {@code task} for each period. */
  public JobDefinition definition(JobTask task) {
    return JobDefinition.builder(name, cron, task)
        .dependsOn(dependsOn.toArray(String[]::new))
        .dependsOnPast(dependsOnPast)
        .retries(retries, retryDelay)
        .catchUp(catchUp)
        .zone(zone)
        .build();
  }

  /**
   * Parses the {@code jobs:} section (a map of job name to settings), adding every problem to
   * {@code problems}: each job's own settings, then unknown dependencies and dependency cycles.
   *
   * @return the jobs in file order; those with problems are left out
   */
  static List<JobConfig> parseAll(JsonNode jobs, List<String> problems) {
    if (jobs == null || jobs.isNull()) {
      return List.of();
    }
    if (!jobs.isObject()) {
      problems.add("jobs: expected a map of job name to settings");
      return List.of();
    }
    List<JobConfig> parsed = new ArrayList<>();
    Map<String, List<String>> dependsOn = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : jobs.properties()) {
      JobConfig job = parse(e.getKey(), e.getValue(), problems);
      if (job != null) {
        parsed.add(job);
      }
      dependsOn.put(e.getKey(), dependencies(e.getKey(), e.getValue(), problems));
    }
    boolean allKnown = true;
    for (Map.Entry<String, List<String>> e : dependsOn.entrySet()) {
      for (String d : e.getValue()) {
        if (!dependsOn.containsKey(d)) {
          allKnown = false;
          problems.add(
              "jobs."
                  + e.getKey()
                  + ".dependsOn: got \""
                  + d
                  + "\", expected the name of a job in jobs: (known: "
                  + String.join(", ", dependsOn.keySet())
                  + ")");
        }
      }
    }
    if (allKnown) {
      try {
        JobGraph.order(dependsOn);
      } catch (InvalidInputException cycle) {
        problems.add(problem(cycle.field(), cycle));
      }
    }
    return parsed;
  }

  private static List<String> dependencies(String name, JsonNode job, List<String> problems) {
    List<String> out = new ArrayList<>();
    JsonNode n = job == null ? null : job.get("dependsOn");
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isTextual()) {
      out.add(n.asText());
    } else if (n.isArray()) {
      n.forEach(d -> out.add(d.asText()));
    } else {
      problems.add("jobs." + name + ".dependsOn: expected a list of job names");
    }
    return out;
  }

  /** One job's settings; null when any of them has a problem (each added to problems). */
  private static JobConfig parse(String name, JsonNode job, List<String> problems) {
    String base = "jobs." + name;
    int before = problems.size();
    if (!JobDefinition.NAME_PATTERN.matcher(name).matches()) {
      problems.add(
          base
              + ": the job name \""
              + name
              + "\" is not allowed; expected 1 to 128 letters, digits, '_', '.' or '-', starting"
              + " alphanumeric");
    }
    if (job == null || !job.isObject()) {
      problems.add(base + ": expected a map of settings (cron, model, input, output, ...)");
      return null;
    }
    job.fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYS.contains(k)) {
                problems.add(base + "." + k + ": unknown setting; known: " + new TreeSet<>(KEYS));
              }
            });
    Fields f = new Fields(base, job, problems);
    String cron = f.text("cron", null);
    if (cron == null) {
      problems.add(base + ".cron: required, a UNIX cron expression such as \"0 2 * * *\"");
    } else {
      check(() -> JobGraph.checkCron(name, cron), problems, base + ".cron");
    }
    ZoneId zone = DEFAULT_ZONE;
    String zoneText = f.text("zone", null);
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText);
      } catch (DateTimeException e) {
        problems.add(
            base
                + ".zone: got \""
                + zoneText
                + "\", expected a time zone such as UTC or Asia/Shanghai");
      }
    }
    String model = f.text("model", null);
    if (model == null) {
      problems.add(base + ".model: required, a model reference such as ad-click@champion");
    } else {
      check(() -> ModelRef.parse(model), problems, base + ".model");
    }
    Path input = f.path("input", true);
    Path output = f.path("output", true);
    if (output != null && !output.toString().contains(ScoringTask.DATE)) {
      problems.add(
          base
              + ".output: got \""
              + output
              + "\", expected a path containing "
              + ScoringTask.DATE
              + " (the business date), so that each period has its own output");
    }
    Path rejects = f.path("rejects", false);
    String format = f.text("format", null);
    DataFormat inFormat = format(f, base, format == null ? "inputFormat" : "format", input);
    DataFormat outFormat = format(f, base, format == null ? "outputFormat" : "format", output);
    if (format != null
        && (f.text("inputFormat", null) != null || f.text("outputFormat", null) != null)) {
      problems.add(base + ".format: give format, or inputFormat and outputFormat, not both");
    }
    String key = f.text("key", null);
    long chunk = f.number("chunk", BatchJob.DEFAULT_CHUNK, 1, 1_000_000);
    long threads = f.number("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
    boolean dependsOnPast = f.bool("dependsOnPast", false);
    long retries = f.number("retries", 0, 0, 100);
    Duration retryDelay = Duration.ZERO;
    String delay = f.text("retryDelay", null);
    if (delay != null) {
      retryDelay = duration(delay);
      if (retryDelay == null) {
        problems.add(
            base
                + ".retryDelay: got \""
                + delay
                + "\", expected a duration such as 30s, 5m, 2h or PT10M");
        retryDelay = Duration.ZERO;
      }
    }
    boolean catchUp = f.bool("catchUp", true);
    if (problems.size() > before) {
      return null;
    }
    BatchJob batch =
        new BatchJob(
            model,
            input,
            inFormat,
            output,
            outFormat,
            rejects != null ? rejects : BatchJob.defaultRejects(output, outFormat),
            key,
            (int) chunk,
            (int) threads,
            8);
    return new JobConfig(
        name,
        cron,
        zone,
        batch,
        dependencies(name, job, new ArrayList<>()),
        dependsOnPast,
        (int) retries,
        retryDelay,
        catchUp);
  }

  private static DataFormat format(Fields f, String base, String option, Path file) {
    String named = f.text(option, null);
    if (named != null) {
      return parseOr(() -> DataFormat.parse(named, base + "." + option), f.problems());
    }
    if (file == null) {
      return null;
    }
    try {
      return DataFormat.of(file, "file");
    } catch (InvalidInputException e) {
      String key = option.startsWith("input") ? "input" : "output";
      f.problems()
          .add(
              base
                  + "."
                  + key
                  + ": got \""
                  + file
                  + "\", expected a file ending in .csv, .jsonl, .ndjson or .parquet (or set format or "
                  + option
                  + ")");
      return null;
    }
  }

  /** "30s", "5m", "2h", "1d", "250ms", or ISO-8601 ("PT10M"); null when it is neither. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT_DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    }
    try {
      Duration d = Duration.parse(text.trim());
      return d.isNegative() ? null : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Runs a check, adding its error to problems as a problem of {@code path}. */
  private static void check(Runnable r, List<String> problems, String path) {
    try {
      r.run();
    } catch (InvalidInputException e) {
      problems.add(problem(path, e));
    }
  }

  private static <T> T parseOr(java.util.function.Supplier<T> s, List<String> problems) {
    try {
      return s.get();
    } catch (InvalidInputException e) {
      problems.add(problem(e.field(), e));
      return null;
    }
  }

  /** "field 'x': got ..." as a configuration problem: "path: got ...". */
  private static String problem(String path, InvalidInputException e) {
    String prefix = "field '" + e.field() + "'";
    String m = e.getMessage();
    return path + (m.startsWith(prefix) ? m.substring(prefix.length()) : ": " + m);
  }

  /** Reads one job's values, adding a problem for each of the wrong type. */
  private record Fields(String base, JsonNode job, List<String> problems) {
    private JsonNode get(String key) {
      JsonNode n = job.get(key);
      return n == null || n.isNull() ? null : n;
    }

    String text(String key, String fallback) {
      JsonNode n = get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isValueNode()) {
        problems.add(base + "." + key + ": expected a text value");
        return fallback;
      }
      return n.asText();
    }

    Path path(String key, boolean required) {
      String t = text(key, null);
      if (t == null || t.isBlank()) {
        if (required) {
          problems.add(
              base
                  + "."
                  + key
                  + ": required, a file path ("
                  + ScoringTask.DATE
                  + " stands for the business date)");
        }
        return null;
      }
      return Path.of(t);
    }

    boolean bool(String key, boolean fallback) {
      JsonNode n = get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isBoolean()) {
        problems.add(base + "." + key + ": got " + n + ", expected true or false");
        return fallback;
      }
      return n.booleanValue();
    }

    long number(String key, long fallback, long min, long max) {
      JsonNode n = get(key);
      if (n == null) {
        return fallback;
      }
      try {
        long v = Long.parseLong(n.asText().trim());
        if (v >= min && v <= max) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problems.add(
          base
              + "."
              + key
              + ": got \""
              + n.asText()
              + "\", expected a whole number from "
              + min
              + " to "
              + max);
      return fallback;
    }
  }
}
