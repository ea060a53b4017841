package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The direct CSV writer against Jackson's (as {@link CsvLines} configures it), which wrote the
 * batch outputs before it and still writes the Spark runner's.
 */
class CsvTextTest {
  /** A row by Jackson's CSV writer with one column per value. */
  private static String jackson(List<Object> values) throws Exception {
    return new String(new CsvLines().line(values), StandardCharsets.UTF_8);
  }

  @Example
  void aFloatJava17PrintedWithADigitTooManyIsWrittenShortest() throws Exception {
    // Java 17's Float.toString gives "1.18846831E13"; one digit fewer reads back the same
    float f = 1.18846831E13f;
    assertThat(new CsvText(8).floatCell(f).cell(f).endLine().toString())
        .isEqualTo("1.1884683E13,1.1884683E13\n");
    assertThat(CsvTextTest.jackson(List.of(f, f))).isEqualTo("1.1884683E13,1.1884683E13\n");
  }

  @Property(tries = 20_000)
  void aFloatCellReadsBackToTheSameFloatAndIsNeverLongerThanJava17sText(@ForAll float f) {
    String cell = new CsvText(8).floatCell(f).toString();
    assertThat(Float.floatToIntBits(Float.parseFloat(cell))).isEqualTo(Float.floatToIntBits(f));
    assertThat(cell.length()).isLessThanOrEqualTo(Float.toString(f).length());
  }

  @Property(tries = 20_000)
  void aDoubleCellReadsBackToTheSameDoubleAndIsNeverLongerThanJava17sText(@ForAll double d) {
    String cell = new CsvText(8).cell(d).toString();
    assertThat(Double.doubleToLongBits(Double.parseDouble(cell)))
        .isEqualTo(Double.doubleToLongBits(d));
    assertThat(cell.length()).isLessThanOrEqualTo(Double.toString(d).length());
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
