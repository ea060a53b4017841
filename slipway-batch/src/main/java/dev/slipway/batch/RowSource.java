package dev.slipway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads input rows one at a time, typing values as the online records API does: CSV cells as whole
 * numbers ({@code Long}), other numbers ({@code Double}), empty as null, anything else text; JSON
 * values as the records API reads them. A row that cannot be read but does not stop the file (a
 * JSON Lines line that is not an object) comes back as a {@link Row} with an error. Not
 * thread-safe.
 */
abstract class RowSource implements AutoCloseable {
  private static final Pattern WHOLE = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern DECIMAL =
      Pattern.compile("-?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One input row: a record, or the reason it could not be read. */
  record Row(Record record, InvalidInputException error) {}

  private final Counting in;

  RowSource(Counting in) {
    this.in = in;
  }

  /** A source that is not a byte stream: overrides {@link #bytesRead()} and {@link #total()}. */
  RowSource() {
    this.in = null;
  }

  /**
   * Opens a source.
   *
   * @throws InvalidInputException when the file is missing or cannot be read in this format
   */
  static RowSource open(Path file, DataFormat format) {
    if (format == DataFormat.PARQUET) {
      return ParquetRows.open(file);
    }
    if (!Files.isRegularFile(file)) {
      throw InvalidInputException.of(
          "input", file.toString(), "an existing " + describe(format) + " file");
    }
    Counting in;
    try {
      in = new Counting(Files.newInputStream(file));
    } catch (IOException e) {
      throw InvalidInputException.of(
          "input", file.toString(), "a readable file (" + e.getMessage() + ")");
    }
    try {
      return format == DataFormat.CSV ? new Csv(in, file) : new JsonLines(in, file);
    } catch (RuntimeException e) {
      try {
        in.close();
      } catch (IOException ignored) {
        // reporting the format error
      }
      throw e;
    }
  }

  static String describe(DataFormat f) {
    switch (f) {
      case CSV:
        return "CSV (with a header row)";
      case PARQUET:
        return "Parquet";
      default:
        return "JSON Lines (one object per line)";
    }
  }

  /** The column names of the header, or null when the format has none. */
  abstract List<String> columns();

  /** The next row, or null at the end. */
  abstract Row next();

  /** How much of the input is consumed: bytes for text files, rows for Parquet and tables. */
  long bytesRead() {
    return in.count;
  }

  /** The input's size in the unit of {@link #bytesRead()}, or 0 when unknown. */
  abstract long total();

  @Override
  public void close() throws IOException {
    in.close();
  }

  static Object csvValue(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (WHOLE.matcher(text).matches()) {
      return Long.parseLong(text);
    }
    if (DECIMAL.matcher(text).matches()) {
      return Double.parseDouble(text);
    }
    return text;
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static final class Csv extends RowSource {
    private final MappingIterator<Map<String, String>> rows;
    private final List<String> columns = new ArrayList<>();
    private final Path file;
    private long line = 1;

    Csv(Counting in, Path file) {
      super(in);
      this.file = file;
      try {
        rows =
            new CsvMapper()
                .readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(new InputStreamReader(in, StandardCharsets.UTF_8));
        rows.hasNext(); // reads the header
        CsvSchema schema = (CsvSchema) rows.getParserSchema();
        if (schema == null || schema.size() == 0) {
          throw new IOException("no header row");
        }
        for (CsvSchema.Column c : schema) {
          columns.add(c.getName().trim());
        }
      } catch (IOException | RuntimeException e) {
        throw unreadable(file, DataFormat.CSV, e);
      }
    }

    @Override
    List<String> columns() {
      return columns;
    }

    @Override
    long total() {
      return sizeOf(file);
    }

    @Override
    Row next() {
      try {
        if (!rows.hasNext()) {
          return null;
        }
        line++;
        Map<String, Object> values = new LinkedHashMap<>();
        rows.next().forEach((k, v) -> values.put(k.trim(), csvValue(v)));
        return new Row(Record.of(values), null);
      } catch (RuntimeException e) {
        throw InvalidInputException.of(
            "input",
            file + " line " + line,
            "CSV (" + firstLine(e.getMessage()) + "); the output so far is left unfinished");
      }
    }
  }

  private static final class JsonLines extends RowSource {
    private final BufferedReader lines;
    private final Path file;
    private boolean first = true;

    JsonLines(Counting in, Path file) {
      super(in);
      this.file = file;
      this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    @Override
    List<String> columns() {
      return null;
    }

    @Override
    long total() {
      return sizeOf(file);
    }

    @Override
    Row next() {
      String text;
      try {
        do {
          text = lines.readLine();
        } while (text != null && text.isBlank());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (text == null) {
        return null;
      }
      JsonNode row;
      try {
        row = JSON.readTree(text);
      } catch (IOException e) {
        if (first) {
          throw unreadable(file, DataFormat.JSONL, e);
        }
        return new Row(
            null,
            InvalidInputException.of(
                "records[0]",
                text,
                "an object of feature values (" + firstLine(e.getMessage()) + ")"));
      }
      first = false;
      if (!row.isObject()) {
        return new Row(
            null, InvalidInputException.of("records[0]", text, "an object of feature values"));
      }
      try {
        return new Row(jsonRecord(row), null);
      } catch (InvalidInputException e) {
        return new Row(null, e);
      }
    }
  }

  /**
   * A JSON object's fields as a record: whole numbers as Long (BigInteger past 64 bits), other
   * numbers as Double, strings, booleans and nulls as themselves.
   *
   * @throws InvalidInputException naming the field whose value is an array or an object
   */
  static Record jsonRecord(JsonNode row) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : row.properties()) {
      JsonNode v = e.getValue();
      Object value;
      if (v.isNull()) {
        value = null;
      } else if (v.isIntegralNumber()) {
        value = v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
      } else if (v.isNumber()) {
        value = v.doubleValue();
      } else if (v.isTextual()) {
        value = v.asText();
      } else if (v.isBoolean()) {
        value = v.booleanValue();
      } else {
        throw InvalidInputException.of(
            "records[0]." + e.getKey(), v.toString(), "a number, string, boolean or null");
      }
      values.put(e.getKey(), value);
    }
    return Record.of(values);
  }

  static InvalidInputException unreadable(Path file, DataFormat f, Exception e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
    return InvalidInputException.of("input", file.toString(), describe(f) + " (" + why + ")");
  }

  static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Counts the bytes read, for progress. */
  static final class Counting extends FilterInputStream {
    volatile long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
