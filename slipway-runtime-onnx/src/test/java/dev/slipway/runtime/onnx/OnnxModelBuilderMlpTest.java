package dev.slipway.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.api.DataType;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MLP that {@link OnnxModelBuilder#mlp} writes computes what its weights say. */
class OnnxModelBuilderMlpTest {
  @TempDir Path dir;

  private Predictor load(byte[] model) {
    return new OnnxFormat()
        .load(OnnxModelBuilder.write(dir, "mlp.onnx", model), ModelFormat.LoadOptions.defaults());
  }

  @Test
  void mlpMatchesAPlainJavaForwardPass() {
    OnnxModelBuilder.Mlp mlp = OnnxModelBuilder.mlp(7, 32, 256, 256, 1);
    int rows = 5;
    float[] x = new float[rows * 32];
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    try (Predictor p = load(mlp.onnx())) {
      assertThat(p.signature().inputs())
          .containsExactly(new TensorSpec("x", DataType.FP32, new long[] {-1, 32}));
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("y", DataType.FP32, new long[] {-1, 1}));
      Tensor y =
          p.infer(Map.of("x", new Tensor("x", DataType.FP32, new long[] {rows, 32}, x)), Set.of())
              .get("y");
      assertThat(y.shape()).containsExactly(rows, 1);
      float[] actual = (float[]) y.data();
      double spread = 0;
      for (int r = 0; r < rows; r++) {
        double[] row = new double[32];
        for (int i = 0; i < 32; i++) {
          row[i] = x[r * 32 + i];
        }
        double expected = forward(mlp, row)[0];
        spread = Math.max(spread, Math.abs(expected));
        // float32 sums of 256 terms in another order: agree to ~1e-6 relative
        assertThat((double) actual[r]).isCloseTo(expected, within(1e-4 * Math.max(1, expected)));
      }
      assertThat(spread)
          .as("outputs are not all ~0 (the check would be vacuous)")
          .isGreaterThan(0.1);
    }
  }

  /** Dense layers in double precision: h = relu(prev · W + b), no relu on the last layer. */
  private static double[] forward(OnnxModelBuilder.Mlp mlp, double[] input) {
    double[] h = input;
    int layers = mlp.weights().length;
    for (int l = 0; l < layers; l++) {
      int in = mlp.widths()[l];
      int out = mlp.widths()[l + 1];
      double[] next = new double[out];
      for (int j = 0; j < out; j++) {
        double s = mlp.biases()[l][j];
        for (int i = 0; i < in; i++) {
          s += h[i] * mlp.weights()[l][i * out + j];
        }
        next[j] = l < layers - 1 ? Math.max(0, s) : s;
      }
      h = next;
    }
    return h;
  }

  @Test
  void theSameSeedGivesTheSameModel() {
    assertThat(OnnxModelBuilder.mlp(3, 4, 8, 2).onnx())
        .isEqualTo(OnnxModelBuilder.mlp(3, 4, 8, 2).onnx())
        .isNotEqualTo(OnnxModelBuilder.mlp(4, 4, 8, 2).onnx());
  }

  @Test
  void initializerRejectsValuesThatDoNotFillItsShape() {
    assertThatThrownBy(() -> new OnnxModelBuilder().initializer("w", new float[5], 2, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 values for 6 elements");
  }
}
