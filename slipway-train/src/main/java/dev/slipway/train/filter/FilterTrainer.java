package dev.slipway.train.filter;

import dev.slipway.api.Field;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.runtime.onnx.OnnxFormat;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.data.TrainTestSplit;
import dev.slipway.train.logistic.LogisticRegressionTrainer;
import dev.slipway.train.metrics.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Trains a filtering model: a logistic regression that predicts, from a request's features, whether
 * the main model gets it wrong.
 *
 * <p>The caller labels held-out rows by the main model's outcome ({@link #failures(List, List)} for
 * a classifier: predicted label differs from the true one; {@link #failures(double[], double[],
 * double)} for a regressor: off by more than a tolerance). The rows are split, seeded, into a
 * training part and a measuring part. On the training part, the failures are replicated until both
 * outcomes weigh about the same (failures are usually rare, and an unbalanced logistic regression
 * would learn to predict "ok" everywhere), the classifier is trained ({@link
 * LogisticRegressionTrainer}: standardised numbers, one-hot categories, exported to ONNX with its
 * {@link dev.slipway.api.codec.TabularSpec}) and the threshold is chosen: the one that maximises F1
 * of "fail" on the (unreplicated) training rows, unless one is configured. The {@link FilterReport}
 * is measured on the measuring part only, by running the exported ONNX model as serving does.
 *
 * <p>Immutable and thread-safe; the same options and rows give the same filter, byte for byte.
 */
public final class FilterTrainer {
  /** The filter's positive label: the main model gets the record wrong. */
  public static final String FAIL = "fail";

  /** The filter's other label. */
  public static final String OK = "ok";

  /** The field that holds the outcome label while training; no feature may be named so. */
  public static final String OUTCOME = "slipway_filter_outcome";

  /** Each part needs at least this many rows of each outcome. */
  public static final int MIN_ROWS_PER_OUTCOME = 5;

  private static final int BATCH = 4096;

  // The split draws from its own stream, not the classifier's.
  private static final long SPLIT_SEED_MIX = 0x5DEECE66DL;

  private final Options options;

  public FilterTrainer(Options options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public Options options() {
    return options;
  }

  /**
   * Training settings.
   *
   * @param seed seeds the split and the classifier
   * @param measureFraction the share of rows kept out of training to measure the filter on
   * @param threshold the failure probability at or above which a record is routed away, in (0, 1];
   *     NaN to choose the one that maximises F1 on the training part
   * @param balance whether to replicate failures in the training part until both outcomes weigh
   *     about the same
   * @param classifier the logistic regression's settings (its seed is replaced by {@code seed})
   */
  public record Options(
      long seed,
      double measureFraction,
      double threshold,
      boolean balance,
      LogisticRegressionTrainer.Options classifier) {
    public Options {
      if (!(measureFraction > 0 && measureFraction < 1)) {
        throw new IllegalArgumentException(
            "measureFraction must be in (0, 1), was " + measureFraction);
      }
      if (!Double.isNaN(threshold) && !(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException(
            "threshold must be in (0, 1] (or NaN to choose it), was " + threshold);
      }
      Objects.requireNonNull(classifier, "classifier");
      classifier =
          new LogisticRegressionTrainer.Options(
              seed, classifier.epochs(), classifier.learningRate(), classifier.minibatchSize());
    }

    /** 40% of rows measured, threshold by F1, balanced, the logistic regression's defaults. */
    public static Options defaults(long seed) {
      return new Options(
          seed, 0.4, Double.NaN, true, LogisticRegressionTrainer.Options.defaults(seed));
    }

    public Options withThreshold(double value) {
      return new Options(seed, measureFraction, value, balance, classifier);
    }

    public Options withBalance(boolean value) {
      return new Options(seed, measureFraction, threshold, value, classifier);
    }

    public Options withMeasureFraction(double value) {
      return new Options(seed, value, threshold, balance, classifier);
    }
  }

  /**
   * Which rows a classifier got wrong: its predicted label differs from the true one (compared as
   * strings; a missing prediction is a failure).
   *
   * @throws IllegalArgumentException when the lists differ in length or a true label is missing
   */
  public static boolean[] failures(List<?> predicted, List<?> actual) {
    if (predicted.size() != actual.size()) {
      throw new IllegalArgumentException(
          predicted.size() + " predictions but " + actual.size() + " true labels");
    }
    boolean[] failed = new boolean[actual.size()];
    for (int i = 0; i < failed.length; i++) {
      Object truth = actual.get(i);
      if (truth == null) {
        throw new IllegalArgumentException("row " + i + " has no true label");
      }
      Object p = predicted.get(i);
      failed[i] = p == null || !String.valueOf(p).equals(String.valueOf(truth));
    }
    return failed;
  }

  /**
   * Which rows a regressor got wrong: {@code |predicted - actual| > tolerance}, or not a number.
   *
   * @throws IllegalArgumentException when the arrays differ in length or the tolerance is negative
   */
  public static boolean[] failures(double[] predicted, double[] actual, double tolerance) {
    if (predicted.length != actual.length) {
      throw new IllegalArgumentException(
          predicted.length + " predictions but " + actual.length + " true values");
    }
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be >= 0, was " + tolerance);
    }
    boolean[] failed = new boolean[actual.length];
    for (int i = 0; i < failed.length; i++) {
      failed[i] = !(Math.abs(predicted[i] - actual[i]) <= tolerance);
    }
    return failed;
  }

  /**
   * Trains a filter.
   *
   * @param features the fields to learn from (the main model's raw input fields: numbers and
   *     strings); other fields of the rows are ignored
   * @param rows held-out rows, each with every feature
   * @param failed whether the main model got each row wrong
   * @throws IllegalArgumentException when the rows do not fit the features, or either part has
   *     fewer than {@value #MIN_ROWS_PER_OUTCOME} rows of an outcome (say how many of each there
   *     were)
   */
  public FilterModel train(Schema features, List<Record> rows, boolean[] failed) {
    if (rows.size() != failed.length) {
      throw new IllegalArgumentException(
          rows.size() + " rows but " + failed.length + " outcomes: one per row is needed");
    }
    if (features.field(OUTCOME).isPresent()) {
      throw new IllegalArgumentException("a feature is named '" + OUTCOME + "', which is reserved");
    }
    List<Record> labelled = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (Field f : features.fields()) {
        values.put(f.name(), rows.get(i).get(f.name()));
      }
      values.put(OUTCOME, failed[i] ? FAIL : OK);
      labelled.add(Record.of(values));
    }
    TrainTestSplit<Record> split =
        TrainTestSplit.of(labelled, options.measureFraction(), options.seed() ^ SPLIT_SEED_MIX);
    boolean[] trainFailed = outcomes(split.train());
    boolean[] measureFailed = outcomes(split.test());
    check("training", trainFailed, rows.size());
    check("measuring", measureFailed, rows.size());

    List<Record> training = split.train();
    int replicas = 1;
    if (options.balance()) {
      int fails = count(trainFailed);
      replicas = Math.max(1, (int) Math.round((double) (training.size() - fails) / fails));
      training = replicate(training, trainFailed, replicas);
    }
    TrainedModel classifier =
        new LogisticRegressionTrainer(options.classifier())
            .train(features, OUTCOME, FAIL, training, split.test());

    double[] trainScores;
    double[] measureScores;
    Path file = null;
    try {
      file = Files.createTempFile("slipway-filter-", ".onnx");
      Files.write(file, classifier.onnx());
      try (Predictor predictor = new OnnxFormat().load(file, ModelFormat.LoadOptions.defaults())) {
        TabularCodec codec = new TabularCodec(classifier.spec());
        trainScores = scores(codec, predictor, split.train());
        measureScores = scores(codec, predictor, split.test());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the filter model to a temporary file", e);
    } finally {
      deleteQuietly(file);
    }

    boolean configured = !Double.isNaN(options.threshold());
    double threshold = configured ? options.threshold() : maxF1Threshold(trainScores, trainFailed);
    FilterReport report =
        FilterReport.measure(
            measureScores,
            measureFailed,
            threshold,
            Metrics.auc(measureScores, measureFailed),
            rows.size(),
            split.train().size(),
            count(trainFailed));

    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("trainer", "filter");
    parameters.put("seed", Long.toString(options.seed()));
    parameters.put("measure_fraction", Double.toString(options.measureFraction()));
    parameters.put("balance", options.balance() ? "replicate_failures" : "none");
    parameters.put("failure_replicas", Integer.toString(replicas));
    parameters.put("threshold_choice", configured ? "configured" : "max_f1");
    parameters.putAll(prefixed(classifier.parameters()));
    return new FilterModel(
        classifier.onnx(),
        classifier.spec(),
        threshold,
        configured ? "configured" : "max_f1",
        report,
        parameters);
  }

  /**
   * The score at or above which routing maximises F1 of "fail" on these rows; of equal F1, the
   * highest (routing the fewest rows).
   */
  static double maxF1Threshold(double[] scores, boolean[] failed) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    int failures = count(failed);
    double best = -1;
    double threshold = 1;
    int routed = 0;
    int caught = 0;
    int i = 0;
    while (i < n) {
      double s = scores[order[i]];
      // route every row tied at this score together
      while (i < n && scores[order[i]] == s) {
        routed++;
        caught += failed[order[i]] ? 1 : 0;
        i++;
      }
      double f1 = 2.0 * caught / (routed + failures);
      if (f1 > best) {
        best = f1;
        threshold = s;
      }
    }
    // A score of 0 would route everything, which the threshold's range (0, 1] excludes.
    return Math.max(threshold, Double.MIN_VALUE);
  }

  private static double[] scores(TabularCodec codec, Predictor predictor, List<Record> rows) {
    double[] out = new double[rows.size()];
    for (int start = 0; start < rows.size(); start += BATCH) {
      List<Record> batch = rows.subList(start, Math.min(rows.size(), start + BATCH));
      float[] score =
          (float[])
              codec
                  .decode(predictor.infer(codec.encode(batch), Set.of()), batch.size())
                  .get("score")
                  .data();
      for (int i = 0; i < score.length; i++) {
        out[start + i] = score[i];
      }
    }
    return out;
  }

  private static boolean[] outcomes(List<Record> rows) {
    boolean[] failed = new boolean[rows.size()];
    for (int i = 0; i < failed.length; i++) {
      failed[i] = FAIL.equals(rows.get(i).get(OUTCOME));
    }
    return failed;
  }

  private static void check(String part, boolean[] failed, int rows) {
    int fails = count(failed);
    int oks = failed.length - fails;
    if (fails < MIN_ROWS_PER_OUTCOME || oks < MIN_ROWS_PER_OUTCOME) {
      throw new IllegalArgumentException(
          "the "
              + part
              + " part of the "
              + rows
              + " held-out rows has "
              + fails
              + " rows the main model got wrong and "
              + oks
              + " it got right: a filter needs at least "
              + MIN_ROWS_PER_OUTCOME
              + " of each in each part; send more rows");
    }
  }

  private static List<Record> replicate(List<Record> rows, boolean[] failed, int replicas) {
    List<Record> out = new ArrayList<>(rows.size() + count(failed) * (replicas - 1));
    for (int i = 0; i < rows.size(); i++) {
      int copies = failed[i] ? replicas : 1;
      for (int c = 0; c < copies; c++) {
        out.add(rows.get(i));
      }
    }
    return out;
  }

  private static int count(boolean[] b) {
    int n = 0;
    for (boolean x : b) {
      n += x ? 1 : 0;
    }
    return n;
  }

  private static Map<String, String> prefixed(Map<String, String> parameters) {
    Map<String, String> out = new LinkedHashMap<>();
    parameters.forEach(
        (k, v) -> {
          if (!k.equals("trainer") && !k.equals("seed")) {
            out.put("classifier_" + k, v);
          }
        });
    return out;
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A leftover temp file is harmless; the model is already in memory.
      }
    }
  }
}
