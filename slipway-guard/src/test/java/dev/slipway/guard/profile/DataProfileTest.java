package dev.slipway.guard.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataProfileTest {

  static Record row(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return Record.of(m);
  }

  @Test
  void numericStatisticsMatchValuesComputedByHand() {
    // 1..10: mean 5.5, population sd sqrt(8.25); numpy.quantile(range(1, 11), 0.25) == 3.25
    List<Record> rows = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      rows.add(row("x", (long) i));
    }
    FeatureProfile x = DataProfile.of(rows).feature("x").orElseThrow();
    assertThat(x.type()).isEqualTo(DataType.INT64);
    assertThat(x.min()).isEqualTo(1.0);
    assertThat(x.max()).isEqualTo(10.0);
    assertThat(x.mean()).isCloseTo(5.5, within(1e-12));
    assertThat(x.stddev()).isCloseTo(Math.sqrt(8.25), within(1e-12));
    assertThat(x.quantile(0.25)).isCloseTo(3.25, within(1e-12));
    assertThat(x.quantile(0.5)).isCloseTo(5.5, within(1e-12));
    assertThat(x.quantile(0.99)).isCloseTo(9.91, within(1e-12));
    assertThat(x.presenceRate()).isEqualTo(1.0);
  }

  @Test
  void typesAreInferredAndPresenceCountsAbsentAndNullValues() {
    List<Record> rows =
        List.of(
            row("a", 1.5, "b", "red", "c", true),
            row("a", 2L, "b", "blue"),
            row("b", "red", "c", false, "d", 7L),
            row("a", null, "b", "red", "c", true));
    DataProfile p = DataProfile.of(rows);
    assertThat(p.rows()).isEqualTo(4);
    assertThat(p.feature("a").orElseThrow().type()).isEqualTo(DataType.FP64);
    assertThat(p.feature("a").orElseThrow().present()).isEqualTo(2);
    assertThat(p.feature("a").orElseThrow().count()).isEqualTo(4);
    FeatureProfile b = p.feature("b").orElseThrow();
    assertThat(b.type()).isEqualTo(DataType.BYTES);
    assertThat(b.frequencies()).containsExactly(Map.entry("red", 3L), Map.entry("blue", 1L));
    assertThat(b.otherCount()).isZero();
    assertThat(p.feature("c").orElseThrow().type()).isEqualTo(DataType.BOOL);
    FeatureProfile d = p.feature("d").orElseThrow();
    assertThat(d.count()).isEqualTo(4);
    assertThat(d.present()).isEqualTo(1);
    assertThat(d.presenceRate()).isEqualTo(0.25);
  }

  @Test
  void theInferredSchemaHasTheObservedRangesDomainsAndNullability() {
    List<Record> rows =
        List.of(row("a", 1.5, "b", "red"), row("a", -2.0, "b", "blue"), row("b", "red"));
    Schema s = DataProfile.of(rows).schema();
    Field a = s.field("a").orElseThrow();
    assertThat(a.min()).isEqualTo(-2.0);
    assertThat(a.max()).isEqualTo(1.5);
    assertThat(a.nullable()).isTrue();
    Field b = s.field("b").orElseThrow();
    assertThat(b.domain()).containsExactly("red", "blue");
    assertThat(b.nullable()).isFalse();
  }

  @Test
  void aDeclaredSchemaFixesTypesAndIgnoresOtherFields() {
    Schema schema =
        new Schema(
            List.of(
                Field.numeric("x", DataType.FP32, null, null, ""),
                Field.categorical("k", List.of(), "")));
    DataProfile p =
        DataProfile.of(schema, List.of(row("x", 1L, "k", "a", "extra", 3L), row("x", "oops")));
    assertThat(p.features()).extracting(FeatureProfile::name).containsExactly("x", "k");
    assertThat(p.feature("x").orElseThrow().type()).isEqualTo(DataType.FP32);
    assertThat(p.feature("x").orElseThrow().present()).isEqualTo(1); // "oops" is not a number
  }

  @Test
  void nonFiniteNumbersAreCountedApartFromTheStatistics() {
    DataProfile p = DataProfile.of(List.of(row("x", 1.0), row("x", Double.NaN), row("x", 3.0)));
    FeatureProfile x = p.feature("x").orElseThrow();
    assertThat(x.nonFinite()).isEqualTo(1);
    assertThat(x.mean()).isEqualTo(2.0);
  }

  @Test
  void manyCategoriesKeepTheMostFrequentAndCountTheRest() {
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < DataProfile.MAX_CATEGORIES + 50; i++) {
      rows.add(row("k", "v" + i));
    }
    for (int i = 0; i < 5; i++) {
      rows.add(row("k", "common"));
    }
    FeatureProfile k = DataProfile.of(rows).feature("k").orElseThrow();
    assertThat(k.frequencies()).hasSize(DataProfile.MAX_CATEGORIES);
    assertThat(k.frequencies().keySet().iterator().next()).isEqualTo("common");
    assertThat(k.otherCount()).isEqualTo(51); // 1,051 distinct values, 1,000 kept
    assertThat(k.toField().domain()).isEmpty(); // open: not every value was kept
  }

  @Test
  void theYamlFileIsReadableEditableAndReadBack() {
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(row("age", (long) (20 + i % 50), "device", i % 3 == 0 ? "mobile" : "desktop"));
    }
    DataProfile p = DataProfile.of(rows);
    String yaml = p.toYaml();
    assertThat(yaml).contains("name: age").contains("type: INT64").contains("mobile: 34");
    assertThat(DataProfile.fromYaml(yaml)).isEqualTo(p);
    // a person widens the range
    String edited = yaml.replace("max: 69.0", "max: 99.0");
    assertThat(DataProfile.fromYaml(edited).feature("age").orElseThrow().max()).isEqualTo(99.0);
  }

  @Test
  void aBrokenProfileFileNamesWhatIsWrong() {
    assertThatThrownBy(() -> DataProfile.fromYaml("rows: [1"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("profile");
    assertThatThrownBy(
            () ->
                DataProfile.fromYaml(
                    "rows: 1\nfeatures:\n- name: a\n  type: FP64\n  count: 1\n  present: 1\n"
                        + "  min: 5\n  max: 1\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("profile.features[0].min");
    assertThatThrownBy(() -> DataProfile.fromYaml("rows: 1\nfeatures:\n- name: a\n  count: 1\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("profile.features[0].type");
  }
}
