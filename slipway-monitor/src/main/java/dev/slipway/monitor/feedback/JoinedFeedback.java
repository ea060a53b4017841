package dev.slipway.monitor.feedback;

import java.time.Instant;

/**
 * A change of a logged prediction's ground truth, as a feedback join makes it: the prediction's
 * first label ({@code replaced} null), or a later feedback that changed it (a correction; {@code
 * replaced} is the label it replaces). A feedback posted again with the same label changes nothing
 * and makes no such change. Immutable.
 *
 * @param model the model name
 * @param version the version that answered
 * @param predictionId the prediction log row
 * @param time when the prediction was made (not when the feedback arrived)
 * @param score the prediction's score (probability of the positive class), or null when it has none
 * @param label the prediction's label now (1 or 0)
 * @param replaced the label it had before, or null when this is its first
 */
public record JoinedFeedback(
    String model,
    int version,
    long predictionId,
    Instant time,
    Double score,
    double label,
    Double replaced) {

  /** Whether this replaces an earlier label of the prediction. */
  public boolean correction() {
    return replaced != null;
  }
}
