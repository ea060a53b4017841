package dev.slipway.batch;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to score and where to write it. The output is written to {@code <output>.part} and renamed
 * to {@code output} only when the job is complete; {@code <output>.checkpoint.json} holds the
 * progress of an unfinished job and {@code <output>.summary.json} the summary of a finished one.
 *
 * @param model a model reference: {@code name}, {@code name@alias} or {@code name/3}
 * @param input the data set to score
 * @param inputFormat the input's format
 * @param output where the scored rows go
 * @param outputFormat the output's format (also the rejects file's)
 * @param rejects where rejected rows go, with their reason
 * @param keyColumn the input column that identifies a row, or null for the row number (from 1)
 * @param chunkSize rows per pipeline request (the first chunks of a job are smaller: {@link
 *     BatchEngine#WARM_CHUNKS})
 * @param parallelism chunks scored at once
 * @param checkpointEvery chunks written between two checkpoints, counted as {@code checkpointEvery
 *     * chunkSize} rows (at least: a CSV or JSON Lines output puts a checkpoint off by a chunk at a
 *     time while the one before is still being forced to disk)
 * @param jdbcInput a table or query to read instead of {@code input} (then null), or null
 * @param jdbcOutput tables to write instead of {@code output} and {@code rejects} (then null), or
 *     null
 */
public record BatchJob(
    String model,
    Path input,
    DataFormat inputFormat,
    Path output,
    DataFormat outputFormat,
    Path rejects,
    String keyColumn,
    int chunkSize,
    int parallelism,
    int checkpointEvery,
    JdbcInput jdbcInput,
    JdbcOutput jdbcOutput) {

  /** A file-to-file job. */
  public BatchJob(
      String model,
      Path input,
      DataFormat inputFormat,
      Path output,
      DataFormat outputFormat,
      Path rejects,
      String keyColumn,
      int chunkSize,
      int parallelism,
      int checkpointEvery) {
    this(
        model,
        input,
        inputFormat,
        output,
        outputFormat,
        rejects,
        keyColumn,
        chunkSize,
        parallelism,
        checkpointEvery,
        null,
        null);
  }

  /**
   * Checkpoints of a Parquet output: each closes a part, so parts are 32 chunks (65,536 rows by
   * default).
   */
  public static final int PARQUET_CHECKPOINT_EVERY = 32;

  /**
   * Chunks between checkpoints for text outputs: 131,072 rows at the default chunk, a tenth of a
   * second of a 2-core job's work to redo after a crash. Each checkpoint forces the output to disk;
   * every 8 chunks (as before 2026-12-07) a 5M-row job forced ~300 times and spent ~0.2 s more CPU,
   * mostly the kernel's, for it (docs/BENCHMARKS.md).
   */
  public static final int CHECKPOINT_EVERY = 64;

  /** The most chunks between checkpoints for table outputs (see {@link #withJdbcOutput}). */
  public static final int TABLE_CHECKPOINT_EVERY = 8;

  /** The default rows per chunk. */
  public static final int DEFAULT_CHUNK = 2048;

  public BatchJob {
    Objects.requireNonNull(model, "model");
    if (jdbcInput == null) {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(inputFormat, "inputFormat");
    }
    if (jdbcOutput == null) {
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(outputFormat, "outputFormat");
      Objects.requireNonNull(rejects, "rejects");
    }
    if (chunkSize < 1 || parallelism < 1 || checkpointEvery < 1) {
      throw new IllegalArgumentException("chunkSize, parallelism and checkpointEvery must be >= 1");
    }
  }

  /**
   * A job with the defaults: formats from the file extensions, rejects next to the output ({@code
   * out.csv} → {@code out.rejects.csv}), the row number as key, chunks of {@value #DEFAULT_CHUNK}
   * rows, one chunk per core, a checkpoint every {@value #CHECKPOINT_EVERY} chunks ({@value
   * #PARQUET_CHECKPOINT_EVERY} for Parquet output, one part per checkpoint).
   */
  public static BatchJob of(String model, Path input, Path output) {
    DataFormat out = DataFormat.of(output, "output");
    return of(model, input, DataFormat.of(input, "input"), output, out);
  }

  /** As {@link #of(String, Path, Path)} with the formats given. */
  public static BatchJob of(
      String model, Path input, DataFormat inputFormat, Path output, DataFormat out) {
    return new BatchJob(
        model,
        input,
        inputFormat,
        output,
        out,
        defaultRejects(output, out),
        null,
        DEFAULT_CHUNK,
        Runtime.getRuntime().availableProcessors(),
        out == DataFormat.PARQUET ? PARQUET_CHECKPOINT_EVERY : CHECKPOINT_EVERY);
  }

  /** Reads a table or query instead of a file. */
  public BatchJob withJdbcInput(JdbcInput in) {
    return new BatchJob(
        model,
        null,
        null,
        output,
        outputFormat,
        rejects,
        keyColumn,
        chunkSize,
        parallelism,
        checkpointEvery,
        in,
        jdbcOutput);
  }

  /**
   * Writes to tables instead of files, with a checkpoint at least every {@value
   * #TABLE_CHECKPOINT_EVERY} chunks: a checkpoint's rows wait in the JDBC driver's batch until it.
   */
  public BatchJob withJdbcOutput(JdbcOutput out) {
    return new BatchJob(
        model,
        input,
        inputFormat,
        null,
        null,
        null,
        keyColumn,
        chunkSize,
        parallelism,
        Math.min(checkpointEvery, TABLE_CHECKPOINT_EVERY),
        jdbcInput,
        out);
  }

  /** The input, for messages and checkpoints: an absolute file, or a table or query. */
  public String describeInput() {
    return jdbcInput != null ? jdbcInput.describe() : input.toAbsolutePath().normalize().toString();
  }

  /** The output, for messages: a file, or a table. */
  public String describeOutput() {
    return jdbcOutput != null ? jdbcOutput.describe() : output.toString();
  }

  /** The rejects, for messages: a file, or a table. */
  public String describeRejects() {
    return jdbcOutput != null
        ? Jdbc.redact(jdbcOutput.url()) + " table " + jdbcOutput.rejectsTable()
        : rejects.toString();
  }

  /** {@code out.csv} → {@code out.rejects.csv}. */
  public static Path defaultRejects(Path output, DataFormat format) {
    String n = output.getFileName().toString();
    int dot = n.lastIndexOf('.');
    String stem = dot > 0 ? n.substring(0, dot) : n;
    return output.resolveSibling(
        stem + ".rejects." + format.name().toLowerCase(java.util.Locale.ROOT));
  }

  public BatchJob withFormats(DataFormat in, DataFormat out) {
    return new BatchJob(
        model,
        input,
        in,
        output,
        out,
        rejects,
        keyColumn,
        chunkSize,
        parallelism,
        checkpointEvery,
        jdbcInput,
        jdbcOutput);
  }

  public BatchJob withRejects(Path file) {
    return new BatchJob(
        model,
        input,
        inputFormat,
        output,
        outputFormat,
        file,
        keyColumn,
        chunkSize,
        parallelism,
        checkpointEvery,
        jdbcInput,
        jdbcOutput);
  }

  public BatchJob withKey(String column) {
    return new BatchJob(
        model,
        input,
        inputFormat,
        output,
        outputFormat,
        rejects,
        column,
        chunkSize,
        parallelism,
        checkpointEvery,
        jdbcInput,
        jdbcOutput);
  }

  public BatchJob withChunking(int size, int parallel, int every) {
    return new BatchJob(
        model,
        input,
        inputFormat,
        output,
        outputFormat,
        rejects,
        keyColumn,
        size,
        parallel,
        every,
        jdbcInput,
        jdbcOutput);
  }

  /** The unfinished output. */
  public Path partOutput() {
    return sibling(output, ".part");
  }

  /** The unfinished rejects. */
  public Path partRejects() {
    return sibling(rejects, ".part");
  }

  public Path checkpointFile() {
    return sibling(output, ".checkpoint.json");
  }

  public Path summaryFile() {
    return sibling(output, ".summary.json");
  }

  private static Path sibling(Path p, String suffix) {
    return p.resolveSibling(p.getFileName() + suffix);
  }
}
