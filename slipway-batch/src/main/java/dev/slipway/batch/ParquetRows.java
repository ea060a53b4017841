package dev.slipway.batch;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.ParquetReader;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file, or a directory of {@code .parquet} parts in name order (what the Parquet
 * sink writes), one row at a time through parquet-floor (no Hadoop). Typed columns become the
 * values the records API reads: int32/int64 → {@code Long}, float/double → {@code Double}, strings
 * and binary → {@code String} (UTF-8), booleans → {@code Boolean}, nulls stay null. Progress is
 * counted in rows. Not thread-safe.
 */
final class ParquetRows extends RowSource {
  private final Path input;
  private final List<Path> files;
  private final List<String> columns;
  private final long total;
  private int fileNo = -1;
  private ParquetReader<Map<String, Object>, Map<String, Object>, String[]> reader;
  private Map<String, Object> current;
  private long rows;

  private ParquetRows(Path input, List<Path> files, List<String> columns, long total) {
    this.input = input;
    this.files = files;
    this.columns = columns;
    this.total = total;
  }

  /**
   * @throws InvalidInputException when the path is missing, not Parquet, or has nested columns
   */
  static ParquetRows open(Path input) {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(input)) {
      try (Stream<Path> s = Files.list(input)) {
        s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
            .filter(p -> !p.getFileName().toString().startsWith("."))
            .sorted()
            .forEach(files::add);
      } catch (IOException e) {
        throw InvalidInputException.of(
            "input", input.toString(), "a readable directory (" + e.getMessage() + ")");
      }
    } else if (Files.isRegularFile(input)) {
      files.add(input);
    }
    if (files.isEmpty()) {
      throw InvalidInputException.of(
          "input", input.toString(), "an existing Parquet file or a directory of .parquet files");
    }
    List<String> columns = null;
    long total = 0;
    for (Path f : files) {
      ParquetMetadata meta;
      try {
        meta = ParquetReader.readMetadata(f.toFile());
      } catch (IOException | RuntimeException e) {
        throw unreadable(f, DataFormat.PARQUET, e);
      }
      MessageType schema = meta.getFileMetaData().getSchema();
      List<String> names = new ArrayList<>();
      for (Type t : schema.getFields()) {
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
          throw InvalidInputException.of(
              "input", f + " column " + t.getName(), "flat Parquet columns (not nested or lists)");
        }
        names.add(t.getName());
      }
      if (columns == null) {
        columns = List.copyOf(names);
      } else if (!columns.equals(names)) {
        throw InvalidInputException.of(
            "input", f.toString(), "the same columns as the other parts " + columns);
      }
      for (BlockMetaData b : meta.getBlocks()) {
        total += b.getRowCount();
      }
    }
    return new ParquetRows(input, List.copyOf(files), columns, total);
  }

  @Override
  List<String> columns() {
    return columns;
  }

  @Override
  Row next() {
    while (true) {
      if (reader == null) {
        if (fileNo + 1 >= files.size()) {
          return null;
        }
        fileNo++;
        try {
          reader = ParquetReader.spliterator(files.get(fileNo).toFile(), new Rows(columns));
        } catch (IOException | RuntimeException e) {
          throw unreadable(files.get(fileNo), DataFormat.PARQUET, e);
        }
      }
      current = null;
      boolean got;
      try {
        got = reader.tryAdvance(r -> current = r);
      } catch (RuntimeException e) {
        throw InvalidInputException.of(
            "input",
            files.get(fileNo) + " row " + (rows + 1),
            "Parquet (" + firstLine(e.getMessage()) + "); the output so far is left unfinished");
      }
      if (got) {
        rows++;
        return new Row(Record.of(current), null);
      }
      closeReader();
    }
  }

  @Override
  long bytesRead() {
    return rows;
  }

  @Override
  long total() {
    return total;
  }

  @Override
  public void close() throws IOException {
    closeReader();
  }

  private void closeReader() {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException e) {
        // read to the end already
      }
      reader = null;
    }
  }

  @Override
  public String toString() {
    return input.toString();
  }

  /** Builds one row: every column present (null when the file holds none). */
  private static final class Rows
      implements Hydrator<Map<String, Object>, Map<String, Object>, String[]> {
    private final List<String> columns;

    Rows(List<String> columns) {
      this.columns = columns;
    }

    @Override
    public Map<String, Object> start() {
      Map<String, Object> m = new LinkedHashMap<>();
      for (String c : columns) {
        m.put(c, null);
      }
      return m;
    }

    @Override
    public Map<String, Object> add(Map<String, Object> row, String[] heading, Object value) {
      row.put(heading[0], value(value));
      return row;
    }

    @Override
    public Map<String, Object> finish(Map<String, Object> row) {
      return row;
    }
  }

  static Object value(Object v) {
    if (v == null || v instanceof Long || v instanceof Double || v instanceof String) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float) {
      return Double.parseDouble(v.toString()); // 0.1f reads as 0.1, not 0.10000000149
    }
    if (v instanceof Boolean) {
      return v;
    }
    if (v instanceof Binary) {
      return ((Binary) v).toStringUsingUTF8();
    }
    if (v instanceof byte[]) {
      return new String((byte[]) v, StandardCharsets.UTF_8);
    }
    return v.toString();
  }
}
