package dev.slipway.guard.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.Tensor;
import dev.slipway.guard.output.OutputGuard.Finding;
import dev.slipway.guard.output.OutputGuard.Range;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link OutputGuard#failures}, which walks each output once for all rows, finds for every row
 * exactly what {@link OutputGuard#check} finds for it.
 */
class OutputGuardFailuresProperties {
  static final OutputGuard GUARD =
      new OutputGuard(
          Map.of("score", new Range(0.0, 1.0), "count", new Range(null, 10.0)),
          "probabilities",
          0.6);

  @Provide
  Arbitrary<Double> numbers() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().between(-0.5, 1.5),
        Arbitraries.of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            0.0,
            -0.0,
            1.0,
            0.6,
            Math.nextUp(1.0),
            Math.nextDown(0.0)));
  }

  @Property(tries = 1000)
  void failuresAreTheRowByRowChecks(
      @ForAll @IntRange(min = 0, max = 6) int rows,
      @ForAll List<@From("numbers") Double> pool,
      @ForAll @IntRange(min = 0, max = 12) long count,
      @ForAll boolean floatScore) {
    if (pool.isEmpty()) {
      pool = List.of(0.5);
    }
    float[] probabilities = new float[rows * 2];
    double[] score = new double[rows];
    long[] counts = new long[rows];
    for (int i = 0; i < rows * 2; i++) {
      probabilities[i] = pool.get(i % pool.size()).floatValue();
    }
    for (int i = 0; i < rows; i++) {
      score[i] = pool.get((i * 7 + 3) % pool.size());
      counts[i] = (count + i) % 13;
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put(
        "probabilities",
        new Tensor("probabilities", DataType.FP32, new long[] {rows, 2}, probabilities));
    out.put("label", new Tensor("label", DataType.BYTES, new long[] {rows}, new String[rows]));
    if (floatScore) { // floats are scanned in one pass before any row is looked at alone
      float[] f = new float[rows];
      for (int i = 0; i < rows; i++) {
        f[i] = (float) score[i];
      }
      out.put("score", new Tensor("score", DataType.FP32, new long[] {rows}, f));
    } else {
      out.put("score", new Tensor("score", DataType.FP64, new long[] {rows}, score));
    }
    out.put("count", new Tensor("count", DataType.INT64, new long[] {rows}, counts));

    List<Map.Entry<Integer, Finding>> expected = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      Optional<Finding> f = GUARD.check(out, i, rows);
      if (f.isPresent()) {
        expected.add(Map.entry(i, f.get()));
      }
    }
    assertThat(GUARD.failures(out, rows)).isEqualTo(expected);
  }
}
