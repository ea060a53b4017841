package dev.slipway.serving.host;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.api.codec.TypedArrays;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Golden records: model inputs and the outputs the model must give for them, stored with a version
 * in its manifest. They are replayed whenever the version is loaded (on registration, and on every
 * server that later serves it): a version whose answers drifted beyond the tolerance, for instance
 * after a runtime upgrade, fails to load, and the version already serving stays.
 *
 * <p>Inputs and outputs are kept at the model's level (tensors), so that they work for every
 * format. In JSON each is a list of tensors as the Open Inference Protocol writes them ({@code
 * name}, {@code datatype}, {@code shape}, flat {@code data}); non-finite floats are the strings
 * {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}.
 *
 * <p>Numbers match when {@code |actual - expected| <= absolute + relative * |expected|}; NaN
 * matches only NaN; integers, booleans and strings must be equal. Only the outputs a case lists are
 * compared.
 *
 * @param tolerance how close numbers must be
 * @param cases the records, each one request to the model
 */
public record GoldenRecords(Tolerance tolerance, List<Case> cases) {

  /** Tolerance used when none is given: room for a different thread count's summation order. */
  public static final Tolerance DEFAULT_TOLERANCE = new Tolerance(1e-5, 1e-4);

  /** At most this many cases are stored. */
  public static final int MAX_CASES = 100;

  public GoldenRecords {
    tolerance = tolerance == null ? DEFAULT_TOLERANCE : tolerance;
    cases = cases == null ? List.of() : List.copyOf(cases);
  }

  /**
   * How close a number must be to its expected value.
   *
   * @param absolute allowed absolute difference, at least 0
   * @param relative allowed difference relative to the expected value, at least 0
   */
  public record Tolerance(double absolute, double relative) {
    public Tolerance {
      if (!(absolute >= 0) || Double.isInfinite(absolute)) {
        throw InvalidInputException.of(
            "golden.tolerance.absolute", String.valueOf(absolute), "a finite number ≥ 0");
      }
      if (!(relative >= 0) || Double.isInfinite(relative)) {
        throw InvalidInputException.of(
            "golden.tolerance.relative", String.valueOf(relative), "a finite number ≥ 0");
      }
    }
  }

  /**
   * One request and its expected answer.
   *
   * @param inputs the model's inputs by name
   * @param outputs the expected outputs by name; empty until captured
   */
  public record Case(
      @JsonSerialize(using = TensorsJson.Writer.class)
          @JsonDeserialize(using = TensorsJson.Reader.class)
          Map<String, Tensor> inputs,
      @JsonSerialize(using = TensorsJson.Writer.class)
          @JsonDeserialize(using = TensorsJson.Reader.class)
          Map<String, Tensor> outputs) {
    public Case {
      inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
      outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    }
  }

  /** Whether every case has expected outputs (nothing is left to capture). */
  @JsonIgnore
  public boolean complete() {
    return cases.stream().noneMatch(c -> c.outputs().isEmpty());
  }

  /**
   * Fills in the expected outputs of the cases that have none with the predictor's own answers.
   * Cases that list outputs keep them (they are checked by {@link #replay}).
   */
  public GoldenRecords capture(Predictor predictor) {
    List<Case> out = new ArrayList<>(cases.size());
    for (Case c : cases) {
      out.add(
          c.outputs().isEmpty() ? new Case(c.inputs(), predictor.infer(c.inputs(), Set.of())) : c);
    }
    return new GoldenRecords(tolerance, out);
  }

  /**
   * Runs every case and compares the answers with the expected outputs.
   *
   * @return a description of the first mismatch, or empty when every case matches
   */
  public Optional<String> replay(Predictor predictor) {
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      Map<String, Tensor> actual;
      try {
        actual = predictor.infer(c.inputs(), c.outputs().keySet());
      } catch (RuntimeException e) {
        return Optional.of(where(i) + "the model failed: " + e.getMessage());
      }
      for (Tensor expected : c.outputs().values()) {
        Tensor got = actual.get(expected.name());
        if (got == null) {
          return Optional.of(
              where(i) + "output '" + expected.name() + "' is missing from the model's answer");
        }
        Optional<String> diff = compare(expected, got);
        if (diff.isPresent()) {
          return Optional.of(where(i) + "output '" + expected.name() + "' " + diff.get());
        }
      }
    }
    return Optional.empty();
  }

  private String where(int i) {
    return "golden record " + (i + 1) + " of " + cases.size() + ": ";
  }

  private Optional<String> compare(Tensor expected, Tensor actual) {
    if (!Arrays.equals(expected.shape(), actual.shape())) {
      return Optional.of(
          "has shape "
              + Arrays.toString(actual.shape())
              + ", expected "
              + Arrays.toString(expected.shape()));
    }
    boolean floating = expected.type().isFloatingPoint() && actual.type().isFloatingPoint();
    if (expected.type() != actual.type() && !floating) {
      return Optional.of("has type " + actual.type() + ", expected " + expected.type());
    }
    for (int j = 0; j < expected.size(); j++) {
      Object e = expected.get(j);
      Object a = actual.get(j);
      boolean same;
      if (floating) {
        double ed = ((Number) e).doubleValue();
        double ad = ((Number) a).doubleValue();
        same =
            Double.isNaN(ed)
                ? Double.isNaN(ad)
                : ed == ad
                    || Math.abs(ad - ed)
                        <= tolerance.absolute() + tolerance.relative() * Math.abs(ed);
      } else {
        same = e.equals(a);
      }
      if (!same) {
        return Optional.of(
            "element "
                + j
                + ": expected "
                + e
                + ", got "
                + a
                + (floating
                    ? " (tolerance "
                        + tolerance.absolute()
                        + " + "
                        + tolerance.relative()
                        + " × |expected|)"
                    : ""));
      }
    }
    return Optional.empty();
  }

  /**
   * Inputs for a model that came without golden records: for a model that takes records, a few
   * plausible records from its schema (the middle of each range, then each end and each category);
   * otherwise zeros shaped like its inputs. Their outputs still have to be {@linkplain #capture
   * captured}.
   */
  public static GoldenRecords generated(Predictor predictor, RecordCodec codec) {
    List<Case> cases = new ArrayList<>();
    if (codec != null) {
      for (Map<String, Object> row : sampleRecords(codec.schema(), 8)) {
        cases.add(new Case(codec.encode(List.of(Record.of(row))), Map.of()));
      }
    } else {
      cases.add(new Case(ServedModel.zeros(predictor.signature()), Map.of()));
    }
    return new GoldenRecords(DEFAULT_TOLERANCE, cases);
  }

  /** Plausible, varied records of a schema: the sample record, then one field changed at a time. */
  static List<Map<String, Object>> sampleRecords(dev.slipway.api.Schema schema, int max) {
    List<Map<String, Object>> out = new ArrayList<>();
    Map<String, Object> base = ServedModel.sampleRecord(schema);
    out.add(base);
    for (dev.slipway.api.Field f : schema.fields()) {
      List<Object> variants = new ArrayList<>();
      if (!f.domain().isEmpty()) {
        variants.addAll(f.domain().subList(1, f.domain().size()));
      } else if (f.type().isNumeric() && f.min() != null && f.max() != null) {
        variants.add(f.type().isIntegral() ? (Object) Math.round(f.min()) : (Object) f.min());
        variants.add(f.type().isIntegral() ? (Object) Math.round(f.max()) : (Object) f.max());
      } else if (f.type().isNumeric()) {
        variants.add(f.type().isIntegral() ? (Object) 0L : (Object) 0.0);
        variants.add(f.type().isIntegral() ? (Object) 2L : (Object) 2.0);
      } else if (f.type() == DataType.BOOL) {
        variants.add(false);
      }
      for (Object v : variants) {
        if (out.size() >= max) {
          return out;
        }
        Map<String, Object> row = new LinkedHashMap<>(base);
        row.put(f.name(), v);
        out.add(row);
      }
    }
    return out;
  }

  /**
   * Golden records as a user gives them: a JSON object {@code {"tolerance": {"absolute": ...,
   * "relative": ...}, "cases": [...]}} where each case has {@code inputs} (a list of OIP tensors)
   * or, for a model that takes records, a {@code record} object; and optionally the expected {@code
   * outputs} (a list of OIP tensors). Cases without outputs are captured from the model.
   *
   * @param codec how records become inputs, or {@code null} when the model takes none
   * @throws InvalidInputException naming the field at fault
   */
  public static GoldenRecords parse(JsonNode json, RecordCodec codec) {
    if (json == null || !json.isObject()) {
      throw InvalidInputException.of(
          "golden",
          json == null ? null : json.toString(),
          "an object {\"cases\": [{\"inputs\": [...], \"outputs\": [...]}], \"tolerance\": {...}}");
    }
    Tolerance tol = DEFAULT_TOLERANCE;
    JsonNode t = json.get("tolerance");
    if (t != null && !t.isNull()) {
      if (!t.isObject()) {
        throw InvalidInputException.of(
            "golden.tolerance", t.toString(), "{\"absolute\": 1e-5, \"relative\": 1e-4}");
      }
      tol =
          new Tolerance(
              number(t, "absolute", DEFAULT_TOLERANCE.absolute()),
              number(t, "relative", DEFAULT_TOLERANCE.relative()));
    }
    JsonNode cs = json.get("cases");
    if (cs == null || !cs.isArray() || cs.isEmpty()) {
      throw InvalidInputException.of(
          "golden.cases", cs == null ? null : cs.toString(), "a non-empty list of cases");
    }
    if (cs.size() > MAX_CASES) {
      throw InvalidInputException.of(
          "golden.cases", cs.size() + " cases", "at most " + MAX_CASES + " cases");
    }
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < cs.size(); i++) {
      String field = "golden.cases[" + i + "]";
      JsonNode c = cs.get(i);
      if (!c.isObject()) {
        throw InvalidInputException.of(field, c.toString(), "an object");
      }
      Map<String, Tensor> inputs;
      if (c.has("record")) {
        if (codec == null) {
          throw InvalidInputException.of(
              field + ".record",
              c.get("record").toString(),
              "tensor 'inputs': this model does not take records");
        }
        JsonNode r = c.get("record");
        if (!r.isObject()) {
          throw InvalidInputException.of(
              field + ".record", r.toString(), "an object of field values");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        r.properties().forEach(e -> row.put(e.getKey(), value(e.getValue())));
        inputs = codec.encode(List.of(Record.of(row)));
      } else {
        inputs = TensorsJson.read(c.get("inputs"), field + ".inputs");
        if (inputs.isEmpty()) {
          throw InvalidInputException.missing(
              field + ".inputs", "the model's inputs as a list of tensors (or a 'record')");
        }
      }
      JsonNode o = c.get("outputs");
      Map<String, Tensor> outputs =
          o == null || o.isNull() ? Map.of() : TensorsJson.read(o, field + ".outputs");
      cases.add(new Case(inputs, outputs));
    }
    return new GoldenRecords(tol, cases);
  }

  private static double number(JsonNode parent, String name, double fallback) {
    JsonNode n = parent.get(name);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isNumber()) {
      throw InvalidInputException.of(
          "golden.tolerance." + name, n.toString(), "a finite number ≥ 0");
    }
    return n.asDouble();
  }

  private static Object value(JsonNode n) {
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.asLong() : n.bigIntegerValue();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    if (n.isNull()) {
      return null;
    }
    return n.isTextual() ? n.asText() : n.toString();
  }

  /** Tensors as lists of OIP tensor objects. */
  static final class TensorsJson {
    private TensorsJson() {}

    static Map<String, Tensor> read(JsonNode list, String field) {
      if (list == null || !list.isArray()) {
        throw InvalidInputException.of(
            field,
            list == null ? null : list.toString(),
            "a list of tensors {\"name\", \"datatype\", \"shape\", \"data\"}");
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        Tensor t = tensor(list.get(i), field + "[" + i + "]");
        if (out.put(t.name(), t) != null) {
          throw InvalidInputException.of(field, t.name(), "each tensor name once");
        }
      }
      return out;
    }

    private static Tensor tensor(JsonNode n, String field) {
      if (!n.isObject()) {
        throw InvalidInputException.of(field, n.toString(), "a tensor object");
      }
      String name = n.path("name").asText("");
      if (name.isEmpty()) {
        throw InvalidInputException.missing(field + ".name", "the tensor's name");
      }
      String dt = n.path("datatype").asText("");
      DataType type =
          DataType.parse(dt)
              .orElseThrow(
                  () ->
                      InvalidInputException.of(
                          field + ".datatype", dt, "an OIP datatype such as FP32 or INT64"));
      JsonNode s = n.get("shape");
      if (s == null || !s.isArray()) {
        throw InvalidInputException.missing(field + ".shape", "a list of dimensions");
      }
      long[] shape = new long[s.size()];
      for (int i = 0; i < shape.length; i++) {
        if (!s.get(i).canConvertToLong() || s.get(i).asLong() < 0) {
          throw InvalidInputException.of(
              field + ".shape", s.toString(), "non-negative whole numbers");
        }
        shape[i] = s.get(i).asLong();
      }
      JsonNode d = n.get("data");
      if (d == null || !d.isArray()) {
        throw InvalidInputException.missing(field + ".data", "a flat list of values");
      }
      long count = Tensor.elementCount(shape);
      if (count != d.size()) {
        throw InvalidInputException.of(
            field + ".data",
            d.size() + " values",
            count + " values for shape " + Arrays.toString(shape));
      }
      Object data = TypedArrays.allocate(type, d.size());
      for (int i = 0; i < d.size(); i++) {
        JsonNode v = d.get(i);
        if (v.isTextual() && type.isFloatingPoint()) {
          double x = nonFinite(v.asText(), field + ".data[" + i + "]");
          if (data instanceof float[] fs) {
            fs[i] = (float) x;
          } else {
            ((double[]) data)[i] = x;
          }
          continue;
        }
        String problem = TypedArrays.store(type, data, i, value(v));
        if (problem != null) {
          throw InvalidInputException.of(field + ".data[" + i + "]", v.toString(), problem);
        }
      }
      return new Tensor(name, type, shape, data);
    }

    private static double nonFinite(String s, String field) {
      return switch (s) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> throw InvalidInputException.of(field, s, "a number, \"NaN\" or \"Infinity\"");
      };
    }

    static ArrayNode write(Map<String, Tensor> tensors) {
      JsonNodeFactory f = JsonNodeFactory.instance;
      ArrayNode list = f.arrayNode();
      for (Tensor t : tensors.values()) {
        ObjectNode o = list.addObject();
        o.put("name", t.name());
        o.put("datatype", t.type().name());
        ArrayNode shape = o.putArray("shape");
        for (long d : t.shape()) {
          shape.add(d);
        }
        ArrayNode data = o.putArray("data");
        for (int i = 0; i < t.size(); i++) {
          Object v = t.get(i);
          if (v instanceof Float x) {
            if (Float.isFinite(x)) {
              data.add(x);
            } else {
              data.add(Float.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
            }
          } else if (v instanceof Double x) {
            if (Double.isFinite(x)) {
              data.add(x);
            } else {
              data.add(Double.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
            }
          } else if (v instanceof Long x) {
            data.add(x);
          } else if (v instanceof BigInteger x) {
            data.add(x);
          } else if (v instanceof Boolean x) {
            data.add(x);
          } else {
            data.add((String) v);
          }
        }
      }
      return list;
    }

    static final class Writer extends JsonSerializer<Map<String, Tensor>> {
      @Override
      public void serialize(Map<String, Tensor> value, JsonGenerator gen, SerializerProvider p)
          throws IOException {
        gen.writeTree(write(value));
      }
    }

    static final class Reader extends JsonDeserializer<Map<String, Tensor>> {
      @Override
      public Map<String, Tensor> deserialize(JsonParser p, DeserializationContext ctx)
          throws IOException {
        return read(p.readValueAsTree(), "golden");
      }
    }
  }
}
