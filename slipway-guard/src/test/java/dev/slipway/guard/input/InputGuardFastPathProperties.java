package dev.slipway.guard.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import dev.slipway.guard.input.InputGuard.Outcome;
import dev.slipway.guard.input.InputGuard.Policy;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link InputGuard#passes}, the allocation-free fast path, agrees with {@link InputGuard#check}: a
 * record it lets through is one that check finds nothing in, and a record of the common types (a
 * Long, a Double, a String) that check finds nothing in takes the fast path — whatever the order of
 * its fields (the fast path looks for a feature where the previous records had it first).
 */
class InputGuardFastPathProperties {
  static final InputGuard GUARD =
      InputGuard.of(InputGuardTest.SCHEMA, InputGuardTest.profile(), Policy.REJECT, Map.of());

  @Provide
  Arbitrary<Object> values() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(-5, 120).map(Object.class::cast),
        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE).map(Object.class::cast),
        Arbitraries.doubles().between(-0.5, 1.5).map(Object.class::cast),
        Arbitraries.of(
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.0)
            .map(Object.class::cast),
        Arbitraries.of("mobile", "desktop", "tablet", "", "x".repeat(20_000))
            .map(Object.class::cast),
        Arbitraries.of(true, false).map(Object.class::cast),
        Arbitraries.of(BigInteger.TWO.pow(70), BigInteger.valueOf(30)).map(Object.class::cast));
  }

  /** Mostly good values, often a bad or missing one: both paths are exercised. */
  static Arbitrary<Object> field(Arbitrary<Object> good, Arbitrary<Object> any) {
    return Arbitraries.frequencyOf(
        Tuple.of(6, good), Tuple.of(2, any), Tuple.of(1, Arbitraries.just(null)));
  }

  @Provide
  Arbitrary<Map<String, Object>> records() {
    Arbitrary<Object> any = values();
    return Combinators.combine(
            field(Arbitraries.longs().between(18, 90).map(Object.class::cast), any),
            field(Arbitraries.doubles().between(0, 1).map(Object.class::cast), any),
            field(Arbitraries.of("mobile", "desktop").map(Object.class::cast), any),
            field(Arbitraries.doubles().map(Object.class::cast), any),
            field(any, any),
            Arbitraries.shuffle("age", "ctr", "device", "note", "other", "extra"),
            Arbitraries.integers().between(0, 3))
        .as(
            (age, ctr, device, note, other, order, how) -> {
              Map<String, Object> values = new HashMap<>();
              values.put("age", age);
              values.put("ctr", ctr);
              values.put("device", device);
              values.put("note", note);
              values.put("other", other);
              values.put("extra", "not in the schema");
              // fields in any order, sometimes with names that are equal but not the same
              // strings, sometimes absent instead of null: the fast path guesses positions
              Map<String, Object> m = new LinkedHashMap<>();
              for (String name : order) {
                Object v = values.get(name);
                if (v == null && how == 3) {
                  continue;
                }
                m.put(how == 2 ? new String(name.toCharArray()) : name, v);
              }
              return m;
            });
  }

  @Property(tries = 3000)
  void theFastPathAgreesWithTheFullCheck(@ForAll("records") Map<String, Object> values) {
    Record r = Record.of(values);
    InputGuard.Verdict v = GUARD.check(r);
    boolean clean = v.outcome() == Outcome.PASSED && v.findings().isEmpty();
    Statistics.label("path").collect(GUARD.passes(r) ? "fast" : clean ? "clean, checked" : "found");
    if (GUARD.passes(r)) {
      assertThat(clean).as(r + " took the fast path but " + v.findings()).isTrue();
    }
    boolean commonTypes =
        List.of("age", "ctr", "device").stream()
            .allMatch(
                f -> {
                  Object x = r.get(f);
                  return f.equals("age")
                      ? x instanceof Long
                      : f.equals("ctr") ? x instanceof Double : x instanceof String;
                });
    Object note = r.get("note");
    if (clean && commonTypes && (note == null || note instanceof Double)) {
      assertThat(GUARD.passes(r)).as(r + " passes every check but missed the fast path").isTrue();
    }
  }
}
