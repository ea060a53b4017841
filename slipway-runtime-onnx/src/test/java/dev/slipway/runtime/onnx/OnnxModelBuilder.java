package dev.slipway.runtime.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.slipway.api.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models (ModelProto, opset 13) for tests, field by field with protobuf's wire
 * encoder, so that tests can load real models of every element type without shipping binaries.
 * Field numbers follow onnx.proto.
 */
public final class OnnxModelBuilder {
  private final List<byte[]> nodes = new ArrayList<>();
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
