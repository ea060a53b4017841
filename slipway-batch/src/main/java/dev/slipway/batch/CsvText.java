package dev.slipway.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * CSV lines as the batch sinks write them, built in a growing byte buffer: the bytes are those of
 * {@link CsvLines} (Jackson's CSV writer) for the same values — its line separator, quoting and
 * number text, floats and doubles being the shortest decimal that reads back to the same value —
 * which {@code CsvTextTest} checks on arbitrary values. Plain numbers, booleans and strings that
 * need no quoting are written directly; any other value is handed to Jackson, one cell at a time.
 * Not thread-safe: one instance per thread or chunk.
 */
final class CsvText {
  private static final ObjectWriter ONE_CELL =
      CsvLines.CSV
          .writer(CsvSchema.builder().addColumn("c0").build().withoutHeader())
          .without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  /** Jackson quotes a longer string without looking at its characters (nor changing plain ones). */
  private static final int MAX_UNQUOTED = 24;

  private final int[] recentBits = new int[4];
  private final String[] recentText = new String[4];
  private int next;
  // the cell text of the last few strings, by identity: a label column repeats a few instances
  private final String[] recentStrings = new String[4];
  private final byte[][] recentCells = new byte[4][];
  private int nextString;
  private byte[] buf;
  private int len;
  private boolean lineStarted;

  CsvText(int capacity) {
    buf = new byte[Math.max(capacity, 64)];
  }

  /** Appends one value as the next cell of the current line. */
  CsvText cell(Object v) {
    if (lineStarted) {
      put((byte) ',');
    }
    lineStarted = true;
    if (v == null) {
      return this; // Jackson writes null as an empty cell
    }
    if (v instanceof String s) {
      string(s);
    } else if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte) {
      ascii(v.toString());
    } else if (v instanceof Float f) {
      ascii(NumberOutput.toString(f.floatValue(), true));
    } else if (v instanceof Double d) {
      ascii(NumberOutput.toString(d.doubleValue(), true));
    } else if (v instanceof Boolean b) {
      ascii(b ? "true" : "false");
    } else {
      jackson(v);
    }
    return this;
  }

  /** Appends a cell whose text was made by {@link #cellBytes} (reused across rows). */
  CsvText rawCell(byte[] cellText) {
    if (lineStarted) {
      put((byte) ',');
    }
    lineStarted = true;
    bytes(cellText);
    return this;
  }

  private void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  /**
   * Appends a float cell (no boxing). The text of the last few floats is kept: a model's score is
   * often one of its probabilities, and formatting a float is the dearest part of a row.
   */
  CsvText floatCell(float f) {
    if (lineStarted) {
      put((byte) ',');
    }
    lineStarted = true;
    int bits = Float.floatToRawIntBits(f);
    for (int k = 0; k < recentText.length; k++) {
      if (recentText[k] != null && recentBits[k] == bits) {
        ascii(recentText[k]);
        return this;
      }
    }
    String text = NumberOutput.toString(f, true);
    recentBits[next] = bits;
    recentText[next] = text;
    next = (next + 1) % recentText.length;
    ascii(text);
    return this;
  }

  /** Appends a whole number cell (no boxing): the text of {@link Long#toString(long)}. */
  CsvText longCell(long v) {
    if (lineStarted) {
      put((byte) ',');
    }
    lineStarted = true;
    ensure(20);
    len = NumberOutput.outputLong(v, buf, len);
    return this;
  }

  /**
   * Appends a string cell whose text is kept for the next rows when the same instance comes again
   * (a label column holds a few instances): the same bytes as {@link #cell(Object)}.
   */
  CsvText repeatedCell(String s) {
    if (s == null) {
      return cell(null);
    }
    for (int k = 0; k < recentStrings.length; k++) {
      if (recentStrings[k] == s) {
        return rawCell(recentCells[k]);
      }
    }
    byte[] text = cellBytes(s);
    recentStrings[nextString] = s;
    recentCells[nextString] = text;
    nextString = (nextString + 1) % recentStrings.length;
    return rawCell(text);
  }

  /** Ends the current line. */
  CsvText endLine() {
    put((byte) '\n');
    lineStarted = false;
    return this;
  }

  /** Appends a whole line of values. */
  CsvText line(List<?> values) {
    for (Object v : values) {
      cell(v);
    }
    return endLine();
  }

  /** The text of one cell holding {@code v}, without separators, to repeat with rawCell. */
  static byte[] cellBytes(Object v) {
    CsvText t = new CsvText(64);
    t.cell(v);
    return t.toBytes();
  }

  int length() {
    return len;
  }

  byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  /**
   * The buffer itself, its first {@link #length()} bytes the text, without a copy: the caller takes
   * it over, and this instance is not to be used after.
   */
  byte[] handOver() {
    byte[] b = buf;
    buf = null;
    return b;
  }

  private void string(String s) {
    int n = s.length();
    if (n == 0) {
      jackson(s);
      return;
    }
    for (int i = 0; i < n; i++) {
      if (!plain(s.charAt(i))) {
        jackson(s);
        return;
      }
    }
    // a longer string Jackson quotes as it is (a timestamp): the quotes are all it adds
    boolean quoted = n > MAX_UNQUOTED;
    ensure(n + 2);
    if (quoted) {
      buf[len++] = '"';
    }
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
    if (quoted) {
      buf[len++] = '"';
    }
  }

  /** Characters Jackson writes as they are whatever their place in a cell. */
  private static boolean plain(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-'
        || c == ':'
        || c == '/';
  }

  /** Appends text of ASCII characters only. */
  @SuppressWarnings("deprecation") // the low byte of each char is exact for ASCII, and one copy
  private void ascii(String s) {
    int n = s.length();
    ensure(n);
    s.getBytes(0, n, buf, len);
    len += n;
  }

  private void jackson(Object v) {
    byte[] b;
    try {
      b = ONE_CELL.writeValueAsBytes(Arrays.asList(v));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    int n = b.length;
    // Jackson ends the one-cell line with its line separator, "\n"
    if (n > 0 && b[n - 1] == '\n') {
      n--;
    }
    ensure(n);
    System.arraycopy(b, 0, buf, len, n);
    len += n;
  }

  private void put(byte b) {
    ensure(1);
    buf[len++] = b;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  @Override
  public String toString() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }
}
