package dev.slipway.cli;

import dev.slipway.api.InvalidInputException;
import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.BatchSummary;
import dev.slipway.batch.DataFormat;
import dev.slipway.batch.JdbcInput;
import dev.slipway.batch.JdbcOutput;
import dev.slipway.batch.store.PredictionStore;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.SlipwayServer;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.guard.RegistryFailureFilters;
import dev.slipway.serving.host.ModelHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway batch ...}: score data sets with a registered model, offline. */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = "Batch prediction: score a file with a registered model.",
    subcommands = {BatchCommand.Score.class})
final class BatchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "Score every row of a CSV, JSON Lines or Parquet file, or of a database table or query"
            + " (H2, PostgreSQL), through the same pipeline and guards as online serving; bad rows"
            + " go to the rejects file or table with the reason the API would give, and the job"
            + " goes on. Each output row has its key, the model's outputs, model_version and"
            + " scored_at.",
        "Inputs: a.csv, a.jsonl, a.parquet (or a directory of .parquet parts), csv:|jsonl:|"
            + "parquet:<path> to name the format, or a JDBC URL with --table (read ORDER BY --key)"
            + " or --query (with its own ORDER BY).",
        "Outputs: a file as above (Parquet: a directory of parts), or a JDBC URL with"
            + " --output-table (created when missing; rows appended only when the job finishes).",
        "The output appears under its name only when the job is complete. A job that stopped"
            + " (killed, crashed) resumes from its checkpoint when run again with the same"
            + " arguments."
      })
  static final class Score implements Callable<Integer> {
    @Option(
        names = "--model",
        required = true,
        description = "model reference: name, name@alias or name/version")
    String model;

    @Option(
        names = "--input",
        required = true,
        description =
            "the data set: a .csv, .jsonl or .parquet file (or parquet:<path>, csv:<path>,"
                + " jsonl:<path>), or a JDBC URL (jdbc:postgresql://…, jdbc:h2:file:…) with --table"
                + " or --query")
    String input;

    @Option(
        names = "--table",
        description =
            "the table to score from a JDBC --input; needs --key (rows are read ORDER BY it)")
    String table;

    @Option(
        names = "--query",
        description =
            "a SELECT to score from a JDBC --input; must have an ORDER BY on a unique column")
    String query;

    @Option(
        names = "--output",
        required = true,
        description =
            "where scored rows go: a file (as --input; Parquet is a directory of parts), or a JDBC"
                + " URL with --output-table")
    String output;

    @Option(
        names = "--output-table",
        description = "the table for scored rows when --output is a JDBC URL (created if missing)")
    String outputTable;

    @Option(
        names = "--rejects-table",
        description = "the table for rejected rows (default: <output table>_rejects)")
    String rejectsTable;

    @Option(
        names = "--rejects",
        description = "where rejected rows go (default: <output stem>.rejects.<format>)")
    Path rejects;

    @Option(
        names = "--format",
        description =
            "csv, jsonl or parquet, for input and output (default: from the file extensions)")
    String format;

    @Option(names = "--input-format", description = "csv, jsonl or parquet, for the input")
    String inputFormat;

    @Option(names = "--output-format", description = "csv, jsonl or parquet, for the output")
    String outputFormat;

    @Option(
        names = "--key",
        description = "the input column identifying a row (default: row number)")
    String key;

    @Option(
        names = "--store",
        description =
            "also put every scored row into the prediction store (predictionStore in --config:"
                + " the home's database by default, or Redis), keyed by --key; rejected rows are"
                + " not stored, a newer result replaces an older one")
    boolean store;

    @Option(names = "--store-key", description = "the same as --store --key <column>")
    String storeKey;

    @Option(
        names = "--chunk",
        description = "rows per pipeline call (default: ${DEFAULT-VALUE})",
        defaultValue = "" + dev.slipway.batch.BatchJob.DEFAULT_CHUNK)
    int chunk;

    @Option(
        names = "--threads",
        description = "chunks scored at once (default: the number of cores)")
    Integer threads;

    @Option(
        names = "--home",
        description = "Slipway home (default: ${DEFAULT-VALUE}, or SLIPWAY_HOME)",
        defaultValue = "${env:SLIPWAY_HOME:-slipway-home}")
    Path home;

    @Option(names = "--config", description = "a slipway.yaml file (its guards apply)")
    Path config;

    @Option(names = "--no-progress", description = "do not draw a progress bar")
    boolean noProgress;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (storeKey != null) {
        if (key != null && !key.equals(storeKey)) {
          throw dev.slipway.api.InvalidInputException.of(
              "--store-key", storeKey, "the same column as --key " + key + ", or only one of them");
        }
        key = storeKey;
        store = true;
      }
      BatchJob job = job();
      SlipwayConfig cfg = SlipwayConfig.load(config, System.getenv()).withHome(home);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      boolean inBytes = job.jdbcInput() == null && job.inputFormat() != DataFormat.PARQUET;
      long size = inBytes && Files.isRegularFile(job.input()) ? sizeOf(job.input()) : 0;
      try (ModelRegistry registry = ModelRegistry.embedded(cfg.home());
          ModelHost host =
              new ModelHost(
                  registry,
                  ModelHost.defaultResolver(registry),
                  cfg::deployment,
                  Duration.ofSeconds(cfg.keepWarmSeconds()),
                  System::nanoTime);
          RegistryFailureFilters filters = new RegistryFailureFilters(registry);
          PredictionStore predictions =
              store ? SlipwayServer.predictionStore(cfg, registry) : null;
          ProgressBar bar = noProgress ? null : bar(err, size, inBytes)) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // the guards as the server builds them, so that a row gets the online verdict
        Guards guards =
            new Guards(
                    cfg::guard,
                    v -> hasFallback(cfg.guard(v.name())) ? filters.apply(v) : Optional.empty(),
                    meters)
                .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
        Pipeline pipeline =
            new Pipeline(
                host,
                meters,
                name -> null,
                new Pipeline.Limits(cfg.maxRecords(), 10_000_000),
                guards);
        // the model loaded before the job starts, as a server has it loaded before a scheduled
        // job runs: the job's time is the time of its rows (a job resumed with another version
        // than the reference's current one loads that one itself)
        long loading = System.nanoTime();
        host.get(job.model(), null);
        double loadSeconds = (System.nanoTime() - loading) / 1e9;
        BatchSummary s =
            new BatchEngine(pipeline, Clock.systemUTC(), predictions)
                .run(
                    job,
                    p -> {
                      if (bar != null) {
                        if (!inBytes) {
                          bar.maxHint(p.bytesTotal() > 0 ? p.bytesTotal() : -1);
                        }
                        bar.stepTo(p.bytesRead());
                        bar.setExtraMessage(
                            p.rowsWritten() + " rows, " + p.rejected() + " rejected");
                      }
                    });
        if (bar != null && inBytes) {
          bar.stepTo(size);
        }
        err.flush();
        out.println(
            String.format(
                Locale.ROOT,
                "Scored %d of %d rows with %s/%d in %.1f s (model loaded in %.1f s before)%s: %s"
                    + " (%d rejected: %s)%s",
                s.scored(),
                s.rowsIn(),
                s.model(),
                s.modelVersion(),
                s.durationMillis() / 1000.0,
                loadSeconds,
                s.resumedAtRow() > 0 ? ", resumed at row " + (s.resumedAtRow() + 1) : "",
                job.describeOutput(),
                s.rejected(),
                job.describeRejects(),
                predictions == null ? "" : "; stored by " + key + " in the " + predictions));
        out.flush();
        return 0;
      }
    }

    private BatchJob job() {
      DataFormat both = format == null ? null : DataFormat.parse(format, "--format");
      DataFormat inF = inputFormat != null ? DataFormat.parse(inputFormat, "--input-format") : both;
      DataFormat outF =
          outputFormat != null ? DataFormat.parse(outputFormat, "--output-format") : both;
      boolean jdbcIn = input.startsWith("jdbc:");
      boolean jdbcOut = output.startsWith("jdbc:");
      Located in = jdbcIn ? null : located(input, inF, "--input");
      Located out = jdbcOut ? null : located(output, outF, "--output");
      Path inPath = in == null ? Path.of("table.csv") : in.path();
      Path outPath = out == null ? Path.of("table.csv") : out.path();
      BatchJob job =
          BatchJob.of(
              model,
              inPath,
              in == null ? DataFormat.CSV : in.format(),
              outPath,
              out == null ? DataFormat.CSV : out.format());
      if (jdbcIn) {
        if ((table == null) == (query == null)) {
          throw InvalidInputException.missing(
              "--table", "--table or --query (one of them) for the JDBC input " + redact(input));
        }
        job = job.withJdbcInput(new JdbcInput(input, table, query));
      } else if (table != null || query != null) {
        throw InvalidInputException.of(
            table != null ? "--table" : "--query",
            table != null ? table : query,
            "given only with a JDBC --input (jdbc:…)");
      }
      if (jdbcOut) {
        if (outputTable == null) {
          throw InvalidInputException.missing(
              "--output-table", "the table for scored rows in " + redact(output));
        }
        if (rejects != null) {
          throw InvalidInputException.of(
              "--rejects", rejects.toString(), "--rejects-table, as the output is a table");
        }
        job =
            job.withJdbcOutput(
                rejectsTable == null
                    ? JdbcOutput.of(output, outputTable)
                    : new JdbcOutput(output, outputTable, rejectsTable));
      } else if (outputTable != null || rejectsTable != null) {
        throw InvalidInputException.of(
            outputTable != null ? "--output-table" : "--rejects-table",
            outputTable != null ? outputTable : rejectsTable,
            "given only with a JDBC --output (jdbc:…)");
      }
      if (rejects != null) {
        job = job.withRejects(rejects);
      }
      if (key != null) {
        job = job.withKey(key);
      }
      if (chunk < 1) {
        throw InvalidInputException.of("--chunk", String.valueOf(chunk), "at least 1 row");
      }
      if (threads != null && threads < 1) {
        throw InvalidInputException.of("--threads", String.valueOf(threads), "at least 1 thread");
      }
      return job.withChunking(
          chunk,
          threads == null ? Runtime.getRuntime().availableProcessors() : threads,
          job.checkpointEvery());
    }

    private record Located(Path path, DataFormat format) {}

    /** {@code parquet:/x}, or a path whose format is the one given or its extension's. */
    private static Located located(String spec, DataFormat given, String option) {
      for (DataFormat f : DataFormat.values()) {
        String prefix = f.name().toLowerCase(Locale.ROOT) + ":";
        if (spec.regionMatches(true, 0, prefix, 0, prefix.length())) {
          return new Located(Path.of(spec.substring(prefix.length())), f);
        }
      }
      Path p = Path.of(spec);
      return new Located(p, given != null ? given : DataFormat.of(p, option));
    }

    private static String redact(String url) {
      return new JdbcInput(url, "t", null).describe().replaceFirst(" table t$", "");
    }

    private static boolean hasFallback(GuardSpec spec) {
      return spec != null && !spec.fallback().isEmpty();
    }

    private static long sizeOf(Path p) {
      try {
        return Files.size(p);
      } catch (java.io.IOException e) {
        return 0;
      }
    }

    private static ProgressBar bar(PrintWriter err, long size, boolean inBytes) {
      ProgressBarBuilder b = new ProgressBarBuilder().setTaskName("Scoring");
      if (inBytes) {
        b.setInitialMax(Math.max(size, 1)).setUnit(" MB", 1 << 20);
      } else {
        b.setInitialMax(-1).setUnit(" rows", 1);
      }
      return b.setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(200)
          .continuousUpdate()
          .setConsumer(
              new DelegatingProgressBarConsumer(
                  line -> {
                    err.print('\r');
                    err.print(line);
                    err.flush();
                  },
                  80))
          .build();
    }
  }
}
