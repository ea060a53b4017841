package dev.slipway.guard.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.Tensor;
import dev.slipway.guard.output.OutputGuard.Problem;
import dev.slipway.guard.output.OutputGuard.Range;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputGuardTest {
  static Map<String, Tensor> outputs(float[] probabilities, double[] score) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put(
        "probabilities",
        new Tensor("probabilities", DataType.FP32, new long[] {score.length, 2}, probabilities));
    m.put("score", new Tensor("score", DataType.FP64, new long[] {score.length}, score));
    m.put(
        "label",
        new Tensor("label", DataType.BYTES, new long[] {score.length}, new String[score.length]));
    return m;
  }

  final OutputGuard guard =
      new OutputGuard(Map.of("score", new Range(0.0, 1.0)), "probabilities", 0.6);

  @Test
  void eachRowIsCheckedForFinitenessRangeAndConfidence() {
    Map<String, Tensor> out =
        outputs(
            new float[] {0.9f, 0.1f, 0.55f, 0.45f, Float.NaN, 0.5f, 0.2f, 0.8f},
            new double[] {0.1, 0.45, 0.5, 1.5});
    assertThat(guard.check(out, 0, 4)).isEmpty();
    assertThat(guard.check(out, 1, 4).orElseThrow().problem()).isEqualTo(Problem.LOW_CONFIDENCE);
    assertThat(guard.check(out, 2, 4).orElseThrow().problem()).isEqualTo(Problem.NOT_FINITE);
    OutputGuard.Finding range = guard.check(out, 3, 4).orElseThrow();
    assertThat(range.problem()).isEqualTo(Problem.OUT_OF_RANGE);
    assertThat(range.output()).isEqualTo("score");
    assertThat(range.detail()).contains("1.5").contains("[0.0, 1.0]");
    assertThat(guard.failures(out, 4)).extracting(Map.Entry::getKey).containsExactly(1, 2, 3);
  }

  @Test
  void finiteOnlyAcceptsAnyFiniteAnswer() {
    Map<String, Tensor> out = outputs(new float[] {0.5f, 0.5f}, new double[] {7});
    assertThat(OutputGuard.FINITE_ONLY.check(out, 0, 1)).isEmpty();
  }
}
