package dev.slipway.serving;

import dev.slipway.api.Prediction;
import dev.slipway.api.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The answer to an {@link InferenceRequest}: the model version that made it and the outputs as
 * columns; {@link #predictions()} gives the same outputs as one row per input record.
 */
public record InferenceResult(
    String model, int version, String id, int rows, Map<String, Tensor> outputs) {

  public List<Prediction> predictions() {
    return dev.slipway.api.codec.Columns.toPredictions(outputs, rows);
  }
}
