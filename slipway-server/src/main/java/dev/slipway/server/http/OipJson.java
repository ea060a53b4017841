package dev.slipway.server.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import dev.slipway.api.codec.TypedArrays;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON of the KServe Open Inference Protocol v2 (REST): inference requests in, inference
 * responses and metadata out. Tensor data may be flat or nested (row-major); the element count must
 * match the shape. Stateless.
 */
final class OipJson {
  private OipJson() {}

  static InferenceRequest parseInfer(JsonNode root, String model, Integer version) {
    String id = null;
    JsonNode idNode = root.get("id");
    if (idNode != null && !idNode.isNull()) {
      if (!idNode.isTextual()) {
        throw InvalidInputException.of("id", idNode.toString(), "a string");
      }
      id = idNode.asText();
    }
    JsonNode inputs = root.get("inputs");
    if (inputs == null || inputs.isNull()) {
      throw InvalidInputException.missing("inputs", "a list of input tensors");
    }
    if (!inputs.isArray() || inputs.isEmpty()) {
      throw InvalidInputException.of(
          "inputs", inputs.toString(), "a non-empty list of input tensors");
    }
    List<Tensor> tensors = new ArrayList<>(inputs.size());
    for (int k = 0; k < inputs.size(); k++) {
      tensors.add(parseTensor(inputs.get(k), "inputs[" + k + "]"));
    }
    Set<String> outputs = new LinkedHashSet<>();
    JsonNode outs = root.get("outputs");
    if (outs != null && !outs.isNull()) {
      if (!outs.isArray()) {
        throw InvalidInputException.of("outputs", outs.toString(), "a list of {\"name\": ...}");
      }
      for (int k = 0; k < outs.size(); k++) {
        JsonNode o = outs.get(k);
        JsonNode name = o.get("name");
        if (name == null || !name.isTextual()) {
          throw InvalidInputException.of("outputs[" + k + "].name", o.toString(), "an output name");
        }
        outputs.add(name.asText());
      }
    }
    return InferenceRequest.ofTensors(model, version, id, tensors, outputs);
  }

  private static Tensor parseTensor(JsonNode in, String path) {
    if (!in.isObject()) {
      throw InvalidInputException.of(
          path, in.toString(), "an object with name, shape, datatype and data");
    }
    String name = text(in, path + ".name", "the input's name");
    String dt =
        text(in, path + ".datatype", "one of BOOL, UINT8..UINT64, INT8..INT64, FP32, FP64, BYTES");
    DataType type =
        DataType.parse(dt)
            .orElseThrow(
                () ->
                    InvalidInputException.of(
                        path + ".datatype",
                        dt,
                        "one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP32, FP64, BYTES"));
    JsonNode params = in.get("parameters");
    if (params != null && params.has("binary_data_size")) {
      throw InvalidInputException.of(
          path + ".parameters.binary_data_size",
          params.get("binary_data_size").toString(),
          "JSON tensor data; the binary tensor extension is not supported (send with binary_data=False)");
    }
    JsonNode shapeNode = in.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw InvalidInputException.of(
          path + ".shape", String.valueOf(shapeNode), "a list of dimension sizes");
    }
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw InvalidInputException.of(
            path + ".shape[" + i + "]", d.toString(), "a non-negative integer");
      }
      shape[i] = d.asLong();
      count = count * shape[i];
      if (count > Integer.MAX_VALUE) {
        throw InvalidInputException.of(
            path + ".shape", shapeNode.toString(), "fewer than 2^31 elements");
      }
    }
    JsonNode data = in.get("data");
    if (data == null || data.isNull()) {
      throw InvalidInputException.missing(path + ".data", "a list of " + count + " values");
    }
    if (!data.isArray()) {
      throw InvalidInputException.of(path + ".data", data.toString(), "a list of values");
    }
    // Count before allocating: the shape alone must not make the server allocate (a shape of
    // [2147483647] with one value would otherwise ask for gigabytes).
    long given = leaves(data, count + 1);
    if (given > count) {
      throw InvalidInputException.of(
          path + ".data",
          "more than " + count + " values",
          count + " values for shape " + shapeNode);
    }
    if (given != count) {
      throw InvalidInputException.of(
          path + ".data",
          given + " values",
          count + " values for shape " + shapeNode + " (the product of the shape)");
    }
    Object array = TypedArrays.allocate(type, (int) count);
    int[] next = {0};
    fill(data, type, array, (int) count, next, path + ".data", shapeNode);
    return new Tensor(name, type, shape, array);
  }

  /** The values in nested lists, counted up to {@code limit}. */
  private static long leaves(JsonNode node, long limit) {
    long n = 0;
    for (Iterator<JsonNode> it = node.elements(); it.hasNext() && n < limit; ) {
      JsonNode v = it.next();
      n += v.isArray() ? leaves(v, limit - n) : 1;
    }
    return n;
  }

  private static void fill(
      JsonNode node,
      DataType type,
      Object array,
      int count,
      int[] next,
      String path,
      JsonNode shape) {
    for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
      JsonNode v = it.next();
      if (v.isArray()) {
        fill(v, type, array, count, next, path, shape);
        continue;
      }
      int i = next[0]++;
      if (i >= count) {
        throw InvalidInputException.of(
            path, "more than " + count + " values", count + " values for shape " + shape);
      }
      String problem = TypedArrays.store(type, array, i, value(v));
      if (problem != null) {
        throw InvalidInputException.of(
            path + "[" + i + "]", v.isTextual() ? v.asText() : v.toString(), problem);
      }
    }
  }

  private static Object value(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return v.isNull() ? null : new StructuredValue(v.toString());
  }

  /** An object or other non-scalar where a scalar was expected; prints as its JSON. */
  private record StructuredValue(String json) {
    @Override
    public String toString() {
      return json;
    }
  }

  private static String text(JsonNode in, String path, String expected) {
    JsonNode n = in.get(path.substring(path.lastIndexOf('.') + 1));
    if (n == null || n.isNull()) {
      throw InvalidInputException.missing(path, expected);
    }
    if (!n.isTextual()) {
      throw InvalidInputException.of(path, n.toString(), expected);
    }
    return n.asText();
  }

  static byte[] inferResponse(InferenceResult r) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("model_name", r.model());
          g.writeStringField("model_version", Integer.toString(r.version()));
          if (r.id() != null) {
            g.writeStringField("id", r.id());
          }
          if (r.servedBy() != null) {
            // which link of the fallback chain answered each row (OIP allows extra parameters)
            g.writeObjectFieldStart("parameters");
            g.writeArrayFieldStart("served_by");
            for (String link : r.servedBy()) {
              g.writeString(link);
            }
            g.writeEndArray();
            g.writeEndObject();
          }
          g.writeArrayFieldStart("outputs");
          for (Tensor t : r.outputs().values()) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("datatype", t.type().name());
            g.writeArrayFieldStart("shape");
            for (long d : t.shape()) {
              g.writeNumber(d);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("data");
            writeData(g, t);
            g.writeEndArray();
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  static void writeData(JsonGenerator g, Tensor t) throws IOException {
    Object d = t.data();
    switch (t.type()) {
      case FP32 -> {
        for (float v : (float[]) d) {
          g.writeNumber(v);
        }
      }
      case FP64 -> {
        for (double v : (double[]) d) {
          g.writeNumber(v);
        }
      }
      case INT64 -> {
        for (long v : (long[]) d) {
          g.writeNumber(v);
        }
      }
      case INT32 -> {
        for (int v : (int[]) d) {
          g.writeNumber(v);
        }
      }
      case BOOL -> {
        for (boolean v : (boolean[]) d) {
          g.writeBoolean(v);
        }
      }
      case BYTES -> {
        for (String v : (String[]) d) {
          g.writeString(v);
        }
      }
      default -> {
        for (int i = 0; i < t.size(); i++) {
          Object v = t.get(i);
          if (v instanceof java.math.BigInteger b) {
            g.writeNumber(b);
          } else {
            g.writeNumber((Long) v);
          }
        }
      }
    }
  }

  static byte[] modelMetadata(
      String name,
      List<Integer> versions,
      String platform,
      List<TensorSpec> in,
      List<TensorSpec> out) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("name", name);
          g.writeArrayFieldStart("versions");
          for (int v : versions) {
            g.writeString(Integer.toString(v));
          }
          g.writeEndArray();
          g.writeStringField("platform", platform);
          specs(g, "inputs", in);
          specs(g, "outputs", out);
          g.writeEndObject();
        });
  }

  private static void specs(JsonGenerator g, String field, List<TensorSpec> specs)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (TensorSpec s : specs) {
      g.writeStartObject();
      g.writeStringField("name", s.name());
      g.writeStringField("datatype", s.type().name());
      g.writeArrayFieldStart("shape");
      for (long d : s.shape()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Bodies.JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] object(Map<String, ?> values) {
    try {
      return Bodies.JSON.writeValueAsBytes(values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
