package dev.slipway.batch.schedule;

import dev.slipway.api.InvalidInputException;
import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.BatchProgress;
import java.nio.file.Path;
import java.time.LocalDate;
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
  private final String model;
  private final String input;
  private final String output;

  /**
   * @param engine scores through the online pipeline
   * @param model the model reference, e.g. {@code ad-click@champion}
   * @param input the input file's path, with or without {@value #DATE}
   * @param output the output file's path; must contain {@value #DATE}, so that each period has its
   *     own
   * @throws InvalidInputException naming {@code output} when it lacks {@value #DATE}
   */
  public ScoringTask(BatchEngine engine, String model, String input, String output) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.model = Objects.requireNonNull(model, "model");
    this.input = Objects.requireNonNull(input, "input");
    if (output == null || !output.contains(DATE)) {
      throw InvalidInputException.of(
          "output",
          output,
          "a path containing " + DATE + ", so that each business date has its own");
    }
    this.output = output;
  }

  @Override
  public long run(LocalDate businessDate) {
    BatchJob job = BatchJob.of(model, path(input, businessDate), path(output, businessDate));
    return engine.run(job, BatchProgress.Listener.NONE).rowsIn();
  }

  private static Path path(String template, LocalDate date) {
    return Path.of(template.replace(DATE, date.toString()));
  }
}
