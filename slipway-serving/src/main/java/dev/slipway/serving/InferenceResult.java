package dev.slipway.serving;

import dev.slipway.api.Prediction;
import dev.slipway.api.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The answer to an {@link InferenceRequest}: the model version that made it and the outputs as
 * columns; {@link #predictions()} gives the same outputs as one row per input record. For a guarded
 * model, {@code servedBy} says per row which link answered it ({@code name/version} of a model, or
 * {@code heuristic}); it is null for an unguarded model.
 */
public record InferenceResult(
    String model,
    int version,
    String id,
    int rows,
    Map<String, Tensor> outputs,
    List<String> servedBy) {

  /** A result of an unguarded model: every row answered by the model version. */
  public InferenceResult(
      String model, int version, String id, int rows, Map<String, Tensor> outputs) {
    this(model, version, id, rows, outputs, null);
  }

  public List<Prediction> predictions() {
    return dev.slipway.api.codec.Columns.toPredictions(outputs, rows);
  }
}
