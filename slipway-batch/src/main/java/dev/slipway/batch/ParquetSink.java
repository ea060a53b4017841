package dev.slipway.batch;

import blue.strategic.parquet.ParquetWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Parquet, which cannot be appended to, written as a directory of parts: {@code
 * <output>.part/part-00000.parquet}, … Each checkpoint closes the part being written (Parquet's
 * footer), forces it to disk and renames it from {@code .tmp} to its name, then the checkpoint
 * records how many parts are complete; a resumed job deletes any later part and {@code .tmp}. The
 * finished job renames the directory to {@code <output>}: a directory of parts, as Spark writes
 * them and as DuckDB, Spark, pandas and the Parquet source read them.
 *
 * <p>Columns are typed from the first row (see {@link ColumnType}); every column is optional
 * (nullable); timestamps are int64 microseconds, UTC. Not thread-safe.
 */
final class ParquetSink implements RowSink {
  private final Path dir;
  private final Path target;
  private int parts;
  private List<String> columns;
  private List<ColumnType> types;
  private MessageType schema;
  private ParquetWriter<Object[]> writer;
  private Path writing;

  /**
   * @param resume the state at the checkpoint, or null to start empty
   */
  ParquetSink(Path dir, Path target, SinkState resume) throws IOException {
    this.dir = dir;
    this.target = target;
    if (resume == null) {
      deleteTree(dir);
    }
    Files.createDirectories(dir);
    parts = resume == null ? 0 : (int) resume.at();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        // parts renamed after the last checkpoint, and parts never finished
        if (n.endsWith(".tmp") || partNumber(n) >= parts) {
          Files.delete(p);
        }
      }
    }
    if (resume != null && resume.columns() != null) {
      columns = resume.columns();
      types = new ArrayList<>();
      for (String t : resume.types()) {
        types.add(ColumnType.valueOf(t));
      }
      schema = schema(columns, types);
    }
  }

  private static int partNumber(String name) {
    if (name.startsWith("part-") && name.endsWith(".parquet")) {
      try {
        return Integer.parseInt(name.substring(5, name.length() - ".parquet".length()));
      } catch (NumberFormatException e) {
        return Integer.MAX_VALUE;
      }
    }
    return Integer.MAX_VALUE;
  }

  @Override
  public void write(Map<String, Object> row) throws IOException {
    Map<String, Object> flat = RowSink.flatten(row);
    if (columns == null) {
      columns = List.copyOf(flat.keySet());
      types = new ArrayList<>();
      for (String t : ColumnType.of(flat)) {
        types.add(ColumnType.valueOf(t));
      }
      schema = schema(columns, types);
    } else if (!columns.equals(new ArrayList<>(flat.keySet()))) {
      throw new IllegalStateException(
          "a row has columns " + flat.keySet() + " after " + columns + "; cannot write one schema");
    }
    Object[] values = new Object[columns.size()];
    int i = 0;
    for (Object v : flat.values()) {
      Object c = types.get(i).convert(columns.get(i), v);
      values[i] = c instanceof Instant ? micros((Instant) c) : c;
      i++;
    }
    if (writer == null) {
      writing = dir.resolve(partName(parts) + ".tmp");
      Files.deleteIfExists(writing);
      List<String> names = columns;
      writer =
          ParquetWriter.writeFile(
              schema,
              writing.toFile(),
              (Object[] r, blue.strategic.parquet.ValueWriter w) -> {
                for (int j = 0; j < r.length; j++) {
                  if (r[j] != null) {
                    w.write(names.get(j), r[j]);
                  }
                }
              });
    }
    writer.write(values);
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  private static String partName(int n) {
    return String.format(Locale.ROOT, "part-%05d.parquet", n);
  }

  @Override
  public SinkState prepare() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
      try (FileChannel ch = FileChannel.open(writing, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(writing, dir.resolve(partName(parts)), StandardCopyOption.ATOMIC_MOVE);
      parts++;
    }
    List<String> t = null;
    if (types != null) {
      t = new ArrayList<>();
      for (ColumnType c : types) {
        t.add(c.name());
      }
    }
    return new SinkState(parts, columns, t);
  }

  @Override
  public void publish() throws IOException {
    prepare();
    deleteTree(target); // a former job's rejects; an output that exists stops a job at its start
    Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    if (writer != null) {
      try {
        writer.close(); // a .tmp part: deleted on resume
      } catch (IOException | RuntimeException ignored) {
        // closing after a failure
      }
      writer = null;
    }
  }

  private static MessageType schema(List<String> columns, List<ColumnType> types) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (int i = 0; i < columns.size(); i++) {
      String n = columns.get(i);
      switch (types.get(i)) {
        case INT32:
          b.optional(PrimitiveTypeName.INT32).named(n);
          break;
        case INT64:
          b.optional(PrimitiveTypeName.INT64).named(n);
          break;
        case FLOAT:
          b.optional(PrimitiveTypeName.FLOAT).named(n);
          break;
        case DOUBLE:
          b.optional(PrimitiveTypeName.DOUBLE).named(n);
          break;
        case BOOLEAN:
          b.optional(PrimitiveTypeName.BOOLEAN).named(n);
          break;
        case TIMESTAMP:
          b.optional(PrimitiveTypeName.INT64)
              .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
              .named(n);
          break;
        default:
          b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(n);
          break;
      }
    }
    return b.named("row");
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(q);
      }
    }
  }
}
