package dev.slipway.monitor.feedback;

import java.time.Instant;

/**
 * The ground truth of one prediction, identified either by request id (and row), or by model,
 * entity key and the time the outcome belongs to (it joins the latest prediction for the entity at
 * or before that time). Immutable.
 *
 * @param requestId the request id, or null when the entity form is used
 * @param row the row of the request, from 0
 * @param model the model; required with an entity, optional with a request id (then it narrows the
 *     join to that model)
 * @param entity the entity key, or null
 * @param time the time of the outcome (entity form), or null
 * @param label the observed outcome: 1 for the positive class, 0 for the negative
 */
public record Feedback(
    String requestId, int row, String model, String entity, Instant time, double label) {
  public Feedback {
    if (requestId == null && (model == null || entity == null || time == null)) {
      throw new IllegalArgumentException("a request id, or a model, entity and time");
    }
    if (row < 0) {
      throw new IllegalArgumentException("row < 0");
    }
  }

  public static Feedback ofRequest(String requestId, double label) {
    return new Feedback(requestId, 0, null, null, null, label);
  }

  public static Feedback ofEntity(String model, String entity, Instant time, double label) {
    return new Feedback(null, 0, model, entity, time, label);
  }
}
