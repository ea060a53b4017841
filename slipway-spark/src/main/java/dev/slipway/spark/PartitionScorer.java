package dev.slipway.spark;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Prediction;
import dev.slipway.api.Record;
import dev.slipway.api.SlipwayException;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Scores one partition of (line, index) pairs: reads each line as the engine does, scores chunks of
 * {@link PartitionSettings#chunkSize()} rows through the executor's {@link Pipeline} (a chunk the
 * pipeline refuses for bad input is scored again row by row, as the engine does, so each bad row
 * gets exactly the records API's verdict for it alone), and writes {@code part-NNNNN} files into
 * the output and rejects directories. Returns one {@link Result}.
 *
 * <p>A part file is written under a temporary name and renamed when the partition is done, so a
 * retried or speculative task replaces it whole: each row is in exactly one part file. Thread-safe
 * (holds no state between calls).
 */
final class PartitionScorer
    implements Function2<
        Integer, Iterator<Tuple2<String, Long>>, Iterator<PartitionScorer.Result>> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<byte[]> models;
  private final String name;
  private final int version;
  private final String key;
  private final PartitionSettings settings;

  /**
   * @param models the {@link JobModels#toBytes() serialized} models
   * @param pinned those models (their primary's version and their key are kept; the bytes are not)
   */
  PartitionScorer(Broadcast<byte[]> models, JobModels pinned, PartitionSettings settings) {
    this.models = models;
    this.name = pinned.primary().name();
    this.version = pinned.primary().version();
    this.key = pinned.key();
    this.settings = settings;
  }

  /**
   * What a partition did: its counts, or the Slipway error that stopped it (a line that cannot be
   * read, a model that cannot be loaded), carried back as a value because Spark reports a task's
   * exception to the driver only as text. A plain class of longs and bytes (the error in Java
   * serialization), so that any {@code spark.serializer} carries it: Kryo 4 cannot build records.
   */
  static final class Result implements Serializable {
    private static final long serialVersionUID = 1L;
    private long rows;
    private long scored;
    private long rejected;
    private byte[] error;

    Result(long rows, long scored, long rejected, SlipwayException error) {
      this.rows = rows;
      this.scored = scored;
      this.rejected = rejected;
      this.error = error == null ? null : serialize(error);
    }

    long rows() {
      return rows;
    }

    long scored() {
      return scored;
    }

    long rejected() {
      return rejected;
    }

    /** The error that stopped the partition, or null. */
    SlipwayException error() {
      if (error == null) {
        return null;
      }
      try (java.io.ObjectInputStream in =
          new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(error))) {
        return (SlipwayException) in.readObject();
      } catch (IOException | ClassNotFoundException e) {
        throw new IllegalStateException("cannot read a partition's error", e);
      }
    }

    private static byte[] serialize(SlipwayException e) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(e);
      } catch (IOException io) {
        throw new java.io.UncheckedIOException(io);
      }
      return bytes.toByteArray();
    }
  }

  @Override
  public Iterator<Result> call(Integer partition, Iterator<Tuple2<String, Long>> lines)
      throws IOException {
    Pipeline pipeline;
    try {
      pipeline =
          ExecutorModels.pipeline(key, () -> JobModels.fromBytes(models.value()), settings.guard());
    } catch (SlipwayException e) {
      return List.of(new Result(0, 0, 0, e)).iterator();
    }
    String part = settings.partName(partition);
    TaskContext task = TaskContext.get();
    String attempt = "." + part + "." + (task == null ? 0 : task.taskAttemptId()) + ".tmp";
    Path outDir = Path.of(settings.outputDir());
    Path rejDir = Path.of(settings.rejectsDir());
    Files.createDirectories(outDir);
    Files.createDirectories(rejDir);
    Path outTmp = outDir.resolve(attempt);
    Path rejTmp = rejDir.resolve(attempt);
    InputRows reader = new InputRows(settings.input(), settings.inputFormat(), settings.header());
    OutputRows writer = new OutputRows(settings.outputFormat(), settings.keyColumn(), version);
    long rows = 0;
    long scored = 0;
    long rejected = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(outTmp), 1 << 16);
        OutputStream rej = new BufferedOutputStream(Files.newOutputStream(rejTmp), 1 << 16)) {
      writer.rejectsHeader(rej);
      List<InputRows.Row> chunk = new ArrayList<>(settings.chunkSize());
      while (lines.hasNext()) {
        Tuple2<String, Long> line = lines.next();
        chunk.add(reader.read(line._1(), rowNo(line._2())));
        if (chunk.size() == settings.chunkSize() || !lines.hasNext()) {
          long[] counts = score(pipeline, chunk, writer, out, rej);
          rows += chunk.size();
          scored += counts[0];
          rejected += counts[1];
          chunk.clear();
        }
      }
    } catch (SlipwayException e) {
      Files.deleteIfExists(outTmp);
      Files.deleteIfExists(rejTmp);
      return List.of(new Result(rows, scored, rejected, e)).iterator();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(outTmp);
      Files.deleteIfExists(rejTmp);
      throw e;
    }
    Files.move(outTmp, outDir.resolve(part), StandardCopyOption.REPLACE_EXISTING);
    Files.move(rejTmp, rejDir.resolve(part), StandardCopyOption.REPLACE_EXISTING);
    return List.of(new Result(rows, scored, rejected, null)).iterator();
  }

  /**
   * The row number from 1 of a line's index: a CSV's index 0 is its header; a JSON Lines index
   * counts non-blank lines from 0.
   */
  private long rowNo(long index) {
    return settings.header() != null ? index : index + 1;
  }

  /** Scores and writes one chunk, as the engine does; returns {scored, rejected}. */
  private long[] score(
      Pipeline pipeline,
      List<InputRows.Row> chunk,
      OutputRows writer,
      OutputStream out,
      OutputStream rej)
      throws IOException {
    int n = chunk.size();
    Object[] verdicts = new Object[n]; // a Prediction or an InvalidInputException
    List<Integer> idx = new ArrayList<>(n);
    List<Record> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      InputRows.Row r = chunk.get(i);
      if (r.error() != null) {
        verdicts[i] = r.error();
      } else {
        idx.add(i);
        records.add(r.record());
      }
    }
    String at = settings.clock().instant().toString();
    if (!records.isEmpty()) {
      try {
        List<Prediction> p = predict(pipeline, records);
        for (int j = 0; j < idx.size(); j++) {
          verdicts[idx.get(j)] = p.get(j);
        }
      } catch (InvalidInputException e) {
        for (int j = 0; j < idx.size(); j++) {
          try {
            verdicts[idx.get(j)] = predict(pipeline, List.of(records.get(j))).get(0);
          } catch (InvalidInputException rowError) {
            verdicts[idx.get(j)] = rowError;
          }
        }
      }
    }
    long scored = 0;
    long rejected = 0;
    for (int i = 0; i < n; i++) {
      InputRows.Row row = chunk.get(i);
      Object key = key(row);
      if (verdicts[i] instanceof Prediction p) {
        writer.scored(out, key, p, at);
        scored++;
      } else {
        writer.rejected(rej, key, row.rowNo(), (InvalidInputException) verdicts[i]);
        rejected++;
      }
    }
    return new long[] {scored, rejected};
  }

  private Object key(InputRows.Row row) {
    if (settings.keyColumn() == null) {
      return row.rowNo();
    }
    return row.record() == null ? null : row.record().get(settings.keyColumn());
  }

  /** The predictions; for a guarded model each also says which link answered it. */
  private List<Prediction> predict(Pipeline pipeline, List<Record> records) {
    InferenceResult r = pipeline.run(InferenceRequest.ofRecords(name, version, records));
    List<Prediction> out = r.predictions();
    if (r.servedBy() == null) {
      return out;
    }
    List<Prediction> withLink = new ArrayList<>(out.size());
    for (int i = 0; i < out.size(); i++) {
      Map<String, Object> values = new LinkedHashMap<>(out.get(i).values());
      values.put("served_by", r.servedBy().get(i));
      withLink.add(new Prediction(values));
    }
    return withLink;
  }
}
