package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** CSV cell typing, matched by hand, against the patterns that define it (and typed it before). */
class RowSourceTypingTest {
  private static final Pattern WHOLE = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern DECIMAL =
      Pattern.compile("-?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?");

  private static Object byPattern(String text) {
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

  @Property(tries = 5_000)
  void numberLikeTextIsTypedAsThePatternsSay(@ForAll("numberish") String text) {
    assertThat(RowSource.csvValue(text)).isEqualTo(byPattern(text));
  }

  @Property(tries = 1_000)
  void anyTextIsTypedAsThePatternsSay(@ForAll String text) {
    assertThat(RowSource.csvValue(text)).isEqualTo(byPattern(text));
  }

  @Example
  void edgeCases() {
    for (String t :
        new String[] {
          "",
          "-",
          ".",
          "-.",
          "5.",
          "-5.",
          ".5",
          "-.5",
          "1e5",
          "1e",
          "1e+",
          "e5",
          ".e5",
          "5.e-3",
          "123456789012345678",
          "1234567890123456789",
          "-123456789012345678",
          "00",
          "1.2.3",
          "1e5x",
          "٣",
          " 5",
          "5 ",
          "+5",
          "0x10",
          "NaN",
          "Infinity",
          "-0",
          "-0.0",
          "0.0",
          ".0",
          "0.1",
          "0.2193",
          "9007199254740992.5",
          "9007199254740993.0",
          "900719925474099.35",
          "0.1234567890123456789",
          "0.0000000000000000000001",
          "0.00000000000000000000001",
          "12345678901234567.8"
        }) {
      assertThat(RowSource.csvValue(t)).as(t).isEqualTo(byPattern(t));
    }
    assertThat(RowSource.csvValue(null)).isNull();
  }

  @Provide
  Arbitrary<String> numberish() {
    return Arbitraries.strings().withChars("0123456789-+.eE x").ofMaxLength(22);
  }

  @Property(tries = 10_000)
  void decimalsAreTheValuesParseDoubleGives(@ForAll("decimals") String text) {
    assertThat(RowSource.csvValue(text)).isEqualTo(byPattern(text));
  }

  @Provide
  Arbitrary<String> decimals() {
    Arbitrary<String> digits = Arbitraries.strings().numeric().ofMaxLength(20);
    return net.jqwik.api.Combinators.combine(Arbitraries.of("", "-"), digits, digits)
        .as((sign, whole, fraction) -> sign + whole + "." + fraction);
  }
}
