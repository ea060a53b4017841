package dev.slipway.monitor.feedback;

import java.time.Instant;

/**
 * A logged prediction joined with its ground truth.
 *
 * @param predictionId the prediction log row
 * @param version the model version that answered
 * @param time when the prediction was made
 * @param score the predicted probability of the positive class
 * @param label the observed outcome (1 or 0)
 */
public record LabeledPrediction(
    long predictionId, int version, Instant time, double score, double label) {}
