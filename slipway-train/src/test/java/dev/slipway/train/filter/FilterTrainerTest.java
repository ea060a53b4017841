package dev.slipway.train.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.train.AdClickDemo;
import dev.slipway.train.ServedModel;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.data.AdClickGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FilterTrainerTest {
  static final Schema SYNTHETIC =
      new Schema(
          List.of(
              Field.numeric("x", DataType.FP64, 0.0, 10.0, "where the main model breaks"),
              Field.numeric("noise", DataType.FP64, 0.0, 1.0, "irrelevant"),
              Field.categorical("colour", List.of("red", "green", "blue"), "irrelevant")));

  /** Rows with x uniform in [0, 10]; the main model is wrong exactly when x > 8.5 (15%). */
  static List<Record> syntheticRows(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Record> rows = new ArrayList<>(n);
    String[] colours = {"red", "green", "blue"};
    for (int i = 0; i < n; i++) {
      rows.add(
          Record.of(
              Map.of(
                  "x",
                  10 * r.nextDouble(),
                  "noise",
                  r.nextDouble(),
                  "colour",
                  colours[r.nextInt(3)])));
    }
    return rows;
  }

  static boolean[] wrongAboveEightAndAHalf(List<Record> rows) {
    boolean[] failed = new boolean[rows.size()];
    for (int i = 0; i < failed.length; i++) {
      failed[i] = (Double) rows.get(i).get("x") > 8.5;
    }
    return failed;
  }

  @Test
  void findsTheRegionWhereTheMainModelIsWrongWithHighPrecisionAndRecall() {
    List<Record> rows = syntheticRows(3000, 1);
    FilterModel filter =
        new FilterTrainer(FilterTrainer.Options.defaults(5))
            .train(SYNTHETIC, rows, wrongAboveEightAndAHalf(rows));
    FilterReport r = filter.report();
    System.out.println("synthetic region: " + r + ", threshold " + filter.threshold());

    assertThat(r.precision()).isGreaterThan(0.9);
    assertThat(r.recall()).isGreaterThan(0.9);
    assertThat(r.auc()).isGreaterThan(0.98);
    assertThat(r.routedShare()).isBetween(0.12, 0.18);
    assertThat(r.accuracyAll()).isBetween(0.82, 0.88);
    assertThat(r.accuracyKept()).isGreaterThan(0.98);
    assertThat(r.measureRows()).isEqualTo(1200);
    assertThat(r.trainRows()).isEqualTo(1800);
    assertThat(r.rows()).isEqualTo(3000);
    assertThat(filter.spec().positiveLabel()).isEqualTo(FilterTrainer.FAIL);
    assertThat(filter.thresholdChoice()).isEqualTo("max_f1");
  }

  @Test
  void theReportIsWhatTheExportedFilterDoesOnTheMeasuringRows() {
    List<Record> rows = syntheticRows(2000, 2);
    boolean[] failed = wrongAboveEightAndAHalf(rows);
    FilterModel filter =
        new FilterTrainer(FilterTrainer.Options.defaults(3)).train(SYNTHETIC, rows, failed);
    // Score every row with the exported model, as serving will; the measuring rows are those not
    // in the training part, so over all rows the counts must add up to at least the report's.
    try (ServedModel served = new ServedModel(asTrained(filter))) {
      float[] score = served.scores(rows);
      int routed = 0;
      int caught = 0;
      for (int i = 0; i < score.length; i++) {
        if (score[i] >= filter.threshold()) {
          routed++;
          caught += failed[i] ? 1 : 0;
        }
      }
      assertThat(routed).isGreaterThanOrEqualTo(filter.report().routed());
      assertThat((double) caught / routed).isCloseTo(filter.report().precision(), within(0.05));
    }
  }

  @Test
  void sameSeedSameFilterByteForByte() {
    List<Record> rows = syntheticRows(1500, 3);
    boolean[] failed = wrongAboveEightAndAHalf(rows);
    FilterModel a =
        new FilterTrainer(FilterTrainer.Options.defaults(9)).train(SYNTHETIC, rows, failed);
    FilterModel b =
        new FilterTrainer(FilterTrainer.Options.defaults(9)).train(SYNTHETIC, rows, failed);
    FilterModel c =
        new FilterTrainer(FilterTrainer.Options.defaults(10)).train(SYNTHETIC, rows, failed);
    assertThat(a).isEqualTo(b);
    assertThat(a.onnx()).isEqualTo(b.onnx());
    assertThat(a.report()).isEqualTo(b.report());
    assertThat(c.onnx()).isNotEqualTo(a.onnx());
  }

  @Test
  void aConfiguredThresholdIsUsedAsIs() {
    List<Record> rows = syntheticRows(1500, 4);
    FilterModel f =
        new FilterTrainer(FilterTrainer.Options.defaults(1).withThreshold(0.99))
            .train(SYNTHETIC, rows, wrongAboveEightAndAHalf(rows));
    assertThat(f.threshold()).isEqualTo(0.99);
    assertThat(f.thresholdChoice()).isEqualTo("configured");
    FilterModel low =
        new FilterTrainer(FilterTrainer.Options.defaults(1).withThreshold(0.01))
            .train(SYNTHETIC, rows, wrongAboveEightAndAHalf(rows));
    assertThat(low.report().routedShare()).isGreaterThan(f.report().routedShare());
  }

  @Test
  void labelsClassifierAndRegressorOutcomes() {
    assertThat(FilterTrainer.failures(List.of("a", "b", "a"), List.of("a", "a", "a")))
        .containsExactly(false, true, false);
    assertThat(
            FilterTrainer.failures(
                Arrays.asList(null, "1"), List.of("x", 1L))) // compared as strings
        .containsExactly(true, false);
    assertThat(
            FilterTrainer.failures(
                new double[] {1.0, 2.0, Double.NaN}, new double[] {1.4, 2.6, 0}, 0.5))
        .containsExactly(false, true, true);
    assertThatThrownBy(() -> FilterTrainer.failures(List.of("a"), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesRowsWithTooFewFailuresToLearnFrom() {
    List<Record> rows = syntheticRows(200, 5);
    boolean[] failed = new boolean[rows.size()];
    failed[0] = true;
    assertThatThrownBy(
            () ->
                new FilterTrainer(FilterTrainer.Options.defaults(1)).train(SYNTHETIC, rows, failed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows the main model got wrong")
        .hasMessageContaining("send more rows");
  }

  @Test
  void onTheDemoModelKeptRequestsAreMoreAccurateThanAll() {
    TrainedModel main = AdClickDemo.train(42, 20_000);
    List<Record> heldOut = new AdClickGenerator(4242).generate(4000);
    List<Object> predicted;
    try (ServedModel served = new ServedModel(main)) {
      predicted = Arrays.asList((Object[]) served.predict(heldOut).get("label").data());
    }
    List<Object> truth = heldOut.stream().map(r -> r.get(AdClickGenerator.LABEL)).toList();
    boolean[] failed = FilterTrainer.failures(predicted, truth);

    FilterModel balanced =
        new FilterTrainer(FilterTrainer.Options.defaults(7))
            .train(new Schema(main.spec().fields()), heldOut, failed);
    FilterModel unbalanced =
        new FilterTrainer(FilterTrainer.Options.defaults(7).withBalance(false))
            .train(new Schema(main.spec().fields()), heldOut, failed);
    System.out.println("demo, balanced:   " + balanced.report() + " at " + balanced.threshold());
    System.out.println(
        "demo, unbalanced: " + unbalanced.report() + " at " + unbalanced.threshold());

    FilterReport r = balanced.report();
    assertThat(r.accuracyKept()).isGreaterThan(r.accuracyAll());
    assertThat(r.routedShare()).isBetween(0.01, 0.5);
    assertThat(r.auc()).isGreaterThan(0.65);
    // Routing away rows whose failure rate is above the base rate is what raises accuracy.
    assertThat(r.precision()).isGreaterThan(1 - r.accuracyAll());

    // Without balancing, the failure probabilities stay near the ~5% base rate: at an even-odds
    // threshold such a filter routes (almost) nothing, the balanced one a useful share.
    Schema features = new Schema(main.spec().fields());
    FilterReport evenBalanced =
        new FilterTrainer(FilterTrainer.Options.defaults(7).withThreshold(0.5))
            .train(features, heldOut, failed)
            .report();
    FilterReport evenUnbalanced =
        new FilterTrainer(FilterTrainer.Options.defaults(7).withThreshold(0.5).withBalance(false))
            .train(features, heldOut, failed)
            .report();
    System.out.println("demo, threshold 0.5, balanced:   " + evenBalanced);
    System.out.println("demo, threshold 0.5, unbalanced: " + evenUnbalanced);
    assertThat(evenUnbalanced.routedShare()).isLessThan(0.01);
    assertThat(evenBalanced.routedShare()).isGreaterThan(0.05);
    assertThat(evenBalanced.accuracyKept()).isGreaterThan(evenBalanced.accuracyAll());
  }

  static TrainedModel asTrained(FilterModel f) {
    return new TrainedModel(f.onnx(), f.spec(), Map.of(), Map.of());
  }

  static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
