package dev.slipway.cli;

import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.BatchSummary;
import dev.slipway.batch.DataFormat;
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
        "Score every row of a CSV or JSON Lines file through the same pipeline and guards as"
            + " online serving; bad rows go to the rejects file with the reason the API would"
            + " give, and the job goes on.",
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

    @Option(names = "--input", required = true, description = "the data set (.csv or .jsonl)")
    Path input;

    @Option(names = "--output", required = true, description = "where scored rows go")
    Path output;

    @Option(
        names = "--rejects",
        description = "where rejected rows go (default: <output stem>.rejects.<format>)")
    Path rejects;

    @Option(
        names = "--format",
        description = "csv or jsonl, for input and output (default: from the file extensions)")
    String format;

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
        defaultValue = "512")
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
      long size = Files.isRegularFile(input) ? sizeOf(input) : 0;
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
          ProgressBar bar = noProgress ? null : bar(err, size)) {
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
        BatchSummary s =
            new BatchEngine(pipeline, Clock.systemUTC(), predictions)
                .run(
                    job,
                    p -> {
                      if (bar != null) {
                        bar.stepTo(p.bytesRead());
                        bar.setExtraMessage(
                            p.rowsWritten() + " rows, " + p.rejected() + " rejected");
                      }
                    });
        if (bar != null) {
          bar.stepTo(size);
        }
        err.flush();
        out.println(
            String.format(
                Locale.ROOT,
                "Scored %d of %d rows with %s/%d in %.1f s%s: %s (%d rejected: %s)%s",
                s.scored(),
                s.rowsIn(),
                s.model(),
                s.modelVersion(),
                s.durationMillis() / 1000.0,
                s.resumedAtRow() > 0 ? ", resumed at row " + (s.resumedAtRow() + 1) : "",
                job.output(),
                s.rejected(),
                job.rejects(),
                predictions == null ? "" : "; stored by " + key + " in the " + predictions));
        out.flush();
        return 0;
      }
    }

    private BatchJob job() {
      BatchJob job;
      if (format != null) {
        DataFormat f = DataFormat.parse(format, "--format");
        job =
            new BatchJob(
                model,
                input,
                f,
                output,
                f,
                BatchJob.defaultRejects(output, f),
                null,
                BatchJob.DEFAULT_CHUNK,
                Runtime.getRuntime().availableProcessors(),
                8);
      } else {
        job = BatchJob.of(model, input, output);
      }
      if (rejects != null) {
        job = job.withRejects(rejects);
      }
      if (key != null) {
        job = job.withKey(key);
      }
      return job.withChunking(
          chunk, threads == null ? job.parallelism() : threads, job.checkpointEvery());
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

    private static ProgressBar bar(PrintWriter err, long size) {
      return new ProgressBarBuilder()
          .setTaskName("Scoring")
          .setInitialMax(Math.max(size, 1))
          .setUnit(" MB", 1 << 20)
          .setStyle(ProgressBarStyle.ASCII)
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
