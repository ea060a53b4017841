package dev.slipway.guard.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.guard.input.InputGuard.Check;
import dev.slipway.guard.input.InputGuard.Outcome;
import dev.slipway.guard.input.InputGuard.Policy;
import dev.slipway.guard.input.InputGuard.Verdict;
import dev.slipway.guard.profile.DataProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputGuardTest {
  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.numeric("age", DataType.INT64, 18.0, 90.0, ""),
              Field.numeric("ctr", DataType.FP64, 0.0, 1.0, ""),
              Field.categorical("device", List.of("mobile", "desktop"), ""),
              Field.numeric("note", DataType.FP64, null, null, "").withNullable(true)));

  static DataProfile profile() {
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      rows.add(
          Record.of(
              Map.of(
                  "age",
                  (long) (18 + i % 50),
                  "ctr",
                  i / 100.0,
                  "device",
                  i % 4 == 0 ? "desktop" : "mobile")));
    }
    return DataProfile.of(SCHEMA, rows);
  }

  static Record rec(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return Record.of(m);
  }

  static InputGuard guard(Policy p) {
    return InputGuard.of(SCHEMA, profile(), p, Map.of());
  }

  @Test
  void aGoodRecordPassesUnchangedAndLosslessCastsAreTypes() {
    Record r = rec("age", 30L, "ctr", 1L, "device", "mobile");
    Verdict v = guard(Policy.REJECT).check(r);
    assertThat(v.outcome()).isEqualTo(Outcome.PASSED);
    assertThat(v.record()).isSameAs(r);
    // 30.0 is a whole number: a lossless cast to INT64
    assertThat(
            guard(Policy.REJECT).check(rec("age", 30.0, "ctr", 0.5, "device", "mobile")).outcome())
        .isEqualTo(Outcome.PASSED);
  }

  @Test
  void checksRunInOrderPresenceThenTypeThenRange() {
    InputGuard g = guard(Policy.REJECT);
    Verdict missing = g.check(rec("ctr", "high", "device", "mobile"));
    assertThat(missing.findings().get(0).check()).isEqualTo(Check.PRESENCE);
    assertThat(missing.error("records[0].").getMessage()).contains("records[0].age");

    Verdict type = g.check(rec("age", 30.5, "ctr", 2.0, "device", "mobile"));
    assertThat(type.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(type.findings()).hasSize(1);
    assertThat(type.findings().get(0).check()).isEqualTo(Check.TYPE);
    assertThat(type.error("").getMessage()).contains("age").contains("30.5").contains("INT64");

    Verdict range = g.check(rec("age", 95L, "ctr", 0.5, "device", "mobile"));
    assertThat(range.findings().get(0).check()).isEqualTo(Check.RANGE);
    assertThat(range.error("").getMessage()).contains("age").contains("95").contains("[18, 90]");

    Verdict domain = g.check(rec("age", 40L, "ctr", 0.5, "device", "fridge"));
    assertThat(domain.findings().get(0).check()).isEqualTo(Check.DOMAIN);
    assertThat(domain.error("").getMessage())
        .contains("device")
        .contains("fridge")
        .contains("mobile");
  }

  @Test
  void nonFiniteNumbersAndHugeStringsAreRefused() {
    InputGuard g = guard(Policy.REJECT);
    assertThat(
            g.check(rec("age", 40L, "ctr", Double.NaN, "device", "mobile")).error("").getMessage())
        .contains("ctr")
        .contains("finite");
    Schema open = new Schema(List.of(Field.categorical("text", List.of(), "")));
    InputGuard free = InputGuard.of(open, null, Policy.REJECT, Map.of());
    assertThat(free.check(rec("text", "x".repeat(20_000))).outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(free.check(rec("text", "short")).outcome()).isEqualTo(Outcome.PASSED);
  }

  @Test
  void aNullableFeatureMayBeAbsent() {
    assertThat(
            guard(Policy.REJECT).check(rec("age", 30L, "ctr", 0.1, "device", "mobile")).outcome())
        .isEqualTo(Outcome.PASSED);
  }

  @Test
  void imputeReplacesMissingWrongOrOutOfRangeValuesWithTheMedianOrMode() {
    InputGuard g =
        InputGuard.of(
            SCHEMA,
            profile(),
            Policy.REJECT,
            Map.of("age", Policy.IMPUTE, "device", Policy.IMPUTE));
    Verdict v = g.check(rec("ctr", 0.2, "device", "fridge"));
    assertThat(v.outcome()).isEqualTo(Outcome.IMPUTED);
    assertThat(v.record().get("age"))
        .isEqualTo(42L); // median of 18..67 with 18..18 repeated: see profile
    assertThat(v.record().get("device")).isEqualTo("mobile");
    assertThat(v.findings()).extracting(InputGuard.Finding::field).containsExactly("age", "device");
  }

  @Test
  void heuristicPolicyHandsTheRecordOverButARejectionWins() {
    InputGuard g = InputGuard.of(SCHEMA, profile(), Policy.REJECT, Map.of("ctr", Policy.HEURISTIC));
    assertThat(g.check(rec("age", 30L, "ctr", 7.0, "device", "mobile")).outcome())
        .isEqualTo(Outcome.HEURISTIC);
    assertThat(g.check(rec("age", 300L, "ctr", 7.0, "device", "mobile")).outcome())
        .isEqualTo(Outcome.REJECTED);
  }
}
