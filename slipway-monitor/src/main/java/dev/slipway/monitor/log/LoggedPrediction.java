package dev.slipway.monitor.log;

import java.time.Instant;
import java.util.Map;

/**
 * One logged row of a request.
 *
 * @param id the log's row id, or 0 before the row is stored
 * @param requestId the request id
 * @param row the row's position in its request, from 0
 * @param model the model name
 * @param version the version that answered (the routed version; see {@code servedBy})
 * @param time when the answer was computed
 * @param latencyMicros the whole request's time in the pipeline
 * @param servedBy {@code name/version} or {@code heuristic}: what answered this row
 * @param entity the row's entity key, or null
 * @param score the row's score (probability of the positive class), or null when it has none
 * @param inputs the record the model saw, or null (raw tensors, or too large to log)
 * @param outputs the row's public outputs
 */
public record LoggedPrediction(
    long id,
    String requestId,
    int row,
    String model,
    int version,
    Instant time,
    long latencyMicros,
    String servedBy,
    String entity,
    Double score,
    Map<String, Object> inputs,
    Map<String, Object> outputs) {}
