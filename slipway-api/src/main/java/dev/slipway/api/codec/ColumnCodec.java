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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plain record view of any model whose inputs are all columns ({@code [-1]} or {@code [-1,
 * 1]}): each input takes the record field of the same name; outputs pass through unchanged.
 * Immutable and thread-safe.
 */
public final class ColumnCodec implements RecordCodec {
  private final Signature model;
  private final Schema schema;
  private final Signature columns;

  private ColumnCodec(Signature model) {
    this.model = model;
    List<Field> fields = new ArrayList<>();
    for (TensorSpec in : model.inputs()) {
      fields.add(new Field(in.name(), in.type(), false, null, null, List.of(), ""));
    }
    this.schema = new Schema(fields);
    this.columns = model;
  }

  /** A codec for the model, or empty when some input is not a column (an image, a sequence...). */
  public static Optional<RecordCodec> forSignature(Signature model) {
    for (TensorSpec in : model.inputs()) {
      long[] s = in.shape();
      boolean column = s.length == 1 || (s.length == 2 && s[1] == 1);
      if (!column) {
        return Optional.empty();
      }
    }
    return Optional.of(new ColumnCodec(model));
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
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (TensorSpec in : model.inputs()) {
      Object data = TypedArrays.allocate(in.type(), n);
      for (int i = 0; i < n; i++) {
        Object v = records.get(i).get(in.name());
        if (v == null) {
          throw InvalidInputException.missing(
              "records[" + i + "]." + in.name(), TypedArrays.describe(in.type()));
        }
        String problem = TypedArrays.store(in.type(), data, i, v);
        if (problem != null) {
          throw InvalidInputException.of("records[" + i + "]." + in.name(), v, problem);
        }
      }
      long[] shape = in.shape().length == 1 ? new long[] {n} : new long[] {n, 1};
      out.put(in.name(), new Tensor(in.name(), in.type(), shape, data));
    }
    return out;
  }

  @Override
  public Optional<ScreenedEncoder> screened(ValueScreen screen) {
    List<TensorSpec> inputs = model.inputs();
    if (screen.limits().size() != inputs.size()) {
      return Optional.empty();
    }
    ValueScreen.Limit[] limits = new ValueScreen.Limit[inputs.size()];
    for (ValueScreen.Limit l : screen.limits()) {
      int k = 0;
      while (k < inputs.size() && !inputs.get(k).name().equals(l.field())) {
        k++;
      }
      if (k == inputs.size()
          || limits[k] != null
          || l.type() != inputs.get(k).type()
          || l.nullable()) {
        return Optional.empty();
      }
      limits[k] = l;
    }
    return Optional.of((records, plain) -> encodeScreened(records, limits, plain));
  }

  private Map<String, Tensor> encodeScreened(
      List<Record> records, ValueScreen.Limit[] limits, boolean[] plain) {
    int n = records.size();
    java.util.Arrays.fill(plain, 0, n, true);
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<TensorSpec> inputs = model.inputs();
    for (int k = 0; k < inputs.size(); k++) {
      TensorSpec in = inputs.get(k);
      ValueScreen.Limit l = limits[k];
      DataType type = in.type();
      Object data = TypedArrays.allocate(type, n);
      for (int i = 0; i < n; i++) {
        Object v = records.get(i).get(in.name());
        boolean ok;
        if (type == DataType.INT64 && v instanceof Long x) {
          ((long[]) data)[i] = x;
          ok = x >= l.min() && x <= l.max();
        } else if (type == DataType.FP64 && v instanceof Double x) {
          ((double[]) data)[i] = x;
          ok = Double.isFinite(x) && x >= l.min() && x <= l.max();
        } else if (type == DataType.BYTES && v instanceof String x) {
          ((String[]) data)[i] = x;
          ok = l.domain() != null ? l.domain().contains(x) : x.length() <= l.maxLength();
        } else {
          if (v != null) {
            TypedArrays.store(type, data, i, v); // as far as it goes: the caller encodes it again
          }
          ok = false;
        }
        if (!ok) {
          plain[i] = false;
        }
      }
      long[] shape = in.shape().length == 1 ? new long[] {n} : new long[] {n, 1};
      out.put(in.name(), new Tensor(in.name(), type, shape, data));
    }
    return out;
  }

  @Override
  public Map<String, Tensor> decode(Map<String, Tensor> modelOutputs, int n) {
    return modelOutputs;
  }
}
