package dev.slipway.api.codec;

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
  public Map<String, Tensor> decode(Map<String, Tensor> modelOutputs, int n) {
    return modelOutputs;
  }
}
