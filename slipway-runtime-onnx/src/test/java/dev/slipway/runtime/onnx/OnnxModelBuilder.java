package dev.slipway.runtime.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.slipway.api.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes small ONNX models (ModelProto, opset 13) for tests, field by field with protobuf's wire
 * encoder, so that tests can load real models of every element type without shipping binaries.
 * Field numbers follow onnx.proto. Not thread-safe.
 */
public final class OnnxModelBuilder {
  private final List<byte[]> nodes = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<byte[]> inputs = new ArrayList<>();
  private final List<byte[]> outputs = new ArrayList<>();

  /** A model whose output {@code y} is its input {@code x} (ONNX Identity) of the given type. */
  public static byte[] identity(DataType type, long... shape) {
    return new OnnxModelBuilder()
        .input("x", type, shape)
        .output("y", type, shape)
        .node("Identity", List.of("x"), List.of("y"), null)
        .build();
  }

  /** A model that casts input {@code x} of one type to output {@code y} of another. */
  public static byte[] cast(DataType from, DataType to, long... shape) {
    return new OnnxModelBuilder()
        .input("x", from, shape)
        .output("y", to, shape)
        .node("Cast", List.of("x"), List.of("y"), elemType(to))
        .build();
  }

  /** A model with two FP32 inputs {@code a}, {@code b} and output {@code sum = a + b}. */
  public static byte[] add(long... shape) {
    return new OnnxModelBuilder()
        .input("a", DataType.FP32, shape)
        .input("b", DataType.FP32, shape)
        .output("sum", DataType.FP32, shape)
        .node("Add", List.of("a", "b"), List.of("sum"), null)
        .build();
  }

  /**
   * A multi-layer perceptron with seeded random weights: input {@code x} of shape {@code [-1,
   * widths[0]]}, then for each next width a dense layer {@code h = prev · W + b} (MatMul, Add),
   * followed by Relu on every layer but the last, whose result is output {@code y} of shape {@code
   * [-1, widths[last]]}. Weights are uniform in ±sqrt(3 / fan-in) (unit variance in, unit variance
   * out), biases uniform in ±0.1; the same seed and widths give the same model.
   *
   * @param widths at least two layer widths, input first
   */
  public static Mlp mlp(long seed, int... widths) {
    if (widths.length < 2) {
      throw new IllegalArgumentException("an MLP needs an input and an output width");
    }
    SplittableRandom random = new SplittableRandom(seed);
    int layers = widths.length - 1;
    float[][] weights = new float[layers][];
    float[][] biases = new float[layers][];
    OnnxModelBuilder b =
        new OnnxModelBuilder()
            .input("x", DataType.FP32, -1, widths[0])
            .output("y", DataType.FP32, -1, widths[layers]);
    String prev = "x";
    for (int l = 0; l < layers; l++) {
      int in = widths[l];
      int out = widths[l + 1];
      double scale = Math.sqrt(3.0 / in);
      weights[l] = new float[in * out];
      for (int i = 0; i < weights[l].length; i++) {
        weights[l][i] = (float) ((random.nextDouble() * 2 - 1) * scale);
      }
      biases[l] = new float[out];
      for (int i = 0; i < out; i++) {
        biases[l][i] = (float) ((random.nextDouble() * 2 - 1) * 0.1);
      }
      boolean last = l == layers - 1;
      String w = "w" + l;
      String bias = "b" + l;
      String product = "mm" + l;
      String sum = last ? "y" : "dense" + l;
      b.initializer(w, weights[l], in, out)
          .initializer(bias, biases[l], out)
          .node("MatMul", List.of(prev, w), List.of(product), null)
          .node("Add", List.of(product, bias), List.of(sum), null);
      if (!last) {
        b.node("Relu", List.of(sum), List.of("relu" + l), null);
        prev = "relu" + l;
      }
    }
    return new Mlp(b.build(), widths.clone(), weights, biases);
  }

  /**
   * A model built by {@link #mlp} with its parameters, so that a test can compute the same function
   * without ONNX Runtime.
   *
   * @param onnx the serialized model
   * @param widths the layer widths, input first
   * @param weights per layer, the {@code widths[l] × widths[l+1]} matrix, row-major
   * @param biases per layer, {@code widths[l+1]} values
   */
  public record Mlp(byte[] onnx, int[] widths, float[][] weights, float[][] biases) {}

  public static Path write(Path dir, String fileName, byte[] model) {
    try {
      return Files.write(dir.resolve(fileName), model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public OnnxModelBuilder input(String name, DataType type, long... shape) {
    inputs.add(valueInfo(name, type, shape));
    return this;
  }

  public OnnxModelBuilder output(String name, DataType type, long... shape) {
    outputs.add(valueInfo(name, type, shape));
    return this;
  }

  /**
   * Adds a constant FP32 tensor to the graph (an initializer: weights, biases), stored as raw
   * little-endian data, which nodes name as an input.
   *
   * @param values {@code product(dims)} values, row-major
   */
  public OnnxModelBuilder initializer(String name, float[] values, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(
          "initializer " + name + ": " + values.length + " values for " + n + " elements");
    }
    ByteBuffer raw =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    initializers.add(
        message(
            t -> {
              for (long d : dims) {
                t.writeInt64(1, d);
              }
              t.writeInt32(2, elemType(DataType.FP32));
              t.writeString(8, name);
              t.writeByteArray(9, raw.array());
            }));
    return this;
  }

  /** Adds a node; {@code castTo} is the {@code to} attribute of a Cast node, else null. */
  public OnnxModelBuilder node(String op, List<String> in, List<String> out, Integer castTo) {
    nodes.add(
        message(
            o -> {
              for (String s : in) {
                o.writeString(1, s);
              }
              for (String s : out) {
                o.writeString(2, s);
              }
              o.writeString(3, op + "_" + nodes.size());
              o.writeString(4, op);
              if (castTo != null) {
                o.writeByteArray(
                    5,
                    message(
                        a -> {
                          a.writeString(1, "to");
                          a.writeInt64(3, castTo);
                          a.writeEnum(20, 2); // AttributeType.INT
                        }));
              }
            }));
    return this;
  }

  public byte[] build() {
    byte[] graph =
        message(
            g -> {
              for (byte[] n : nodes) {
                g.writeByteArray(1, n);
              }
              g.writeString(2, "test_graph");
              for (byte[] t : initializers) {
                g.writeByteArray(5, t);
              }
              for (byte[] i : inputs) {
                g.writeByteArray(11, i);
              }
              for (byte[] o : outputs) {
                g.writeByteArray(12, o);
              }
            });
    return message(
        m -> {
          m.writeInt64(1, 8); // ir_version
          m.writeString(2, "slipway-tests");
          m.writeByteArray(7, graph);
          m.writeByteArray(
              8,
              message(
                  op -> {
                    op.writeString(1, "");
                    op.writeInt64(2, 13);
                  }));
        });
  }

  private static byte[] valueInfo(String name, DataType type, long[] shape) {
    byte[] dims =
        message(
            s -> {
              for (long d : shape) {
                s.writeByteArray(
                    1,
                    message(
                        dim -> {
                          if (d < 0) {
                            dim.writeString(2, "n");
                          } else {
                            dim.writeInt64(1, d);
                          }
                        }));
              }
            });
    byte[] tensorType =
        message(
            t -> {
              t.writeInt32(1, elemType(type));
              t.writeByteArray(2, dims);
            });
    return message(
        v -> {
          v.writeString(1, name);
          v.writeByteArray(2, message(tp -> tp.writeByteArray(1, tensorType)));
        });
  }

  /** The TensorProto.DataType number of an element type. */
  public static int elemType(DataType type) {
    return switch (type) {
      case FP32 -> 1;
      case UINT8 -> 2;
      case INT8 -> 3;
      case UINT16 -> 4;
      case INT16 -> 5;
      case INT32 -> 6;
      case INT64 -> 7;
      case BYTES -> 8;
      case BOOL -> 9;
      case FP64 -> 11;
      case UINT32 -> 12;
      case UINT64 -> 13;
    };
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writer w) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      w.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ByteString bytes(byte[] b) {
    return ByteString.copyFrom(b);
  }
}
