package dev.slipway.serving.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import dev.slipway.runtime.onnx.OnnxFormat;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicBatcherTest {
  @TempDir Path dir;

  /** Counts model calls and the rows of the largest one. */
  static final class Counting implements Predictor {
    final Predictor inner;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger maxRows = new AtomicInteger();

    Counting(Predictor inner) {
      this.inner = inner;
    }

    @Override
    public Signature signature() {
      return inner.signature();
    }

    @Override
    public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
      calls.incrementAndGet();
      maxRows.accumulateAndGet((int) inputs.get("a").shape()[0], Math::max);
      return inner.infer(inputs, outputs);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @Test
  void concurrentRequestsAreAnsweredTogetherEachWithItsOwnRows() throws Exception {
    Path file = OnnxModelBuilder.write(dir, "add.onnx", OnnxModelBuilder.add(-1, 2));
    try (Counting model =
            new Counting(new OnnxFormat().load(file, ModelFormat.LoadOptions.defaults()));
        DynamicBatcher batcher = new DynamicBatcher(model, 16, Duration.ofMillis(5), 1, "add")) {
      ExecutorService pool = Executors.newFixedThreadPool(32);
      List<Future<float[]>> answers = new ArrayList<>();
      for (int i = 0; i < 320; i++) {
        float v = i;
        int rows = 1 + i % 3;
        answers.add(
            pool.submit(
                () -> {
                  float[] a = new float[rows * 2];
                  java.util.Arrays.fill(a, v);
                  Tensor ta = new Tensor("a", DataType.FP32, new long[] {rows, 2}, a);
                  Tensor tb =
                      new Tensor("b", DataType.FP32, new long[] {rows, 2}, new float[rows * 2]);
                  Tensor sum =
                      batcher.infer(Map.of("a", ta, "b", tb), Duration.ofSeconds(10)).get("sum");
                  assertThat(sum.shape()).containsExactly(rows, 2);
                  return (float[]) sum.data();
                }));
      }
      for (int i = 0; i < answers.size(); i++) {
        float[] got = answers.get(i).get();
        assertThat(got).hasSize((1 + i % 3) * 2).containsOnly((float) i);
      }
      pool.shutdown();
      assertThat(model.calls.get()).as("fewer model calls than requests").isLessThan(320);
      assertThat(model.maxRows.get()).isBetween(2, 16);
    }
  }

  @Test
  void concatAndSliceAreInverse() {
    Tensor a = new Tensor("x", DataType.INT64, new long[] {2, 3}, new long[] {1, 2, 3, 4, 5, 6});
    Tensor b = new Tensor("x", DataType.INT64, new long[] {1, 3}, new long[] {7, 8, 9});
    Tensor ab = DynamicBatcher.concat(List.of(a, b));
    assertThat(ab.shape()).containsExactly(3, 3);
    assertThat(DynamicBatcher.slice(ab, 0, 2)).isEqualTo(a);
    assertThat(DynamicBatcher.slice(ab, 2, 1)).isEqualTo(b);
  }

  @Test
  void aRequestOverItsLatencyBudgetIs503() throws Exception {
    Predictor slow =
        new Predictor() {
          @Override
          public Signature signature() {
            return new Signature(List.of(), List.of());
          }

          @Override
          public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
            try {
              Thread.sleep(300);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return inputs;
          }

          @Override
          public void close() {}
        };
    try (DynamicBatcher batcher = new DynamicBatcher(slow, 4, Duration.ofMillis(1), 1, "slow")) {
      Tensor x = new Tensor("x", DataType.FP32, new long[] {1}, new float[] {1});
      assertThatThrownBy(() -> batcher.infer(Map.of("x", x), Duration.ofMillis(50)))
          .isInstanceOf(ModelUnavailableException.class)
          .hasMessageContaining("latency budget of 50 ms");
    }
  }
}
