package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A CSV file cut into pieces ({@link CsvPieces}) and parsed piece by piece ({@link
 * RowSource#csvPiece}) gives the rows the serial reader gives — the same records, in order — and,
 * for a file the serial reader stops in, the same error at the same line, with the rows before it.
 * The files are generated from the characters that matter to the grammar (separators, quotes, line
 * feeds, carriage returns, spaces) mixed with text and numbers, valid and not.
 */
class CsvPiecesProperties {

  /** What a reader made of a file: its columns, its rows' records, and its error if it stopped. */
  record Outcome(List<String> columns, List<Record> records, String error) {}

  static Outcome serial(Path file) {
    List<Record> records = new ArrayList<>();
    try (RowSource source = RowSource.open(file, DataFormat.CSV)) {
      List<String> columns = source.columns();
      try {
        for (RowSource.Row r = source.next(); r != null; r = source.next()) {
          records.add(r.record());
        }
      } catch (InvalidInputException e) {
        return new Outcome(columns, records, e.field() + ": " + e.getMessage());
      }
      return new Outcome(columns, records, null);
    } catch (InvalidInputException e) {
      return new Outcome(null, records, e.field() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Null when the file is left to the serial reader. */
  static Outcome pieces(Path file, int rowsPerPiece) throws IOException {
    List<Record> records = new ArrayList<>();
    try (CsvPieces pieces = CsvPieces.open(file)) {
      if (pieces == null) {
        return null;
      }
      List<String> columns;
      RowSource.CsvHead head;
      try {
        head = RowSource.csvHead(file, pieces.header());
        columns = head.columns();
      } catch (InvalidInputException e) {
        return new Outcome(null, records, e.field() + ": " + e.getMessage());
      }
      for (byte[] p = pieces.next(rowsPerPiece); p != null; p = pieces.next(rowsPerPiece)) {
        try {
          for (RowSource.Row r : RowSource.csvPiece(file, head, p, rowsPerPiece)) {
            records.add(r.record());
          }
        } catch (RowSource.PieceFailure f) {
          InvalidInputException e = f.error(file, records.size());
          return new Outcome(columns, records, e.field() + ": " + e.getMessage());
        }
      }
      return new Outcome(columns, records, null);
    }
  }

  private static Path write(String text) throws IOException {
    Path f = Files.createTempFile("pieces", ".csv");
    Files.write(f, text.getBytes(StandardCharsets.UTF_8));
    return f;
  }

  private static void assertSame(String text, int rowsPerPiece) throws IOException {
    Path f = write(text);
    try {
      Outcome whole = serial(f);
      Outcome cut = pieces(f, rowsPerPiece);
      if (cut == null) {
        return; // left to the serial reader
      }
      assertThat(cut.columns()).as("columns").isEqualTo(whole.columns());
      assertThat(cut.error()).as("error").isEqualTo(whole.error());
      if (whole.error() == null) {
        assertThat(cut.records()).as("records").isEqualTo(whole.records());
      } else {
        // the serial reader stops at the bad row; the pieces give at most the rows before it
        assertThat(cut.records().size()).isLessThanOrEqualTo(whole.records().size());
        assertThat(cut.records()).isEqualTo(whole.records().subList(0, cut.records().size()));
      }
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Provide
  Arbitrary<String> csvs() {
    Arbitrary<String> cell =
        Arbitraries.oneOf(
            Arbitraries.strings().withChars("ab1.é ").ofMaxLength(4),
            Arbitraries.strings().withChars("ab,\"\n\r 1").ofMaxLength(5),
            Arbitraries.strings()
                .withChars("a,\n\r\"")
                .ofMaxLength(4)
                .map(s -> "\"" + s.replace("\"", "\"\"") + "\""),
            Arbitraries.integers().between(-99, 999).map(String::valueOf),
            Arbitraries.of("", "\"\"", "\"a\"b", "a\"b", " \"x\" ", "\"\"\"", "1.5e3"));
    Arbitrary<String> row = cell.list().ofMinSize(0).ofMaxSize(4).map(l -> String.join(",", l));
    Arbitrary<String> end = Arbitraries.of("\n", "\n", "\n", "\r\n", "\r", "");
    Arbitrary<String> line = net.jqwik.api.Combinators.combine(row, end).as((r, e) -> r + e);
    Arbitrary<String> header = Arbitraries.of("a,b,c\n", "a,b,c\r\n", "\"a\",b,\"c\nd\"\n", "a\n");
    return net.jqwik.api.Combinators.combine(header, line.list().ofMaxSize(12))
        .as((h, rows) -> h + String.join("", rows));
  }

  @Property(tries = 3_000)
  void piecesParseAsTheWholeFile(
      @ForAll("csvs") String text, @ForAll @IntRange(min = 1, max = 4) int rowsPerPiece)
      throws IOException {
    assertSame(text, rowsPerPiece);
  }

  @Property(tries = 500)
  void anyTextParsesAsTheWholeFile(
      @ForAll("anyText") String text, @ForAll @IntRange(min = 1, max = 3) int rowsPerPiece)
      throws IOException {
    assertSame("x,y\n" + text, rowsPerPiece);
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.strings().withChars("x1,\"\n\r é\t").ofMaxLength(40);
  }

  @Example
  void quotedLineFeedsAndDoubledQuotesStayInTheirRow() throws IOException {
    String text = "id,note\n1,\"two\nlines\"\n2,\"a \"\"quote\"\"\nand more\"\r\n3,plain\n";
    Path f = write(text);
    try {
      Outcome cut = pieces(f, 1);
      assertThat(cut).isNotNull();
      assertThat(cut.error()).isNull();
      assertThat(cut.records()).hasSize(3);
      assertThat(cut.records().get(0).get("note")).isEqualTo("two\nlines");
      assertThat(cut.records().get(1).get("note")).isEqualTo("a \"quote\"\nand more");
      assertThat(cut.records()).isEqualTo(serial(f).records());
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Example
  void aBadRowStopsAtItsLineInEveryPiece() throws IOException {
    StringBuilder text = new StringBuilder("a,b\n");
    for (int i = 0; i < 50; i++) {
      text.append(i).append(',').append(i * 2).append('\n');
    }
    text.append("7,\"open\" x\n"); // text after a closing quote: the parser stops here
    text.append("8,9\n");
    Path f = write(text.toString());
    try {
      Outcome whole = serial(f);
      assertThat(whole.error()).contains("line 52");
      for (int k = 1; k <= 7; k++) {
        assertThat(pieces(f, k).error()).isEqualTo(whole.error());
      }
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Example
  void aFileWithCarriageReturnLineEndsIsLeftToTheSerialReader() throws IOException {
    Path f = write("a,b\r1,2\r3,4\r");
    try {
      assertThat(pieces(f, 1)).isNull();
      assertThat(serial(f).records()).hasSize(2);
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Example
  void aCarriageReturnInsideAQuotedHeaderNameIsNoLineEnd() throws IOException {
    Path f = write("\"a\rb\",c\n1,2\n3,4\n");
    try {
      Outcome cut = pieces(f, 1);
      assertThat(cut).isNotNull();
      assertThat(cut.columns()).isEqualTo(serial(f).columns());
      assertThat(cut.records()).hasSize(2).isEqualTo(serial(f).records());
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Example
  void aHeaderThatDoesNotEndWithinItsLimitIsLeftToTheSerialReader() throws IOException {
    String name = "x".repeat(CsvPieces.MAX_HEADER);
    Path f = write(name + ",b\n1,2\n");
    try {
      assertThat(pieces(f, 1)).isNull();
      assertThat(serial(f).records()).hasSize(1);
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
