package dev.slipway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordTest {
  @Test
  void keepsTheGivenOrderAndNormalisesNumbers() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", 1);
    m.put("a", 2.5f);
    m.put("c", null);
    m.put("d", BigInteger.TWO.pow(70));
    Record r = Record.of(m);
    assertThat(r.names()).containsExactly("b", "a", "c", "d");
    assertThat(r.get("b")).isEqualTo(1L);
    assertThat(r.get("a")).isEqualTo(2.5);
    assertThat(r.get("c")).isNull();
    assertThat(r.has("c")).isFalse();
    assertThat(r.asMap()).containsKey("c");
    assertThat(r.get("missing")).isNull();
    assertThat(r.size()).isEqualTo(4);
    assertThat(r.nameAt(1)).isEqualTo("a");
    assertThat(r.valueAt(3)).isEqualTo(BigInteger.TWO.pow(70));
    assertThat(r.position("d")).isEqualTo(3);
    assertThat(r.position("zz")).isEqualTo(-1);
  }

  @Test
  void fromArraysIsTheSameRecordAsFromAMapAndRefusesARepeatedName() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", 1);
    m.put("a", 2.5f);
    m.put("c", null);
    Record fromArrays = Record.of(new String[] {"b", "a", "c"}, new Object[] {1, 2.5f, null});
    assertThat(fromArrays).isEqualTo(Record.of(m));
    assertThat(fromArrays.names()).containsExactly("b", "a", "c");
    assertThat(fromArrays.get("b")).isEqualTo(1L);
    assertThatThrownBy(() -> Record.of(new String[] {"a", "b", "a"}, new Object[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a is named twice");
    assertThatThrownBy(() -> Record.of(new String[] {"a"}, new Object[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLayoutMakesTheSameRecordsAsArraysShortOnesIncludedAndRefusesARepeatedName() {
    Record.Layout layout = Record.Layout.of("b", "a", "c");
    Record whole = layout.record(new Object[] {1, 2.5f, null});
    assertThat(whole)
        .isEqualTo(Record.of(new String[] {"b", "a", "c"}, new Object[] {1, 2.5f, null}));
    assertThat(whole.valueAt(0)).isEqualTo(1L);
    assertThat(whole.valueAt(1)).isEqualTo(2.5);
    Record shorter = layout.record(new Object[] {"x"});
    assertThat(shorter.size()).isEqualTo(1);
    assertThat(shorter.asMap()).containsExactly(Map.entry("b", "x"));
    assertThatThrownBy(() -> layout.record(new Object[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 names for 4 values");
    assertThatThrownBy(() -> Record.Layout.of("a", "b", "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field a is named twice");
    String[] names = {"p", "q"};
    Record.Layout copied = Record.Layout.of(names);
    names[0] = "q";
    assertThat(copied.record(new Object[] {1L, 2L}).get("p")).isEqualTo(1L);
    String[] seen = {"p", new String("q".toCharArray()), "extra"};
    assertThat(copied.hasNames(seen, 2)).isTrue(); // equal names, not the same strings
    assertThat(copied.hasNames(seen, 3)).isFalse();
    assertThat(copied.hasNames(new String[] {"q", "p"}, 2)).isFalse();
  }

  @Test
  void namesAreFoundWhenTheyAreEqualButNotTheSameStrings() {
    Record r = Record.of(Map.of(new String("age".toCharArray()), 30L));
    assertThat(r.get("age")).isEqualTo(30L);
  }

  @Test
  void wideRecordsAreIndexed() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      m.put("f" + i, (long) i);
    }
    Record r = Record.of(m);
    for (int i = 0; i < 500; i += 7) {
      assertThat(r.get(new String(("f" + i).toCharArray()))).isEqualTo((long) i);
    }
    assertThat(r.get("f500")).isNull();
  }

  @Test
  void equalityIsTheMapsWhateverTheOrder() {
    Map<String, Object> ab = new LinkedHashMap<>();
    ab.put("a", 1L);
    ab.put("b", "x");
    Map<String, Object> ba = new LinkedHashMap<>();
    ba.put("b", "x");
    ba.put("a", 1L);
    assertThat(Record.of(ab)).isEqualTo(Record.of(ba)).hasSameHashCodeAs(Record.of(ba));
    assertThat(Record.of(ab).asMap()).isEqualTo(ab);
    assertThat(Record.of(ab)).isNotEqualTo(Record.of(Map.of("a", 2L, "b", "x")));
    assertThat(Record.of(ab).toString()).isEqualTo("{a=1, b=x}");
  }

  @Test
  void withAddsAndReplacesAndTheViewIsReadOnly() {
    Record r = Record.of(Map.of("a", 1L));
    Record more = r.with(Map.of("a", 2, "b", true));
    assertThat(more.get("a")).isEqualTo(2L);
    assertThat(more.get("b")).isEqualTo(true);
    assertThat(r.get("a")).isEqualTo(1L);
    assertThat(r.with(Map.of())).isSameAs(r);
    assertThatThrownBy(() -> r.asMap().put("c", 3L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> Record.of(Map.of("a", List.of())))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
