package dev.slipway.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxPredictorTest {
  @TempDir Path dir;
  private final OnnxFormat format = new OnnxFormat();

  private Predictor load(byte[] model) {
    return format.load(
        OnnxModelBuilder.write(dir, "m.onnx", model), ModelFormat.LoadOptions.defaults());
  }

  @Test
  void isFoundByServiceLoaderAsOnnx() {
    assertThat(ServiceLoader.load(ModelFormat.class).stream().map(p -> p.get().name()))
        .contains("onnx");
  }

  @Test
  void readsInputAndOutputMetadataFromTheModel() {
    try (Predictor p = load(OnnxModelBuilder.add(-1, 3))) {
      assertThat(p.signature().inputs())
          .containsExactly(
              new TensorSpec("a", DataType.FP32, new long[] {-1, 3}),
              new TensorSpec("b", DataType.FP32, new long[] {-1, 3}));
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("sum", DataType.FP32, new long[] {-1, 3}));
    }
  }

  @Test
  void computesABatch() {
    try (Predictor p = load(OnnxModelBuilder.add(-1, 2))) {
      Tensor a = new Tensor("a", DataType.FP32, new long[] {2, 2}, new float[] {1, 2, 3, 4});
      Tensor b = new Tensor("b", DataType.FP32, new long[] {2, 2}, new float[] {10, 20, 30, 40});
      Tensor sum = p.infer(Map.of("a", a, "b", b), Set.of()).get("sum");
      assertThat(sum.shape()).containsExactly(2, 2);
      assertThat((float[]) sum.data()).containsExactly(11, 22, 33, 44);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"BOOL", "INT8", "INT16", "INT32", "INT64", "UINT8", "FP32", "FP64", "BYTES"})
  void roundTripsEveryFeedableElementType(DataType type) {
    try (Predictor p = load(OnnxModelBuilder.identity(type, -1))) {
      Object data =
          switch (type) {
            case BOOL -> new boolean[] {true, false, true};
            case INT8 -> new byte[] {-128, 0, 127};
            case UINT8 -> new byte[] {0, 1, (byte) 255};
            case INT16 -> new short[] {Short.MIN_VALUE, 0, Short.MAX_VALUE};
            case INT32 -> new int[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE};
            case INT64 -> new long[] {Long.MIN_VALUE, 7, Long.MAX_VALUE};
            case FP32 -> new float[] {-1.5f, 0, 3.25f};
            case FP64 -> new double[] {-1.5, 1e-300, 3.25};
            case BYTES -> new String[] {"a", "", "ünïcode"};
            default -> throw new AssertionError(type);
          };
      Tensor x = new Tensor("x", type, new long[] {3}, data);
      Tensor y = p.infer(Map.of("x", x), Set.of("y")).get("y");
      assertThat(y.type()).isEqualTo(type);
      assertThat(y.data()).isEqualTo(data);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64"})
  void readsUnsignedOutputsByTheirBitPattern(DataType type) {
    try (Predictor p = load(OnnxModelBuilder.cast(DataType.INT64, type, -1))) {
      Tensor x = new Tensor("x", DataType.INT64, new long[] {2}, new long[] {1, 65535});
      Tensor y = p.infer(Map.of("x", x), Set.of()).get("y");
      assertThat(y.type()).isEqualTo(type);
      assertThat(y.get(0)).isEqualTo(1L);
      assertThat(y.get(1)).isEqualTo(65535L);
    }
  }

  @Test
  void refusesAFileThatIsNotAModelWithAClearError() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.onnx"), "this is not protobuf");
    assertThatThrownBy(() -> format.load(junk, ModelFormat.LoadOptions.defaults()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("junk.onnx")
        .hasMessageContaining("ONNX model");
  }

  @Test
  void servesManyThreadsAtOnce() throws Exception {
    try (Predictor p = load(OnnxModelBuilder.add(-1))) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Float>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        float v = i;
        results.add(
            pool.submit(
                () -> {
                  Tensor a = new Tensor("a", DataType.FP32, new long[] {1}, new float[] {v});
                  Tensor b = new Tensor("b", DataType.FP32, new long[] {1}, new float[] {1});
                  return ((float[]) p.infer(Map.of("a", a, "b", b), Set.of()).get("sum").data())[0];
                }));
      }
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get()).isEqualTo(i + 1f);
      }
      pool.shutdown();
    }
  }

  @Test
  void refusesCallsAfterClose() {
    Predictor p = load(OnnxModelBuilder.identity(DataType.FP32, -1));
    p.close();
    p.close(); // idempotent
    Tensor x = new Tensor("x", DataType.FP32, new long[] {1}, new float[] {1});
    assertThatThrownBy(() -> p.infer(Map.of("x", x), Set.of()))
        .isInstanceOf(ModelUnavailableException.class);
  }
}
