package dev.slipway.api.codec;

import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one model sees rows: the fields it takes, how rows become its input tensors (preprocess), and
 * how its output tensors become public output columns (postprocess). Implementations are immutable
 * and thread-safe.
 */
public interface RecordCodec {

  /** The fields a record may carry; fields not nullable are required. */
  Schema schema();

  /**
   * The public signature: one input column per field (shape {@code [-1]}) and the public output
   * columns. This is what the Open Inference Protocol shows for the model.
   */
  Signature columns();

  /**
   * Builds the model's input tensors from rows.
   *
   * @throws dev.slipway.api.InvalidInputException naming {@code records[i].field} for a missing
   *     required field or a value of the wrong type
   */
  Map<String, Tensor> encode(List<Record> records);

  /**
   * An encoder that also screens every value it reads (see {@link ScreenedEncoder}); empty when
   * this codec cannot, or when the screen does not describe exactly this codec's fields (every
   * field once, with the schema's type and nullability).
   */
  default Optional<ScreenedEncoder> screened(ValueScreen screen) {
    return Optional.empty();
  }

  /** Turns the model's raw outputs for {@code n} rows into the public output columns. */
  Map<String, Tensor> decode(Map<String, Tensor> modelOutputs, int n);
}
