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
import java.util.Optional;

/**
 * Encodes records by a {@link TabularSpec}: numbers standardised, categories one-hot (an unseen
 * category sets no indicator), a missing nullable number imputed with its training mean. Decodes
 * class probabilities into {@code label}, {@code score} (binary only) and {@code probabilities}.
 * With {@link #screened} it also checks every value while it encodes it (the guards' input checks).
 * Thread-safe; its only mutable state is a hint (where the last records had each field), never
 * needed for a correct answer.
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
  private final Map<String, Integer>[] indicators;
  private final CategoryIndex[] categories;
  private final int positiveIndex;
  // per field: its interned name, nullability and type (one of the kinds below)
  private final String[] names;
  private final boolean[] nullable;
  private final byte[] kinds;
  // where each field was found in the last record that moved one (records from one source share a
  // layout); replaced, never mutated, when a record moves a field: a race only costs a lookup
  private volatile int[] guess;

  private static final byte INT64 = 0;
  private static final byte FP64 = 1;
  private static final byte BYTES = 2;
  private static final byte OTHER = 3;

  public TabularCodec(TabularSpec spec) {
    this.spec = spec;
    this.schema = new Schema(spec.fields());
    this.width = spec.columns().size();
    this.fields = spec.fields().toArray(Field[]::new);
    this.numericIndex = new int[fields.length];
    this.mean = new double[fields.length];
    this.scale = new double[fields.length];
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<String, Integer>[] byField = new Map[fields.length];
    this.indicators = byField;
    this.names = new String[fields.length];
    this.nullable = new boolean[fields.length];
    this.kinds = new byte[fields.length];
    this.guess = new int[fields.length];
    Map<String, Integer> position = new HashMap<>();
    for (int f = 0; f < fields.length; f++) {
      position.put(fields[f].name(), f);
      numericIndex[f] = -1;
      indicators[f] = new HashMap<>();
      names[f] = fields[f].name().intern(); // parsers intern field names
      nullable[f] = fields[f].nullable();
      DataType t = fields[f].type();
      kinds[f] =
          t == DataType.INT64
              ? INT64
              : t == DataType.FP64 ? FP64 : t == DataType.BYTES ? BYTES : OTHER;
      guess[f] = f;
    }
    for (int c = 0; c < width; c++) {
      TabularSpec.Column col = spec.columns().get(c);
      Integer f = position.get(col.field());
      if (f == null) {
        throw new IllegalArgumentException(
            "column " + c + " refers to unknown field " + col.field());
      }
      if (col.isIndicator()) {
        indicators[f].put(col.category(), c);
      } else {
        numericIndex[f] = c;
        mean[f] = col.mean();
        scale[f] = col.scale() == 0 ? 1 : col.scale();
      }
    }
    this.categories = new CategoryIndex[fields.length];
    for (int f = 0; f < fields.length; f++) {
      categories[f] = new CategoryIndex(indicators[f]);
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
    return encode(records, null, null);
  }

  @Override
  public Optional<ScreenedEncoder> screened(ValueScreen screen) {
    Screen s = compile(screen);
    return s == null
        ? Optional.empty()
        : Optional.of((records, plain) -> encode(records, s, plain));
  }

  /**
   * A screen as arrays by field and column, or null when it does not describe exactly this codec's
   * fields with their types and nullability.
   */
  private Screen compile(ValueScreen screen) {
    int n = fields.length;
    if (screen.limits().size() != n) {
      return null;
    }
    Screen s = new Screen(n);
    boolean[] seen = new boolean[n];
    for (ValueScreen.Limit l : screen.limits()) {
      int f = indexOf(l.field());
      if (f < 0 || seen[f] || l.type() != fields[f].type() || l.nullable() != nullable[f]) {
        return null;
      }
      seen[f] = true;
      s.min[f] = l.min();
      s.max[f] = l.max();
      s.maxLength[f] = l.maxLength();
      if (l.domain() != null) {
        // a category passes when it has an indicator and the domain allows it: the indicator
        // lookup the encoding makes anyway decides, with no second lookup
        boolean[] allowed = new boolean[width];
        for (Map.Entry<String, Integer> e : indicators[f].entrySet()) {
          allowed[e.getValue()] = l.domain().contains(e.getKey());
        }
        s.allowed[f] = allowed;
      }
    }
    return s;
  }

  private int indexOf(String name) {
    for (int f = 0; f < fields.length; f++) {
      if (names[f].equals(name)) {
        return f;
      }
    }
    return -1;
  }

  /**
   * A compiled {@link ValueScreen}: per field, its limits; per indicator column, allowed or not.
   */
  private static final class Screen {
    final double[] min;
    final double[] max;
    final int[] maxLength;
    final boolean[][] allowed;

    Screen(int n) {
      min = new double[n];
      max = new double[n];
      maxLength = new int[n];
      allowed = new boolean[n][];
    }
  }

  /**
   * The one encoding loop. Without a screen ({@code plain} null) a bad value throws; with one, row
   * {@code i}'s verdict goes to {@code plain[i]} and nothing throws.
   */
  private Map<String, Tensor> encode(List<Record> records, Screen s, boolean[] plain) {
    int n = records.size();
    float[] x = new float[n * width];
    int[] at = guess;
    int[] moved = null;
    for (int i = 0; i < n; i++) {
      Record r = records.get(i);
      int base = i * width;
      int size = r.size();
      boolean ok = true;
      for (int f = 0; f < fields.length; f++) {
        // look for the field where the last records had it: one identity comparison of interned
        // names when records come from the same parser
        String name = names[f];
        int p = at[f];
        Object v;
        if (p < size && sameName(r.nameAt(p), name)) {
          v = r.valueAt(p);
        } else {
          p = r.position(name);
          if (p < 0) {
            v = null;
          } else {
            v = r.valueAt(p);
            if (moved == null) {
              moved = at.clone();
              at = moved;
            }
            moved[f] = p;
          }
        }
        if (v == null) {
          if (!nullable[f]) {
            if (plain == null) {
              throw InvalidInputException.missing(
                  "records[" + i + "]." + name, TypedArrays.describe(fields[f].type()));
            }
            ok = false;
          }
          continue; // standardised mean is 0; no indicator set
        }
        int column = numericIndex[f];
        if (column >= 0) {
          double d;
          boolean exact;
          if (v instanceof Double dv) {
            d = dv;
            exact = kinds[f] == FP64;
          } else if (v instanceof Long l) {
            d = l;
            exact = kinds[f] == INT64;
          } else {
            if (plain == null) {
              throw InvalidInputException.of("records[" + i + "]." + name, v, "a number");
            }
            ok = false;
            continue;
          }
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            if (plain == null) {
              throw InvalidInputException.of(
                  "records[" + i + "]." + name,
                  v,
                  "a finite number (NaN and infinity are not allowed)");
            }
            ok = false;
            continue;
          }
          x[base + column] = (float) ((d - mean[f]) / scale[f]);
          if (s != null && (!exact || d < s.min[f] || d > s.max[f])) {
            ok = false;
          }
        } else if (v instanceof String str) {
          int c = categories[f].column(str);
          if (c >= 0) {
            x[base + c] = 1f;
          }
          if (s != null) {
            boolean[] allowed = s.allowed[f];
            if (kinds[f] != BYTES
                || (allowed == null ? str.length() > s.maxLength[f] : c < 0 || !allowed[c])) {
              ok = false;
            }
          }
        } else {
          if (plain == null) {
            throw InvalidInputException.of("records[" + i + "]." + name, v, "a string");
          }
          ok = false;
        }
      }
      if (plain != null) {
        plain[i] = ok;
      }
    }
    if (moved != null) {
      guess = moved; // replaced, never mutated once published
    }
    Map<String, Tensor> out = new LinkedHashMap<>(2);
    out.put(
        spec.inputName(), new Tensor(spec.inputName(), DataType.FP32, new long[] {n, width}, x));
    return out;
  }

  private static boolean sameName(String a, String b) {
    return a == b || a.equals(b);
  }

  @Override
  public Map<String, Tensor> decode(Map<String, Tensor> modelOutputs, int n) {
    Tensor probs = modelOutputs.get(spec.outputName());
    if (probs == null) {
      throw new dev.slipway.api.ModelFailureException(
          "model did not return its probability output '" + spec.outputName() + "'");
    }
    int k = spec.labels().size();
    float[] p;
    if (probs.data() instanceof float[] f && f.length == n * k) {
      p = f.clone(); // the common case: the model's own floats, read without boxing
    } else {
      p = new float[n * k];
      for (int i = 0; i < n * k; i++) {
        p[i] = ((Number) probs.get(i)).floatValue();
      }
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
