package dev.slipway.api.codec;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes records by a {@link TabularSpec}: numbers standardised, categories one-hot (an unseen
 * category sets no indicator), a missing nullable number imputed with its training mean. Decodes
 * class probabilities into {@code label}, {@code score} (binary only) and {@code probabilities}.
 * Immutable and thread-safe.
 */
public final class TabularCodec implements RecordCodec {
  private final TabularSpec spec;
  private final Schema schema;
  private final Signature columns;
  private final int width;
  private final Field[] fields;
  // per field: the numeric column (index, mean, scale), or the indicator columns by category
  private final int[] numericIndex;
  private final double[] mean;
  private final double[] scale;
  private final List<Map<String, Integer>> indicators;
  private final int positiveIndex;

  public TabularCodec(TabularSpec spec) {
    this.spec = spec;
    this.schema = new Schema(spec.fields());
    this.width = spec.columns().size();
    this.fields = spec.fields().toArray(Field[]::new);
    this.numericIndex = new int[fields.length];
    this.mean = new double[fields.length];
    this.scale = new double[fields.length];
    this.indicators = new ArrayList<>();
    Map<String, Integer> position = new HashMap<>();
    for (int f = 0; f < fields.length; f++) {
      position.put(fields[f].name(), f);
      numericIndex[f] = -1;
      indicators.add(new HashMap<>());
    }
    for (int c = 0; c < width; c++) {
      TabularSpec.Column col = spec.columns().get(c);
      Integer f = position.get(col.field());
      if (f == null) {
        throw new IllegalArgumentException(
            "column " + c + " refers to unknown field " + col.field());
      }
      if (col.isIndicator()) {
        indicators.get(f).put(col.category(), c);
      } else {
        numericIndex[f] = c;
        mean[f] = col.mean();
        scale[f] = col.scale() == 0 ? 1 : col.scale();
      }
    }
    this.positiveIndex =
        spec.positiveLabel() == null ? -1 : spec.labels().indexOf(spec.positiveLabel());
    List<TensorSpec> outs = new ArrayList<>();
    outs.add(new TensorSpec("label", DataType.BYTES, new long[] {-1}));
    if (positiveIndex >= 0) {
      outs.add(new TensorSpec("score", DataType.FP32, new long[] {-1}));
    }
    outs.add(new TensorSpec("probabilities", DataType.FP32, new long[] {-1, spec.labels().size()}));
    this.columns =
        new Signature(
            spec.fields().stream()
                .map(fl -> new TensorSpec(fl.name(), fl.type(), new long[] {-1}))
                .toList(),
            outs);
  }

  public TabularSpec spec() {
    return spec;
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Signature columns() {
    return columns;
  }

  @Override
  public Map<String, Tensor> encode(List<Record> records) {
    int n = records.size();
    float[] x = new float[n * width];
    // where each field was in the row before: rows read from one file share their layout, so
    // the name there is usually the one sought and no search is needed
    int[] at = new int[fields.length];
    for (int i = 0; i < n; i++) {
      Record r = records.get(i);
      int base = i * width;
      for (int f = 0; f < fields.length; f++) {
        Field field = fields[f];
        int p = at[f];
        Object v;
        if (p < r.size() && r.nameAt(p).equals(field.name())) {
          v = r.valueAt(p);
        } else {
          p = r.position(field.name());
          v = p < 0 ? null : r.valueAt(p);
          at[f] = Math.max(p, 0);
        }
        if (v == null) {
          if (!field.nullable()) {
            throw InvalidInputException.missing(
                "records[" + i + "]." + field.name(), TypedArrays.describe(field.type()));
          }
          continue; // standardised mean is 0; no indicator set
        }
        if (numericIndex[f] >= 0) {
          double d = number(v, i, field);
          x[base + numericIndex[f]] = (float) ((d - mean[f]) / scale[f]);
        } else if (v instanceof String s) {
          Integer c = indicators.get(f).get(s);
          if (c != null) {
            x[base + c] = 1f;
          }
        } else {
          throw InvalidInputException.of("records[" + i + "]." + field.name(), v, "a string");
        }
      }
    }
    Map<String, Tensor> out = new LinkedHashMap<>(2);
    out.put(
        spec.inputName(), new Tensor(spec.inputName(), DataType.FP32, new long[] {n, width}, x));
    return out;
  }

  private static double number(Object v, int row, Field field) {
    double d;
    if (v instanceof Double dv) {
      d = dv;
    } else if (v instanceof Long l) {
      d = l;
    } else {
      throw InvalidInputException.of("records[" + row + "]." + field.name(), v, "a number");
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw InvalidInputException.of(
          "records[" + row + "]." + field.name(),
          v,
          "a finite number (NaN and infinity are not allowed)");
    }
    return d;
  }

  @Override
  public Map<String, Tensor> decode(Map<String, Tensor> modelOutputs, int n) {
    Tensor probs = modelOutputs.get(spec.outputName());
    if (probs == null) {
      throw new dev.slipway.api.ModelFailureException(
          "model did not return its probability output '" + spec.outputName() + "'");
    }
    int k = spec.labels().size();
    float[] p = new float[n * k];
    for (int i = 0; i < n * k; i++) {
      p[i] = ((Number) probs.get(i)).floatValue();
    }
    String[] label = new String[n];
    float[] score = new float[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (p[i * k + j] > p[i * k + best]) {
          best = j;
        }
      }
      label[i] = spec.labels().get(best);
      if (positiveIndex >= 0) {
        score[i] = p[i * k + positiveIndex];
      }
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("label", new Tensor("label", DataType.BYTES, new long[] {n}, label));
    if (positiveIndex >= 0) {
      out.put("score", new Tensor("score", DataType.FP32, new long[] {n}, score));
    }
    out.put("probabilities", new Tensor("probabilities", DataType.FP32, new long[] {n, k}, p));
    return out;
  }
}
