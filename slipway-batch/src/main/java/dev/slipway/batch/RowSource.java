package dev.slipway.batch;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads input rows one at a time, typing values as the online records API does: CSV cells as whole
 * numbers ({@code Long}), other numbers ({@code Double}), empty as null, anything else text; JSON
 * values as the records API reads them. A row that cannot be read but does not stop the file (a
 * JSON Lines line that is not an object) comes back as a {@link Row} with an error. Not
 * thread-safe.
 */
abstract class RowSource implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One input row: a record, or the reason it could not be read. A CSV row keeps its cells as text
   * and types them when {@link #record()} is first asked, so that the typing runs on the thread
   * that scores the row, not on the one thread reading. Safe to hand to another thread through an
   * executor (which orders the memory); not for concurrent use.
   */
  static final class Row {
    private Map<String, String> cells;
    // a CSV row read straight from the parser: its cells (text, typed in place) under the header's
    // first names
    private Record.Layout layout;
    private Object[] texts;
    private boolean distinctNames;
    private Record record;
    private final InvalidInputException error;

    Row(Record record, InvalidInputException error) {
      this.record = record;
      this.error = error;
    }

    /**
     * @param distinctNames whether the header's names stay distinct once trimmed (else trimming
     *     merges columns, and the map below decides which value is kept, as it always has)
     */
    private Row(Map<String, String> cells, boolean distinctNames) {
      this.cells = cells;
      this.distinctNames = distinctNames;
      this.error = null;
    }

    /**
     * A row of distinct names: the first {@code texts.length} trimmed names of the header (shared
     * by the rows) and their cells' text, handed over.
     */
    private Row(Record.Layout layout, Object[] texts) {
      this.layout = layout;
      this.texts = texts;
      this.error = null;
    }

    /** The row's values, or null when it could not be read. */
    Record record() {
      if (record == null && texts != null) {
        Object[] values = texts;
        for (int i = 0; i < values.length; i++) {
          values[i] = csvValue((String) values[i]);
        }
        record = layout.record(values);
        texts = null;
      } else if (record == null && cells != null) {
        if (distinctNames) {
          int n = cells.size();
          String[] names = new String[n];
          Object[] values = new Object[n];
          int i = 0;
          for (Map.Entry<String, String> e : cells.entrySet()) {
            names[i] = e.getKey().trim();
            values[i] = csvValue(e.getValue());
            i++;
          }
          record = Record.of(names, values);
        } else {
          Map<String, Object> values = new LinkedHashMap<>();
          cells.forEach((k, v) -> values.put(k.trim(), csvValue(v)));
          record = Record.of(values);
        }
        cells = null;
      }
      return record;
    }

    /** Why the row could not be read, or null. */
    InvalidInputException error() {
      return error;
    }
  }

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

  /**
   * A CSV cell typed: a whole number of up to 18 digits ({@code -?[0-9]{1,18}}) as Long, another
   * number ({@code -?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?}) as Double, empty as null,
   * else the text. Matched by hand rather than by those patterns (it runs on every cell); {@code
   * RowSourceTypingTest} checks it against them.
   */
  static Object csvValue(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    int n = text.length();
    boolean negative = text.charAt(0) == '-';
    int i = negative ? 1 : 0;
    int start = i;
    long m = 0; // the digits read, while there are at most 18 of them
    while (i < n && digit(text.charAt(i))) {
      m = m * 10 + (text.charAt(i) - '0');
      i++;
    }
    int whole = i - start;
    if (i == n) {
      if (whole == 0) {
        return text;
      }
      return whole <= 18 ? (Object) (negative ? -m : m) : (Object) Double.parseDouble(text);
    }
    int fraction = 0;
    if (text.charAt(i) == '.') {
      i++;
      int f = i;
      while (i < n && digit(text.charAt(i))) {
        if (whole + i - f < 18) {
          m = m * 10 + (text.charAt(i) - '0');
        }
        i++;
      }
      fraction = i - f;
    }
    if (whole == 0 && fraction == 0) {
      return text;
    }
    if (i == n) {
      // a plain decimal: digits and a power of ten both exact in a double make one correctly
      // rounded division, the value Double.parseDouble gives
      if (whole + fraction <= 18 && m <= EXACT_LONG && fraction < POWERS_OF_TEN.length) {
        double d = m / POWERS_OF_TEN[fraction];
        return negative ? -d : d;
      }
      return Double.parseDouble(text);
    }
    char c = text.charAt(i);
    if (c != 'e' && c != 'E') {
      return text;
    }
    i++;
    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int e = i;
    while (i < n && digit(text.charAt(i))) {
      i++;
    }
    if (i == e || i != n) {
      return text;
    }
    return Double.parseDouble(text);
  }

  /** The largest whole number below which every whole number is exact as a double. */
  private static final long EXACT_LONG = 1L << 53;

  /** Powers of ten exact as doubles. */
  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static final com.fasterxml.jackson.dataformat.csv.CsvFactory CSV_FACTORY =
      new CsvMapper().getFactory();

  /**
   * The error of a CSV row that cannot be parsed: the job stops there, its output unfinished.
   *
   * @param line the row's line as the reader counts it: the header is line 1, the first row line 2
   *     (a row holding line feeds inside quotes counts as one line)
   */
  static InvalidInputException rowError(Path file, long line, String why) {
    return InvalidInputException.of(
        "input", file + " line " + line, "CSV (" + why + "); the output so far is left unfinished");
  }

  /**
   * A row of a {@link #csvPiece piece} that cannot be parsed, at {@code line} counted from the
   * piece's header (its first row is line 2): the caller, who knows where the piece starts, makes
   * the error of it with {@link #error}.
   */
  static final class PieceFailure extends RuntimeException {
    private final long line;
    private final String why;

    PieceFailure(long line, String why) {
      super(why, null, false, false);
      this.line = line;
      this.why = why;
    }

    /**
     * The error the serial reader gives for this row, the piece's first row being row {@code
     * first}.
     */
    InvalidInputException error(Path file, long first) {
      return rowError(file, line + first, why);
    }
  }

  /**
   * A CSV file's header line as the pieces of the file are parsed with it ({@link #csvPiece}): read
   * once for all of them, the parser of each piece given its columns rather than reading the line
   * again. Immutable.
   */
  static final class CsvHead {
    private final CsvSchema schema; // the header's columns, without a header line to read
    private final String[] header;
    private final List<String> columns;
    private final boolean distinctNames;
    private final Record.Layout trimmed;

    private CsvHead(Csv csv) {
      this.schema = csv.parser.getSchema().withoutHeader();
      this.header = csv.header;
      this.columns = List.copyOf(csv.columns);
      this.distinctNames = csv.distinctNames;
      this.trimmed = csv.trimmed;
    }

    /** The column names of the header line, as the serial reader's {@link RowSource#columns()}. */
    List<String> columns() {
      return columns;
    }
  }

  /**
   * The header line of a CSV file, read as the serial reader reads it.
   *
   * @throws InvalidInputException when it is not a CSV header
   */
  static CsvHead csvHead(Path file, byte[] header) {
    try (Csv csv = new Csv(new Counting(new java.io.ByteArrayInputStream(header)), file)) {
      return new CsvHead(csv);
    } catch (IOException e) {
      throw unreadable(file, DataFormat.CSV, e);
    }
  }

  /**
   * The rows of a piece of a CSV file ({@link CsvPieces}): {@code piece} (whole rows) parsed with
   * the file's header as the serial reader parses the file, so the rows are those it gives at that
   * place.
   *
   * @throws PieceFailure for a row that cannot be parsed (the rows before it are lost with it: the
   *     job stops there)
   */
  static List<Row> csvPiece(Path file, CsvHead head, byte[] piece, int expected) {
    List<Row> rows = new ArrayList<>(expected);
    try (Csv csv = new Csv(new Counting(new java.io.ByteArrayInputStream(piece)), file, head)) {
      for (Row r = csv.next(); r != null; r = csv.next()) {
        rows.add(r);
      }
    } catch (IOException e) {
      throw new PieceFailure(1, firstLine(e.getMessage())); // in-memory streams: not reached
    }
    return rows;
  }

  /**
   * CSV through Jackson's streaming parser with the header as schema. Each row comes as an object
   * of (column name, text) tokens; they are kept in arrays rather than bound to a map per row. The
   * tokens are the ones a map reader of the same schema would bind, so the rows are the same: a
   * short row has fewer cells, a row with too many is an error of the parser. A row whose names are
   * not the header's in order (or a header whose trimmed names repeat) is kept as a map, bound as
   * the map reader binds it (a later cell of a name replaces the earlier one in its place).
   */
  private static final class Csv extends RowSource {
    private final CsvParser parser;
    private final List<String> columns;
    private final Path file;
    private String[] header; // the parser's names
    private Record.Layout trimmed; // the same, trimmed, when they stay distinct
    private boolean distinctNames;
    private JsonToken first; // the token after the header, read with it
    private long line = 1;

    // a piece of a file (CsvPieces): its row errors are PieceFailures, lined by the caller
    private final boolean piece;

    Csv(Counting in, Path file) {
      this(in, file, false);
    }

    /** A piece's rows, its columns those of the file's header: no header line in {@code in}. */
    private Csv(Counting in, Path file, CsvHead head) throws IOException {
      super(in);
      this.file = file;
      this.piece = true;
      parser = CSV_FACTORY.createParser(new InputStreamReader(in, StandardCharsets.UTF_8));
      parser.setSchema(head.schema);
      columns = head.columns;
      header = head.header;
      distinctNames = head.distinctNames;
      trimmed = head.trimmed;
    }

    private Csv(Counting in, Path file, boolean piece) {
      super(in);
      this.file = file;
      this.piece = piece;
      this.columns = new ArrayList<>();
      try {
        parser = CSV_FACTORY.createParser(new InputStreamReader(in, StandardCharsets.UTF_8));
        parser.setSchema(CsvSchema.emptySchema().withHeader());
        first = parser.nextToken(); // reads the header
        CsvSchema schema = parser.getSchema();
        if (schema == null || schema.size() == 0) {
          throw new IOException("no header row");
        }
        for (CsvSchema.Column c : schema) {
          columns.add(c.getName().trim());
        }
        header = new String[schema.size()];
        for (int i = 0; i < header.length; i++) {
          header[i] = schema.columnName(i);
        }
        distinctNames = new java.util.HashSet<>(columns).size() == columns.size();
        trimmed = distinctNames ? Record.Layout.of(columns.toArray(String[]::new)) : null;
      } catch (IOException | RuntimeException e) {
        if (piece) {
          // the header parsed when the file was opened; this is the first row's start
          throw new PieceFailure(line, firstLine(e.getMessage()));
        }
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
        JsonToken t = first != null ? first : parser.nextToken();
        first = null;
        if (t == null) {
          return null;
        }
        line++;
        if (t != JsonToken.START_OBJECT) {
          throw new IOException("unexpected " + t + " at the start of a row");
        }
        int k = 0;
        Object[] cells = new Object[header.length];
        boolean inOrder = distinctNames;
        Map<String, String> map = null;
        for (t = parser.nextToken(); t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
          String name = parser.currentName();
          parser.nextToken();
          String text = parser.getValueAsString();
          if (inOrder && k < header.length && header[k].equals(name)) {
            cells[k++] = text;
            continue;
          }
          if (map == null) {
            map = new LinkedHashMap<>();
            for (int i = 0; i < k; i++) {
              map.put(header[i], (String) cells[i]);
            }
            inOrder = false;
          }
          map.put(name, text);
        }
        if (t != JsonToken.END_OBJECT) {
          throw new IOException("unexpected " + t + " in a row");
        }
        if (map != null) {
          return new Row(map, distinctNames);
        }
        if (!distinctNames) {
          Map<String, String> m = new LinkedHashMap<>();
          for (int i = 0; i < k; i++) {
            m.put(header[i], (String) cells[i]);
          }
          return new Row(m, false);
        }
        return new Row(trimmed, k == cells.length ? cells : Arrays.copyOf(cells, k));
      } catch (IOException | RuntimeException e) {
        if (piece) {
          throw new PieceFailure(line, firstLine(e.getMessage()));
        }
        throw rowError(file, line, firstLine(e.getMessage()));
      }
    }

    @Override
    public void close() throws IOException {
      try {
        parser.close();
      } finally {
        super.close();
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
    return jsonRecord(row, "records[0]");
  }

  /** As {@link #jsonRecord(JsonNode)}, naming a bad field under {@code at}. */
  static Record jsonRecord(JsonNode row, String at) {
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
            at + "." + e.getKey(), v.toString(), "a number, string, boolean or null");
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
