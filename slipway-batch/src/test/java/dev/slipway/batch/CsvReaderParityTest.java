package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The engine's CSV reader (Jackson's streaming parser, cells kept in arrays) gives the records a
 * map reader of the same schema gives (how it read before): short rows, quoted cells, spaces around
 * names, repeated names, empty lines; and a row the map reader cannot read stops it too.
 */
class CsvReaderParityTest {

  /** What the reader gave before: Jackson's map reader, each map made a record as it was. */
  private static List<Object> byMapReader(String csv) {
    List<Object> out = new ArrayList<>();
    try {
      MappingIterator<Map<String, String>> it =
          new CsvMapper()
              .readerForMapOf(String.class)
              .with(CsvSchema.emptySchema().withHeader())
              .readValues(new StringReader(csv));
      while (it.hasNext()) {
        Map<String, Object> values = new LinkedHashMap<>();
        it.next().forEach((k, v) -> values.put(k.trim(), RowSource.csvValue(v)));
        out.add(Record.of(values));
      }
    } catch (IOException | RuntimeException e) {
      out.add("error");
    }
    return out;
  }

  private static List<Object> byEngine(String csv) throws IOException {
    Path f = Files.createTempFile("parity", ".csv");
    List<Object> out = new ArrayList<>();
    try {
      Files.writeString(f, csv, StandardCharsets.UTF_8);
      try (RowSource s = RowSource.open(f, DataFormat.CSV)) {
        for (RowSource.Row r = s.next(); r != null; r = s.next()) {
          out.add(r.record());
        }
      } catch (InvalidInputException e) {
        out.add("error");
      }
    } finally {
      Files.deleteIfExists(f);
    }
    return out;
  }

  @Property(tries = 400)
  void rowsAreTheMapReadersRows(@ForAll("csvFiles") String csv) throws IOException {
    assertThat(byEngine(csv)).isEqualTo(byMapReader(csv));
  }

  @Example
  void edgeCases() throws IOException {
    for (String csv :
        new String[] {
          "a,b,c\n1,2,3\n4,5\n6\n",
          "a,b,c\n1,2,3\n\n4,5,6\n",
          "a, b ,c\n1,x,\"q,\"\"r\"\n",
          "a,a,b\n1,2,3\n4\n",
          "a, a,b\n1,2,3\n",
          "a,b\n1,2,3\n",
          "a,b\n\"1\n2\",3\r\n4,5\r\n",
          "a,b\n",
        }) {
      assertThat(byEngine(csv)).as(csv).isEqualTo(byMapReader(csv));
    }
  }

  @Provide
  Arbitrary<String> csvFiles() {
    Arbitrary<String> name = Arbitraries.of("a", "b", "c", " a", "b ", "id");
    Arbitrary<List<String>> header = name.list().ofMinSize(1).ofMaxSize(4);
    Arbitrary<String> cell =
        Arbitraries.oneOf(
            Arbitraries.of("", "1", "-2", "3.5", "1e3", "x", "mobile", " 7 "),
            Arbitraries.strings()
                .withChars("ab1.,\" \n-")
                .ofMaxLength(5)
                .map(CsvReaderParityTest::quoted));
    Arbitrary<String> row =
        cell.list().ofMinSize(0).ofMaxSize(5).map(cells -> String.join(",", cells));
    return Combinators.combine(header, row.list().ofMaxSize(6), Arbitraries.of("\n", "\r\n"))
        .as(
            (h, rows, nl) -> {
              StringBuilder b = new StringBuilder(String.join(",", h)).append(nl);
              for (String r : rows) {
                b.append(r).append(nl);
              }
              return b.toString();
            });
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
