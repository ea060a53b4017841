package dev.slipway.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.ConflictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Files: the output and rejects are written under {@code .part} names, the checkpoint is {@code
 * <output>.checkpoint.json} and the summary {@code <output>.summary.json}. The output's final name
 * is the mark of a finished job: it is renamed last. Not thread-safe.
 */
final class FileTarget implements Target {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> REJECT_COLUMNS = List.of("key", "row", "field", "reason");

  private final BatchJob job;
  private RowSink output;
  private RowSink rejects;

  FileTarget(BatchJob job) {
    this.job = job;
  }

  @Override
  public Checkpoint checkpoint() {
    if (Files.exists(job.output())) {
      throw new ConflictException(
          "output "
              + job.output()
              + " exists: it is a finished job's; remove it (and its .summary.json) or choose"
              + " another output");
    }
    Path cp = job.checkpointFile();
    return Files.exists(cp) ? Checkpoint.read(cp) : null;
  }

  @Override
  public void open(Checkpoint resume) throws IOException {
    if (resume == null) {
      Files.deleteIfExists(job.summaryFile());
    }
    output = sink(job.partOutput(), job.output(), job.outputFormat(), null, resume, true);
    rejects =
        sink(job.partRejects(), job.rejects(), rejectsFormat(), REJECT_COLUMNS, resume, false);
  }

  /** The rejects' format: from their file's extension, else the output's. */
  DataFormat rejectsFormat() {
    try {
      return DataFormat.of(job.rejects(), "rejects");
    } catch (RuntimeException notAKnownExtension) {
      return job.outputFormat();
    }
  }

  private static RowSink sink(
      Path part, Path target, DataFormat f, List<String> header, Checkpoint cp, boolean out)
      throws IOException {
    SinkState s = cp == null ? null : (out ? cp.output() : cp.rejects());
    if (f == DataFormat.PARQUET) {
      return new ParquetSink(part, target, s);
    }
    return new TextSink(part, target, f, header, s);
  }

  @Override
  public RowSink output() {
    return output;
  }

  @Override
  public RowSink rejects() {
    return rejects;
  }

  @Override
  public void commit(Checkpoint cp) throws IOException {
    cp.write(job.checkpointFile());
  }

  @Override
  public void finish(BatchSummary summary) throws IOException {
    Path tmp = job.summaryFile().resolveSibling(job.summaryFile().getFileName() + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(summary));
    Files.move(tmp, job.summaryFile(), StandardCopyOption.REPLACE_EXISTING);
    rejects.publish();
    output.publish(); // the mark of a finished job: last
    Files.deleteIfExists(job.checkpointFile());
  }

  @Override
  public String describe() {
    return job.output().toString();
  }

  @Override
  public void close() {
    if (output != null) {
      output.close();
    }
    if (rejects != null) {
      rejects.close();
    }
  }
}
