package dev.slipway.batch.schedule;

import dev.slipway.api.InvalidInputException;
import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.BatchProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * A {@link JobTask} that scores one file per business date through a {@link BatchEngine}: the input
 * and output paths are templates in which {@value #DATE} stands for the business date (ISO, {@code
 * 2026-03-01}). The rows processed are the input's rows (scored and rejected).
 *
 * <p>As with {@code slipway batch score}, a failed attempt leaves a checkpoint that the retry
 * resumes from, and a finished output is never overwritten: re-running a date whose output exists
 * fails naming it. Thread-safe when the engine is.
 */
public final class ScoringTask implements JobTask {

  /** The placeholder for the business date in path templates. */
  public static final String DATE = "{date}";

  private final BatchEngine engine;
  private final BatchJob template;

  /**
   * @param engine scores through the online pipeline
   * @param model the model reference, e.g. {@code ad-click@champion}
   * @param input the input file's path, with or without {@value #DATE}
   * @param output the output file's path; must contain {@value #DATE}, so that each period has its
   *     own
   * @throws InvalidInputException naming {@code output} when it lacks {@value #DATE}
   */
  public ScoringTask(BatchEngine engine, String model, String input, String output) {
    this(engine, BatchJob.of(model, Path.of(input), Path.of(requireDate(output))));
  }

  /**
   * A task that runs {@code template} with {@value #DATE} in its input, output and rejects paths
   * replaced by the business date; its other settings (formats, key column, chunking) are kept.
   *
   * @throws InvalidInputException naming {@code output} when its path lacks {@value #DATE}
   */
  public ScoringTask(BatchEngine engine, BatchJob template) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.template = Objects.requireNonNull(template, "template");
    requireDate(template.output().toString());
  }

  private static String requireDate(String output) {
    if (output == null || !output.contains(DATE)) {
      throw InvalidInputException.of(
          "output",
          output,
          "a path containing " + DATE + ", so that each business date has its own");
    }
    return output;
  }

  /** The job of one business date: the template with {@value #DATE} replaced in its paths. */
  public BatchJob job(LocalDate businessDate) {
    return new BatchJob(
        template.model(),
        path(template.input(), businessDate),
        template.inputFormat(),
        path(template.output(), businessDate),
        template.outputFormat(),
        path(template.rejects(), businessDate),
        template.keyColumn(),
        template.chunkSize(),
        template.parallelism(),
        template.checkpointEvery());
  }

  /**
   * Scores the business date's input; the directories of its output and rejects are created first
   * (a template such as {@code out/{date}/scored.csv} has one directory per date).
   */
  @Override
  public long run(LocalDate businessDate) throws IOException {
    BatchJob job = job(businessDate);
    for (Path file : List.of(job.output(), job.rejects())) {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    }
    return engine.run(job, BatchProgress.Listener.NONE).rowsIn();
  }

  private static Path path(Path template, LocalDate date) {
    return Path.of(template.toString().replace(DATE, date.toString()));
  }
}
