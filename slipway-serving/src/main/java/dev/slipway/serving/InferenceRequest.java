package dev.slipway.serving;

import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import java.util.List;
import java.util.Set;

/**
 * One request, as every protocol adapter builds it: a model reference, and either rows ({@code
 * records}) or named input tensors ({@code tensors}), never both.
 *
 * @param model the model name
 * @param version a version number, or null for the latest
 * @param id the caller's request id, echoed back; may be null
 * @param records rows, or null in tensor mode
 * @param tensors input tensors, or null in record mode
 * @param outputs outputs wanted (tensor mode); empty for all
 */
public record InferenceRequest(
    String model,
    Integer version,
    String id,
    List<Record> records,
    List<Tensor> tensors,
    Set<String> outputs) {

  public InferenceRequest {
    if ((records == null) == (tensors == null)) {
      throw new IllegalArgumentException("exactly one of records and tensors");
    }
    records = records == null ? null : List.copyOf(records);
    tensors = tensors == null ? null : List.copyOf(tensors);
    outputs = outputs == null ? Set.of() : Set.copyOf(outputs);
  }

  public static InferenceRequest ofRecords(String model, Integer version, List<Record> records) {
    return new InferenceRequest(model, version, null, records, null, Set.of());
  }

  public static InferenceRequest ofTensors(
      String model, Integer version, String id, List<Tensor> tensors, Set<String> outputs) {
    return new InferenceRequest(model, version, id, null, tensors, outputs);
  }

  /** The same request with another id. */
  public InferenceRequest withId(String newId) {
    return new InferenceRequest(model, version, newId, records, tensors, outputs);
  }

  public boolean recordMode() {
    return records != null;
  }
}
