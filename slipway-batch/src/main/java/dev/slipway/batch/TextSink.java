package dev.slipway.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV or JSON Lines written to {@code <file>.part}: a checkpoint records its length after forcing
 * it to disk, and a resumed job cuts the file back to that length. CSV has a header row (the first
 * row's columns, or the fixed header given) and list values spread over columns; JSON Lines keeps
 * lists as arrays. Timestamps are ISO-8601 text. Not thread-safe.
 */
final class TextSink implements RowSink {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CsvMapper CSV = new CsvMapper();

  private final Path part;
  private final Path target;
  private final DataFormat format;
  private final FileChannel ch;
  private final OutputStream out;
  private final Map<Integer, ObjectWriter> csvWriters = new LinkedHashMap<>();
  private List<String> columns;

  /**
   * @param fixedHeader the CSV header to write at the start even when no row comes (rejects), or
   *     null to take it from the first row
   * @param resume the state at the checkpoint, or null to start empty
   */
  TextSink(Path part, Path target, DataFormat format, List<String> fixedHeader, SinkState resume)
      throws IOException {
    this.part = part;
    this.target = target;
    this.format = format;
    ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    // bytes after the checkpoint are from chunks that were never committed
    ch.truncate(resume == null ? 0 : resume.at());
    ch.position(ch.size());
    out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
    columns = resume == null ? null : resume.columns();
    if (ch.size() == 0 && fixedHeader != null) {
      columns = List.copyOf(fixedHeader);
      if (format == DataFormat.CSV) {
        out.write(csvLine(new ArrayList<>(columns)));
      }
    }
  }

  @Override
  public void write(Map<String, Object> row) throws IOException {
    if (format == DataFormat.JSONL) {
      Map<String, Object> o = new LinkedHashMap<>(row);
      o.replaceAll((k, v) -> v instanceof Instant ? v.toString() : v);
      out.write(JSON.writeValueAsBytes(o));
      out.write('\n');
      if (columns == null) {
        columns = List.copyOf(o.keySet());
      }
      return;
    }
    Map<String, Object> flat = RowSink.flatten(row);
    List<String> cols = new ArrayList<>(flat.keySet());
    List<Object> values = new ArrayList<>(flat.size());
    for (Object v : flat.values()) {
      values.add(v instanceof Instant ? v.toString() : v);
    }
    if (columns == null) {
      columns = List.copyOf(cols);
      out.write(csvLine(new ArrayList<>(columns)));
    } else if (!columns.equals(cols)) {
      throw new IllegalStateException(
          "a row has columns " + cols + " after " + columns + "; cannot write one CSV");
    }
    out.write(csvLine(values));
  }

  @Override
  public SinkState prepare() throws IOException {
    out.flush();
    ch.force(false);
    return new SinkState(ch.position(), columns, null);
  }

  @Override
  public void publish() throws IOException {
    out.close();
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException ignored) {
      // closing after a failure: the checkpoint decides what counts
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // as above
    }
  }

  private byte[] csvLine(List<?> values) throws IOException {
    return csvWriters
        .computeIfAbsent(
            values.size(),
            n -> {
              CsvSchema.Builder b = CsvSchema.builder();
              for (int i = 0; i < n; i++) {
                b.addColumn("c" + i);
              }
              return CSV.writer(b.build().withoutHeader());
            })
        .writeValueAsBytes(values);
  }
}
