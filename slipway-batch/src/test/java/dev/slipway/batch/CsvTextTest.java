package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The direct CSV writer against Jackson's, which wrote the batch outputs before it. */
class CsvTextTest {
  private static final CsvMapper CSV = new CsvMapper();

  /** What TextSink wrote for a row before: Jackson's CSV writer with one column per value. */
  private static String jackson(List<Object> values) throws Exception {
    CsvSchema.Builder b = CsvSchema.builder();
    for (int i = 0; i < values.size(); i++) {
      b.addColumn("c" + i);
    }
    return new String(
        CSV.writer(b.build().withoutHeader()).writeValueAsBytes(values), StandardCharsets.UTF_8);
  }

  @Property(tries = 2_000)
  void aLineIsByteForByteWhatJacksonWrites(@ForAll("rows") @Size(min = 1, max = 8) List<Object> row)
      throws Exception {
    assertThat(new CsvText(16).line(row).toString()).isEqualTo(jackson(row));
  }

  @Property(tries = 300)
  void linesFollowOneAnotherAsJacksonsDo(
      @ForAll("rows") @Size(min = 1, max = 5) List<Object> a,
      @ForAll("rows") @Size(min = 1, max = 5) List<Object> b)
      throws Exception {
    CsvText t = new CsvText(8);
    t.line(a).line(b);
    assertThat(t.toString()).isEqualTo(jackson(a) + jackson(b));
  }

  @Property(tries = 500)
  void aRepeatedCellAndAnUnboxedFloatAreTheSameAsTheValue(
      @ForAll("values") Object v, @ForAll float f) throws Exception {
    CsvText t = new CsvText(8);
    t.rawCell(CsvText.cellBytes(v)).floatCell(f).endLine();
    List<Object> row = new ArrayList<>();
    row.add(v);
    row.add(f);
    assertThat(t.toString()).isEqualTo(jackson(row));
  }

  @Property(tries = 500)
  void floatsFromASmallSetRepeatInALineAsJacksonWritesThem(@ForAll("fewFloats") List<Float> fs)
      throws Exception {
    CsvText t = new CsvText(8);
    for (float f : fs) {
      t.floatCell(f);
    }
    t.endLine();
    assertThat(t.toString()).isEqualTo(jackson(new ArrayList<>(fs)));
  }

  @Provide
  Arbitrary<List<Float>> fewFloats() {
    return Arbitraries.of(0.5f, 0.013283189f, -0.0f, 0.0f, Float.NaN, 1e-9f, 0.98671675f)
        .list()
        .ofMinSize(1)
        .ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<Object>> rows() {
    return values().list();
  }

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<String> plain = Arbitraries.strings().withChars("abcXYZ019._-:/").ofMaxLength(40);
    Arbitrary<String> any =
        Arbitraries.strings().withCharRange((char) 0, (char) 0xD7FF).ofMaxLength(8);
    Arbitrary<String> tricky =
        Arbitraries.strings().withChars("a ,\"\n\r\t#'\\;+é€").ofMaxLength(6);
    return Arbitraries.oneOf(
        plain.map(s -> (Object) s),
        any.map(s -> (Object) s),
        tricky.map(s -> (Object) s),
        Arbitraries.longs().map(x -> (Object) x),
        Arbitraries.integers().map(x -> (Object) x),
        Arbitraries.floats().map(x -> (Object) x),
        Arbitraries.doubles().map(x -> (Object) x),
        Arbitraries.of(
            Float.NaN,
            Float.NEGATIVE_INFINITY,
            -0.0f,
            1e-7f,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            -0.0,
            1e21,
            true,
            false,
            ""),
        Arbitraries.just(null));
  }

  @Property(tries = 1_000)
  void anUnboxedLongIsWhatJacksonWrites(@ForAll long a, @ForAll("smallLongs") long b)
      throws Exception {
    CsvText t = new CsvText(4).longCell(a).longCell(b).longCell(Long.MIN_VALUE).longCell(0);
    assertThat(t.endLine().toString()).isEqualTo(jackson(List.of(a, b, Long.MIN_VALUE, 0L)));
  }

  @Provide
  Arbitrary<Long> smallLongs() {
    return Arbitraries.longs().between(-100_000, 100_000);
  }

  @Property(tries = 500)
  void aRepeatedStringInstanceIsWrittenAsTheValue(
      @ForAll("labels") List<String> labels, @ForAll List<Integer> picks) throws Exception {
    // the same instances come again and again (a label column), with others in between
    CsvText t = new CsvText(8);
    List<Object> expected = new ArrayList<>();
    for (Integer p : picks) {
      String s = labels.get(Math.floorMod(p, labels.size()));
      t.repeatedCell(s);
      expected.add(s);
    }
    t.repeatedCell(null);
    expected.add(null);
    assertThat(t.endLine().toString()).isEqualTo(jackson(expected));
  }

  @Provide
  Arbitrary<List<String>> labels() {
    return Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(30),
            Arbitraries.of("click", "no_click", "a,b", "", " x", "q\"r"))
        .list()
        .ofMinSize(1)
        .ofMaxSize(7);
  }
}
