package dev.slipway.batch;

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
  private final Path part;
  private final Path target;
  private final DataFormat format;
  private final FileChannel ch;
  private final OutputStream out;
  private final CsvLines csvLines = new CsvLines();
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
      out.write(JsonLine.of(o));
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
    SinkState s = flush();
    force();
    return s;
  }

  /**
   * Hands every row written so far to the file system and returns the state a checkpoint keeps;
   * {@link #force} then makes them durable. The engine forces on another thread while it goes on
   * writing: bytes past the state's length are cut off by a resume, so they need not be durable.
   */
  SinkState flush() throws IOException {
    out.flush();
    return new SinkState(ch.position(), columns, null);
  }

  /** Makes every byte handed over by {@link #flush} durable. Safe while another thread writes. */
  void force() throws IOException {
    ch.force(false);
  }

  /**
   * Rows as this sink writes them, made on any thread (Jackson's writers are thread-safe): {@code
   * columns} are the first row's (flattened for CSV), and every row of a CSV chunk must have the
   * same. The text is the first {@code length} bytes of {@code bytes} (a formatter's buffer, handed
   * over rather than copied). Written by {@link #write(Encoded)} on the writing thread.
   */
  record Encoded(List<String> columns, byte[] bytes, int length, int rows) {
    static final Encoded NONE = new Encoded(null, new byte[0], 0, 0);

    Encoded(List<String> columns, byte[] bytes, int rows) {
      this(columns, bytes, bytes.length, rows);
    }

    /** The CSV lines of a formatter, which is not to be used after. */
    static Encoded of(List<String> columns, CsvText text, int rows) {
      return new Encoded(columns, text.handOver(), text.length(), rows);
    }
  }

  /**
   * Formats rows exactly as {@link #write(Map)} would write them, without touching the sink.
   *
   * @throws IllegalStateException when a CSV row's columns differ from the first row's
   */
  static Encoded encode(DataFormat format, List<Map<String, Object>> rows) throws IOException {
    if (rows.isEmpty()) {
      return Encoded.NONE;
    }
    if (format == DataFormat.JSONL) {
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(rows.size() * 128);
      List<String> first = null;
      for (Map<String, Object> row : rows) {
        Map<String, Object> o = new LinkedHashMap<>(row);
        o.replaceAll((k, v) -> v instanceof Instant ? v.toString() : v);
        b.write(JsonLine.of(o));
        b.write('\n');
        if (first == null) {
          first = List.copyOf(o.keySet());
        }
      }
      return new Encoded(first, b.toByteArray(), rows.size());
    }
    CsvText text = new CsvText(rows.size() * 64);
    List<String> first = null;
    List<Object> values = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      Map<String, Object> flat = RowSink.flatten(row);
      List<String> cols = new ArrayList<>(flat.keySet());
      if (first == null) {
        first = List.copyOf(cols);
      } else if (!first.equals(cols)) {
        throw new IllegalStateException(
            "a row has columns " + cols + " after " + first + "; cannot write one CSV");
      }
      values.clear();
      for (Object v : flat.values()) {
        values.add(v instanceof Instant ? v.toString() : v);
      }
      text.line(values);
    }
    return Encoded.of(first, text, rows.size());
  }

  /**
   * Appends rows made by {@link #encode} (or by the engine's own CSV writer) for this sink's
   * format.
   *
   * @throws IllegalStateException when CSV rows have other columns than the rows before them
   */
  void write(Encoded rows) throws IOException {
    if (rows.rows() == 0) {
      return;
    }
    if (format == DataFormat.CSV) {
      if (columns == null) {
        columns = List.copyOf(rows.columns());
        out.write(csvLine(new ArrayList<>(columns)));
      } else if (!columns.equals(rows.columns())) {
        throw new IllegalStateException(
            "a row has columns " + rows.columns() + " after " + columns + "; cannot write one CSV");
      }
    } else if (columns == null) {
      columns = rows.columns();
    }
    out.write(rows.bytes(), 0, rows.length());
  }

  DataFormat format() {
    return format;
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
    return csvLines.line(values);
  }
}
