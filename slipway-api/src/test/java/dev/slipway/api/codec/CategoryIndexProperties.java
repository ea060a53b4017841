package dev.slipway.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class CategoryIndexProperties {
  @Provide
  Arbitrary<String> categories() {
    // short strings over a few characters, so that colliding hashes and near-misses are common
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abAB0").ofMaxLength(4),
        Arbitraries.of("Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa"), // equal String hash codes
        // the same length and first, middle and last characters: equal sampled hashes
        Arbitraries.of("a0b0c", "a1b1c", "a0b1c", "abc", "aXc"),
        Arbitraries.strings().ofMaxLength(30));
  }

  /** The index answers exactly what a map of the same categories answers, for any string. */
  @Property(tries = 3000)
  void answersLikeAMap(
      @ForAll @Size(max = 40) Set<@net.jqwik.api.From("categories") String> known,
      @ForAll @Size(max = 20) List<@net.jqwik.api.From("categories") String> asked) {
    Map<String, Integer> columns = new HashMap<>();
    int c = 3;
    for (String k : known) {
      columns.put(k, c++);
    }
    CategoryIndex index = new CategoryIndex(columns);
    for (String k : known) {
      assertThat(index.column(k)).isEqualTo(columns.get(k));
      assertThat(index.column(new String(k.toCharArray()))).isEqualTo(columns.get(k)); // not ==
    }
    for (String a : asked) {
      assertThat(index.column(a)).isEqualTo(columns.getOrDefault(a, -1));
    }
  }
}
