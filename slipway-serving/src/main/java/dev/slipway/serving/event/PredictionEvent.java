package dev.slipway.serving.event;

import dev.slipway.api.Prediction;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.Columns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One answered request, as the pipeline publishes it: who answered, when, how fast, and per row the
 * inputs the model saw (after enrichment), the outputs and which link of the fallback chain
 * answered. Building it costs the pipeline no copy: {@link #rows()} turns the output columns into
 * rows when a listener asks, which a listener should do off the request thread. Immutable.
 *
 * @param requestId the caller's request id, or the one the pipeline generated and returned
 * @param model the model name
 * @param version the version the request was routed to
 * @param time when the answer was computed (the pipeline's clock)
 * @param latency time spent in the pipeline
 * @param inputs the records after enrichment, or null for a raw-tensor model (not logged per row)
 * @param outputs the public output columns, one element (or row of a 2-D tensor) per row
 * @param rowCount the number of rows
 * @param servedBy per row, {@code name/version} or {@code heuristic} of the link that answered (a
 *     guarded model), or null when the version itself answered every row
 * @param entityField the record field holding the entity key (the model's enrichment key), or null
 */
public record PredictionEvent(
    String requestId,
    String model,
    int version,
    Instant time,
    Duration latency,
    List<Record> inputs,
    Map<String, Tensor> outputs,
    int rowCount,
    List<String> servedBy,
    String entityField) {

  public PredictionEvent {
    inputs = inputs == null ? null : List.copyOf(inputs);
    outputs = Map.copyOf(outputs);
    servedBy = servedBy == null ? null : List.copyOf(servedBy);
  }

  /**
   * One row of a request.
   *
   * @param index the row's position in the request, from 0
   * @param inputs the record the model saw, or null for a raw-tensor model
   * @param outputs the row's public outputs by name
   * @param servedBy {@code name/version} or {@code heuristic} of what answered the row
   * @param entity the row's entity key (as text), or null
   */
  public record Row(
      int index, Record inputs, Map<String, Object> outputs, String servedBy, String entity) {}

  /** The rows; computed on each call, so call it off the request thread. */
  public List<Row> rows() {
    List<Prediction> predictions = Columns.toPredictions(outputs, rowCount);
    List<Row> rows = new ArrayList<>(rowCount);
    for (int i = 0; i < rowCount; i++) {
      Record in = inputs == null || i >= inputs.size() ? null : inputs.get(i);
      Object key = in == null || entityField == null ? null : in.get(entityField);
      rows.add(
          new Row(
              i,
              in,
              predictions.get(i).values(),
              servedBy == null ? model + "/" + version : servedBy.get(i),
              key == null ? null : String.valueOf(key)));
    }
    return rows;
  }
}
