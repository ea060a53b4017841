package dev.slipway.serving.guard;

import dev.slipway.api.Record;
import java.util.List;

/**
 * A filtering model: predicts, per record, how likely the main model is to get it wrong. Records at
 * or above the threshold skip the main model and go to the fallback chain. Thread-safe.
 */
public interface FailureFilter {

  /** The probability that the main model fails on each record, in the records' order. */
  double[] failureProbability(List<Record> records);

  /** Records whose failure probability is at least this go to the fallback chain. */
  double threshold();
}
