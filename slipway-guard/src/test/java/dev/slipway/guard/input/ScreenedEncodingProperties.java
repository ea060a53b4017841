package dev.slipway.guard.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.ScreenedEncoder;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.api.codec.TabularSpec;
import dev.slipway.guard.input.InputGuard.Outcome;
import dev.slipway.guard.input.InputGuard.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The model's codec screening values while it encodes them ({@link TabularCodec#screened} with
 * {@link InputGuard#screen}) agrees with the guard: with the codec's categories equal to the
 * feature's domain, a record is plain exactly when {@link InputGuard#passes} lets it through — on
 * the bounds, next to them, with the wrong types, missing values and fields in any order within one
 * batch — and a plain record's row is exactly what {@link TabularCodec#encode} gives for it. With
 * categories that differ from the domain, a plain record is still one the full check finds nothing
 * in.
 */
class ScreenedEncodingProperties {
  static final InputGuard GUARD = InputGuardFastPathProperties.GUARD;

  /** The guard's schema encoded: age and ctr standardised, device one-hot, note as it is. */
  static TabularCodec codec(String... categories) {
    List<TabularSpec.Column> columns = new ArrayList<>();
    columns.add(TabularSpec.Column.numeric("age", 40, 10));
    columns.add(TabularSpec.Column.numeric("ctr", 0.1, 0.05));
    for (String c : categories) {
      columns.add(TabularSpec.Column.indicator("device", c));
    }
    columns.add(TabularSpec.Column.numeric("note", 0, 1));
    return new TabularCodec(
        new TabularSpec(
            "input", "output", InputGuardTest.SCHEMA.fields(), columns, List.of("a", "b"), "a"));
  }

  static final TabularCodec SAME = codec("desktop", "mobile");
  static final ScreenedEncoder SAME_SCREENED = SAME.screened(GUARD.screen()).orElseThrow();

  @Provide
  Arbitrary<List<Map<String, Object>>> batches() {
    InputGuardFastPathProperties fields = new InputGuardFastPathProperties();
    // the bounds of age [18, 90] and ctr [0, 1], and the numbers right next to them
    Arbitrary<Object> edges =
        Arbitraries.of(
            17L,
            18L,
            90L,
            91L,
            0.0,
            -0.0,
            1.0,
            Math.nextUp(1.0),
            Math.nextDown(0.0),
            Double.MIN_VALUE,
            18.0,
            90.0,
            Math.nextDown(18.0),
            Math.nextUp(90.0));
    Arbitrary<Map<String, Object>> record =
        Arbitraries.oneOf(
            fields.records(),
            fields.records(),
            fields
                .records()
                .flatMap(
                    m ->
                        Arbitraries.of("age", "ctr", "note")
                            .flatMap(
                                f ->
                                    edges.map(
                                        v -> {
                                          Map<String, Object> c = new java.util.LinkedHashMap<>(m);
                                          c.put(f, v);
                                          return c;
                                        }))));
    return record.list().ofMinSize(1).ofMaxSize(12);
  }

  static List<Record> records(List<Map<String, Object>> batch) {
    return batch.stream().map(Record::of).toList();
  }

  @Property(tries = 2000)
  void aRecordIsPlainExactlyWhenTheGuardLetsItThrough(
      @ForAll("batches") List<Map<String, Object>> batch) {
    List<Record> rs = records(batch);
    boolean[] plain = new boolean[rs.size()];
    float[] x = (float[]) SAME_SCREENED.encode(rs, plain).get("input").data();
    int width = x.length / rs.size();
    for (int i = 0; i < rs.size(); i++) {
      Record r = rs.get(i);
      Statistics.label("plain").collect(plain[i]);
      assertThat(plain[i]).as("plain %s", r).isEqualTo(GUARD.passes(r));
      if (plain[i]) {
        Tensor alone = SAME.encode(List.of(r)).get("input");
        assertThat(Arrays.copyOfRange(x, i * width, (i + 1) * width))
            .as("row of %s", r)
            .containsExactly((float[]) alone.data());
        InputGuard.Verdict v = GUARD.check(r);
        assertThat(v.outcome()).isEqualTo(Outcome.PASSED);
        assertThat(v.findings()).isEmpty();
      }
    }
  }

  @Property(tries = 1000)
  void withOtherCategoriesAPlainRecordStillPassesEveryCheck(
      @ForAll("batches") List<Map<String, Object>> batch,
      @ForAll("categories") List<String> categories) {
    TabularCodec codec = codec(categories.toArray(String[]::new));
    ScreenedEncoder screened = codec.screened(GUARD.screen()).orElseThrow();
    List<Record> rs = records(batch);
    boolean[] plain = new boolean[rs.size()];
    screened.encode(rs, plain);
    for (int i = 0; i < rs.size(); i++) {
      if (plain[i]) {
        assertThat(GUARD.check(rs.get(i)).findings()).as("%s", rs.get(i)).isEmpty();
      }
    }
  }

  /** The same features as plain columns (every one required), as a column model takes them. */
  static final dev.slipway.api.codec.RecordCodec COLUMNS =
      dev.slipway.api.codec.ColumnCodec.forSignature(
              new dev.slipway.api.Signature(
                  InputGuardTest.SCHEMA.fields().stream()
                      .map(f -> new dev.slipway.api.TensorSpec(f.name(), f.type(), new long[] {-1}))
                      .toList(),
                  List.of()))
          .orElseThrow();

  static final InputGuard COLUMN_GUARD =
      new InputGuard(
          InputGuardTest.SCHEMA.fields().stream()
              .map(f -> new InputGuard.Rule(f.withNullable(false), Policy.REJECT, null))
              .toList());

  @Property(tries = 1000)
  void aColumnModelsCodecScreensExactlyAsTheGuardChecks(
      @ForAll("batches") List<Map<String, Object>> batch) {
    ScreenedEncoder screened = COLUMNS.screened(COLUMN_GUARD.screen()).orElseThrow();
    List<Record> rs = records(batch);
    boolean[] plain = new boolean[rs.size()];
    Map<String, Tensor> x = screened.encode(rs, plain);
    for (int i = 0; i < rs.size(); i++) {
      Record r = rs.get(i);
      Statistics.label("plain").collect(plain[i]);
      assertThat(plain[i]).as("plain %s", r).isEqualTo(COLUMN_GUARD.passes(r));
      if (plain[i]) {
        Map<String, Tensor> alone = COLUMNS.encode(List.of(r));
        for (Tensor t : alone.values()) {
          assertThat(x.get(t.name()).get(i)).as("%s of %s", t.name(), r).isEqualTo(t.get(0));
        }
      }
    }
  }

  @Provide
  Arbitrary<List<String>> categories() {
    return Arbitraries.of("mobile", "desktop", "tablet", "").list().uniqueElements().ofMaxSize(4);
  }

  @Property(tries = 200)
  void aScreenThatDoesNotDescribeTheCodecsFieldsIsRefused(
      @ForAll("categories") List<String> categories) {
    TabularCodec codec = codec(categories.toArray(String[]::new));
    List<dev.slipway.api.codec.ValueScreen.Limit> limits = new ArrayList<>(GUARD.screen().limits());
    limits.remove(limits.size() - 1);
    assertThat(codec.screened(new dev.slipway.api.codec.ValueScreen(limits))).isEmpty();
    dev.slipway.api.codec.ValueScreen.Limit age = limits.get(0);
    limits.set(
        0,
        new dev.slipway.api.codec.ValueScreen.Limit(
            age.field(),
            dev.slipway.api.DataType.FP64,
            age.nullable(),
            age.min(),
            age.max(),
            null,
            0));
    limits.add(GUARD.screen().limits().get(3));
    assertThat(codec.screened(new dev.slipway.api.codec.ValueScreen(limits))).isEmpty();
  }
}
