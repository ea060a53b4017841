package dev.slipway.server.gate;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Prediction;
import dev.slipway.api.Record;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.train.metrics.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a binary classifier on labelled records through the same pipeline as online requests, and
 * computes AUC, log loss and accuracy. Stateless.
 */
public final class Evaluator {
  private static final int CHUNK = 1000;
  private final Pipeline pipeline;

  public Evaluator(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /**
   * @param ref the version to score, e.g. {@code name/3}
   * @param records labelled rows; the label is the field {@code labelField}
   * @param positive the label value of the positive class
   */
  public Map<String, Double> evaluate(
      String ref, List<Record> records, String labelField, String positive) {
    if (records.isEmpty()) {
      throw InvalidInputException.of("dataset", "0 rows", "at least one labelled row");
    }
    int n = records.size();
    double[] scores = new double[n];
    boolean[] actual = new boolean[n];
    boolean[] predicted = new boolean[n];
    for (int from = 0; from < n; from += CHUNK) {
      List<Record> chunk = records.subList(from, Math.min(n, from + CHUNK));
      for (int i = 0; i < chunk.size(); i++) {
        Object label = chunk.get(i).get(labelField);
        if (label == null) {
          throw InvalidInputException.missing(
              "dataset[" + (from + i) + "]." + labelField, "the label");
        }
        actual[from + i] = positive.equals(String.valueOf(label));
      }
      InferenceResult r =
          pipeline.run(InferenceRequest.ofRecords(ref, null, new ArrayList<>(chunk)));
      List<Prediction> ps = r.predictions();
      for (int i = 0; i < ps.size(); i++) {
        Object score = ps.get(i).get("score");
        if (!(score instanceof Number s)) {
          throw InvalidInputException.of(
              "model",
              ref,
              "a binary classifier with a 'score' output (the probability of '" + positive + "')");
        }
        scores[from + i] = s.doubleValue();
        predicted[from + i] = positive.equals(String.valueOf(ps.get(i).get("label")));
      }
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("auc", Metrics.auc(scores, actual));
    m.put("log_loss", Metrics.logLoss(scores, actual));
    m.put("accuracy", Metrics.accuracy(predicted, actual));
    m.put("rows", (double) n);
    return m;
  }
}
