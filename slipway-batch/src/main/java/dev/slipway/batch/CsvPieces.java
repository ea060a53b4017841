package dev.slipway.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Cuts a CSV file into pieces of whole rows, as bytes, so that several threads can parse them at
 * once: the one thread reading a file only finds where rows end, and each worker turns its piece
 * into rows with the same parser the serial reader uses ({@link RowSource#csvPiece}), the header
 * line put in front of every piece. A cut is made only after a line feed that ends a row in
 * Jackson's CSV grammar (the parser the serial reader uses, default settings): not inside a quoted
 * value, where a quote opens a value only as its first character, a doubled quote inside it is one
 * quote, and a carriage return before the line feed belongs to the same row end. The bytes between
 * two cuts therefore parse to exactly the rows the whole file has there ({@code
 * CsvPiecesProperties} checks it on generated files against the serial reader, bad rows included).
 *
 * <p>Files this does not handle are left to the serial reader ({@link #open} gives null): a header
 * that does not end with a line feed within the first megabyte, or that ends with a lone carriage
 * return (a file whose rows end with CR only would never be cut). UTF-8 is safe to cut at a line
 * feed byte: it never occurs inside a multi-byte character. Not thread-safe: one reading thread.
 */
final class CsvPieces implements AutoCloseable {
  /** The header must end within this many bytes to be cut into pieces. */
  static final int MAX_HEADER = 1 << 20;

  private static final int BLOCK = 1 << 16;

  // the scanner's states: at the start of a value, inside an unquoted value, inside a quoted value,
  // right after a quote inside a quoted value (a second quote continues it), after its closing
  // quote
  private static final byte START = 0;
  private static final byte UNQUOTED = 1;
  private static final byte QUOTED = 2;
  private static final byte QUOTE = 3;
  private static final byte CLOSED = 4;

  private final RowSource.Counting in;
  private byte[] header;
  private byte[] buf = new byte[BLOCK * 2];
  private int start; // the first byte of the next piece
  private int scanned; // bytes before this are scanned
  private int end; // bytes before this are read
  private byte state = START;
  private boolean eof;

  private CsvPieces(RowSource.Counting in) {
    this.in = in;
  }

  /**
   * Opens a CSV file for cutting, or gives null when it must be read serially (see the class
   * comment) or cannot be opened here (the serial reader then reports why).
   */
  static CsvPieces open(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    RowSource.Counting in = null;
    try {
      in = new RowSource.Counting(Files.newInputStream(file));
      CsvPieces pieces = new CsvPieces(in);
      // the header is the first row; the scan stops reading once MAX_HEADER bytes hold no row end
      byte[] header = pieces.next(1, MAX_HEADER);
      if (header == null) {
        header = new byte[0]; // an empty file: the header's reader reports it
      }
      if (header.length >= MAX_HEADER || hasLoneCr(header)) {
        close(in);
        return null;
      }
      pieces.header = header;
      return pieces;
    } catch (IOException e) {
      close(in);
      return null;
    }
  }

  /** Whether a carriage return outside quotes is followed by anything but a line feed. */
  private static boolean hasLoneCr(byte[] row) {
    byte s = START;
    for (int i = 0; i < row.length; i++) {
      if (row[i] == '\r' && s != QUOTED && i + 1 < row.length && row[i + 1] != '\n') {
        return true;
      }
      s = next(s, row[i]);
    }
    return false;
  }

  private static void close(InputStream in) {
    if (in == null) {
      return;
    }
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing to report: the serial reader opens the file again
    }
  }

  /** The header line's bytes, its line end included. */
  byte[] header() {
    return header;
  }

  /**
   * The next piece: the bytes of the next {@code rows} rows (fewer at the end of the file; a row
   * holding line feeds inside quotes counts once), or null when the file is done.
   */
  byte[] next(int rows) throws IOException {
    return next(rows, Integer.MAX_VALUE);
  }

  /**
   * {@link #next(int)}, but reading no further once more than {@code limit} bytes hold fewer rows:
   * the piece is then all those bytes.
   */
  private byte[] next(int rows, int limit) throws IOException {
    int found = 0;
    while (true) {
      // scan what is read for row ends
      byte s = state;
      int i = scanned;
      byte[] b = buf;
      int e = end;
      while (i < e) {
        if (s != QUOTED && s != QUOTE) {
          // outside quotes only a line feed (a row's end) and a quote (which opens a value as a
          // cell's first byte) matter: run to the next of either
          int from = i;
          while (i < e && b[i] != '\n' && b[i] != '"') {
            i++;
          }
          if (i > from) {
            // the state after the bytes passed: none of them a line feed or a quote
            s = b[i - 1] == ',' || b[i - 1] == '\r' ? START : UNQUOTED;
          }
          if (i == e) {
            break;
          }
        }
        byte c = b[i++];
        s = next(s, c);
        if (c == '\n' && s == START && ++found == rows) {
          break;
        }
      }
      state = s;
      scanned = i;
      if (found == rows) {
        return take(i);
      }
      if (eof) {
        return end > start ? take(end) : null;
      }
      if (end - start > limit) {
        return take(end);
      }
      fill();
    }
  }

  /** The bytes from {@code start} to {@code cut}, handed over as the next piece. */
  private byte[] take(int cut) {
    byte[] piece = Arrays.copyOfRange(buf, start, cut);
    start = cut;
    return piece;
  }

  /** Reads more: moves the unconsumed bytes to the front, grows the buffer when they fill half. */
  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      scanned -= start;
      start = 0;
    }
    if (buf.length - end < BLOCK) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    int r = in.read(buf, end, buf.length - end);
    if (r < 0) {
      eof = true;
    } else {
      end += r;
    }
  }

  /** The scanner's state after byte {@code c}. */
  private static byte next(byte state, byte c) {
    switch (state) {
      case START:
        if (c == '"') {
          return QUOTED;
        }
        return c == ',' || c == '\n' || c == '\r' ? START : UNQUOTED;
      case UNQUOTED:
      case CLOSED:
        return c == ',' || c == '\n' || c == '\r' ? START : state;
      case QUOTED:
        return c == '"' ? QUOTE : QUOTED;
      default: // QUOTE
        if (c == '"') {
          return QUOTED; // a doubled quote: one quote in the value
        }
        return c == ',' || c == '\n' || c == '\r' ? START : CLOSED;
    }
  }

  /** Bytes of the file read so far. */
  long bytesRead() {
    return in.count;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
