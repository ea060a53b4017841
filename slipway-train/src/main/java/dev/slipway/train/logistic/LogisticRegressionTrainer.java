package dev.slipway.train.logistic;

import ai.onnx.proto.OnnxMl;
import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.api.codec.TabularSpec;
import dev.slipway.api.codec.TabularSpec.Column;
import dev.slipway.runtime.onnx.OnnxFormat;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.metrics.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.MutableDataset;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains a binary logistic regression on records and exports it as ONNX.
 *
 * <p>Numeric fields are standardised with the mean and (population) standard deviation of the
 * training rows; categorical ({@link DataType#BYTES}) fields are one-hot encoded over their schema
 * domain (or, when the schema gives none, the values seen in training). Training rows are encoded
 * by the very {@link TabularCodec} that serving uses, so the model learns from exactly the inputs
 * it will see. The model is Tribuo's {@link LinearSGDTrainer} with the {@link LogMulticlass}
 * (softmax) objective and {@link AdaGrad}, seeded from {@link Options#seed()}.
 *
 * <p>Quality is measured on the held-out rows by running the exported ONNX model through ONNX
 * Runtime and the codec, as serving will. The ONNX model carries no Tribuo provenance (it holds
 * timestamps and host details); its metadata are the seed, the Tribuo version and the sha256 of the
 * training data, so the same options and data give byte-identical ONNX.
 *
 * <p>Immutable and thread-safe: {@link #train} may run concurrently; each call trains its own
 * model.
 */
public final class LogisticRegressionTrainer {
  /** ONNX domain of exported models. */
  public static final String ONNX_DOMAIN = "dev.slipway.train";

  private static final int EVALUATION_BATCH = 4096;

  // Fixed so that nothing in the Tribuo data provenance depends on the clock.
  private static final OffsetDateTime EPOCH =
      OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private final Options options;

  public LogisticRegressionTrainer(Options options) {
    this.options = options;
  }

  public Options options() {
    return options;
  }

  /**
   * Training settings.
   *
   * @param seed seeds Tribuo's example shuffling; same seed and data, same model
   * @param epochs passes over the training rows
   * @param learningRate AdaGrad's initial learning rate
   * @param minibatchSize rows per gradient step
   */
  public record Options(long seed, int epochs, double learningRate, int minibatchSize) {
    public Options {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, was " + epochs);
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be > 0, was " + learningRate);
      }
      if (minibatchSize < 1) {
        throw new IllegalArgumentException("minibatchSize must be >= 1, was " + minibatchSize);
      }
    }

    /** 10 epochs, learning rate 0.1, one row per step. */
    public static Options defaults(long seed) {
      return new Options(seed, 10, 0.1, 1);
    }

    public Options withEpochs(int value) {
      return new Options(seed, value, learningRate, minibatchSize);
    }

    public Options withLearningRate(double value) {
      return new Options(seed, epochs, value, minibatchSize);
    }
  }

  /**
   * Trains on {@code train} and measures the exported model on {@code test}.
   *
   * @param features the fields to learn from: numeric types are standardised, {@link
   *     DataType#BYTES} one-hot encoded; a field named {@code labelField} is ignored
   * @param labelField the field of each record holding its class label (a string)
   * @param positiveLabel the label whose probability is the score; the training rows must hold it
   *     and exactly one other label
   * @param train training rows; every feature present and of its type
   * @param test held-out rows, with labels of the training rows
   * @throws IllegalArgumentException when the fields, labels or rows do not fit these rules, naming
   *     the offending row and field
   */
  public TrainedModel train(
      Schema features,
      String labelField,
      String positiveLabel,
      List<Record> train,
      List<Record> test) {
    Fit fit = fit(features, labelField, positiveLabel, train);
    return complete(fit, train, test);
  }

  /** What training produced before export: the Tribuo model and the encoding in its order. */
  record Fit(
      LinearSGDModel model,
      String labelField,
      String positiveLabel,
      List<Field> fields,
      List<Column> columns,
      List<String> labels,
      String trainingSha256) {

    /** Tribuo's own probabilities of the positive label, for the given records. */
    double[] javaScores(List<Record> records) {
      TabularCodec codec = new TabularCodec(spec("input", "output"));
      float[] x = (float[]) codec.encode(records).get("input").data();
      String[] names =
          columns.stream().map(LogisticRegressionTrainer::featureName).toArray(String[]::new);
      double[] scores = new double[records.size()];
      for (int i = 0; i < scores.length; i++) {
        ArrayExample<Label> example =
            new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names, row(x, i, names.length));
        scores[i] = model.predict(example).getOutputScores().get(positiveLabel).getScore();
      }
      return scores;
    }

    TabularSpec spec(String inputName, String outputName) {
      return new TabularSpec(inputName, outputName, fields, columns, labels, positiveLabel);
    }
  }

  Fit fit(Schema features, String labelField, String positiveLabel, List<Record> train) {
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no training rows");
    }
    List<Field> fields = new ArrayList<>();
    List<Column> columns = new ArrayList<>();
    for (Field f : features.fields()) {
      if (f.name().equals(labelField)) {
        continue;
      }
      if (f.type().isNumeric()) {
        double[] moments = moments(train, f.name());
        columns.add(Column.numeric(f.name(), moments[0], moments[1]));
        fields.add(f.withNullable(false));
      } else if (f.type() == DataType.BYTES) {
        List<String> domain = f.domain().isEmpty() ? observedDomain(train, f.name()) : f.domain();
        for (String category : domain) {
          columns.add(Column.indicator(f.name(), category));
        }
        fields.add(new Field(f.name(), f.type(), false, null, null, domain, f.description()));
      } else {
        throw new IllegalArgumentException(
            "field '"
                + f.name()
                + "' is "
                + f.type()
                + ": only numeric and BYTES fields are supported");
      }
    }
    if (fields.isEmpty()) {
      throw new IllegalArgumentException(
          "no feature fields besides the label '" + labelField + "'");
    }
    String[] names =
        columns.stream().map(LogisticRegressionTrainer::featureName).toArray(String[]::new);
    if (Set.of(names).size() != names.length) {
      throw new IllegalArgumentException(
          "encoded column names collide (a field named like 'field=category'?): " + List.of(names));
    }
    List<String> observed = observedLabels(train, labelField, positiveLabel);

    // Encode with the serving codec (in our provisional column order) so training sees serving's
    // float32 inputs exactly.
    TabularCodec provisional =
        new TabularCodec(
            new TabularSpec("input", "output", fields, columns, observed, positiveLabel));
    float[] x = (float[]) provisional.encode(train).get("input").data();
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> dataset =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("slipway records", EPOCH, factory), factory);
    for (int i = 0; i < train.size(); i++) {
      Label label = new Label((String) train.get(i).get(labelField));
      dataset.add(new ArrayExample<>(label, names, row(x, i, names.length)));
    }

    // A new Tribuo trainer per call: its RNG advances with every train() invocation.
    LinearSGDTrainer trainer =
        new LinearSGDTrainer(
            new LogMulticlass(),
            new AdaGrad(options.learningRate()),
            options.epochs(),
            -1,
            options.minibatchSize(),
            options.seed());
    LinearSGDModel model = trainer.train(dataset);

    // The ONNX input takes features in the order of Tribuo's feature ids, and the output holds
    // class probabilities in the order of its output ids: order the spec the same way.
    Map<String, Column> byName = new HashMap<>();
    for (int c = 0; c < columns.size(); c++) {
      byName.put(names[c], columns.get(c));
    }
    ImmutableFeatureMap featureMap = model.getFeatureIDMap();
    if (featureMap.size() != columns.size()) {
      throw new IllegalStateException(
          "Tribuo kept " + featureMap.size() + " of " + columns.size() + " encoded columns");
    }
    List<Column> ordered = new ArrayList<>(columns.size());
    for (int id = 0; id < featureMap.size(); id++) {
      ordered.add(byName.get(featureMap.get(id).getName()));
    }
    ImmutableOutputInfo<Label> outputs = model.getOutputIDInfo();
    List<String> labels = new ArrayList<>();
    for (int id = 0; id < outputs.size(); id++) {
      labels.add(outputs.getOutput(id).getLabel());
    }
    return new Fit(
        model,
        labelField,
        positiveLabel,
        fields,
        ordered,
        labels,
        sha256(fields, labelField, train));
  }

  TrainedModel complete(Fit fit, List<Record> train, List<Record> test) {
    if (test.isEmpty()) {
      throw new IllegalArgumentException("no held-out rows to measure the model on");
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("trainer", "logistic_regression");
    parameters.put("implementation", "tribuo " + Tribuo.VERSION + " LinearSGDTrainer");
    parameters.put("objective", "LogMulticlass");
    parameters.put("optimiser", "AdaGrad");
    parameters.put("seed", Long.toString(options.seed()));
    parameters.put("epochs", Integer.toString(options.epochs()));
    parameters.put("learning_rate", Double.toString(options.learningRate()));
    parameters.put("minibatch_size", Integer.toString(options.minibatchSize()));
    parameters.put("rows", Integer.toString(train.size()));
    parameters.put("training_data_sha256", fit.trainingSha256());

    byte[] onnx = export(fit.model(), parameters);
    Path file = null;
    try {
      file = Files.createTempFile("slipway-logistic-", ".onnx");
      Files.write(file, onnx);
      try (Predictor predictor = new OnnxFormat().load(file, ModelFormat.LoadOptions.defaults())) {
        TabularSpec spec = specFor(fit, predictor);
        Map<String, Double> metrics = evaluate(new TabularCodec(spec), predictor, fit, test);
        metrics.put("train_rows", (double) train.size());
        metrics.put("test_rows", (double) test.size());
        return new TrainedModel(onnx, spec, metrics, parameters);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the exported model to a temporary file", e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // A leftover temp file is harmless; the model is already in memory.
        }
      }
    }
  }

  private static byte[] export(LinearSGDModel model, Map<String, String> parameters) {
    OnnxMl.ModelProto.Builder proto = model.exportONNXModel(ONNX_DOMAIN, 1).toBuilder();
    // Tribuo stores its provenance (with training time and host) in the doc string and metadata:
    // replace it with what makes the model reproducible, so the same inputs give the same bytes.
    proto.setDocString(
        "logistic regression trained by slipway-train with "
            + parameters.get("implementation")
            + " ("
            + parameters.get("objective")
            + ", "
            + parameters.get("optimiser")
            + ")");
    proto.clearMetadataProps();
    parameters.forEach(
        (k, v) ->
            proto.addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder().setKey("slipway." + k).setValue(v)));
    return proto.build().toByteArray();
  }

  private static TabularSpec specFor(Fit fit, Predictor predictor) {
    List<TensorSpec> inputs = predictor.signature().inputs();
    if (inputs.size() != 1
        || inputs.get(0).type() != DataType.FP32
        || !inputs.get(0).accepts(new long[] {1, fit.columns().size()})) {
      throw new IllegalStateException(
          "exported model should take one FP32 [n, "
              + fit.columns().size()
              + "] input, takes "
              + inputs);
    }
    TensorSpec output =
        predictor.signature().outputs().stream()
            .filter(o -> o.accepts(new long[] {1, fit.labels().size()}))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "exported model has no [n, "
                            + fit.labels().size()
                            + "] probability output: "
                            + predictor.signature().outputs()));
    return fit.spec(inputs.get(0).name(), output.name());
  }

  private static Map<String, Double> evaluate(
      TabularCodec codec, Predictor predictor, Fit fit, List<Record> test) {
    int n = test.size();
    double[] scores = new double[n];
    boolean[] predicted = new boolean[n];
    boolean[] actual = new boolean[n];
    for (int start = 0; start < n; start += EVALUATION_BATCH) {
      List<Record> batch = test.subList(start, Math.min(n, start + EVALUATION_BATCH));
      Map<String, Tensor> out =
          codec.decode(predictor.infer(codec.encode(batch), Set.of()), batch.size());
      float[] score = (float[]) out.get("score").data();
      String[] label = (String[]) out.get("label").data();
      for (int i = 0; i < batch.size(); i++) {
        Object truth = batch.get(i).get(fit.labelField());
        if (!fit.labels().contains(truth)) {
          throw new IllegalArgumentException(
              "test["
                  + (start + i)
                  + "]."
                  + fit.labelField()
                  + " is "
                  + truth
                  + ", not one of the trained labels "
                  + fit.labels());
        }
        scores[start + i] = score[i];
        predicted[start + i] = fit.positiveLabel().equals(label[i]);
        actual[start + i] = fit.positiveLabel().equals(truth);
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("auc", Metrics.auc(scores, actual));
    metrics.put("log_loss", Metrics.logLoss(scores, actual));
    metrics.put("accuracy", Metrics.accuracy(predicted, actual));
    metrics.put("positive_rate", Metrics.positiveRate(actual));
    return metrics;
  }

  static String featureName(Column column) {
    return column.isIndicator() ? column.field() + "=" + column.category() : column.field();
  }

  private static double[] row(float[] x, int i, int width) {
    double[] values = new double[width];
    for (int c = 0; c < width; c++) {
      values[c] = x[i * width + c];
    }
    return values;
  }

  /** Mean and population standard deviation (1 when the field is constant). */
  private static double[] moments(List<Record> rows, String field) {
    double mean = 0;
    double m2 = 0;
    for (int i = 0; i < rows.size(); i++) {
      double v = number(rows.get(i), i, field);
      double delta = v - mean; // Welford: stable for large means
      mean += delta / (i + 1);
      m2 += delta * (v - mean);
    }
    double sd = Math.sqrt(m2 / rows.size());
    return new double[] {mean, sd > 0 && Double.isFinite(sd) ? sd : 1};
  }

  private static double number(Record r, int row, String field) {
    Object v = r.get(field);
    double d;
    if (v instanceof Long l) {
      d = l;
    } else if (v instanceof Double x) {
      d = x;
    } else {
      throw new IllegalArgumentException(
          "train[" + row + "]." + field + " is " + v + ": expected a number");
    }
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException(
          "train[" + row + "]." + field + " is " + v + ": expected a finite number");
    }
    return d;
  }

  private static List<String> observedDomain(List<Record> rows, String field) {
    TreeSet<String> values = new TreeSet<>();
    for (int i = 0; i < rows.size(); i++) {
      Object v = rows.get(i).get(field);
      if (!(v instanceof String s)) {
        throw new IllegalArgumentException(
            "train[" + i + "]." + field + " is " + v + ": expected a string");
      }
      values.add(s);
    }
    return List.copyOf(values);
  }

  private static List<String> observedLabels(List<Record> rows, String field, String positive) {
    TreeSet<String> labels = new TreeSet<>();
    for (int i = 0; i < rows.size(); i++) {
      Object v = rows.get(i).get(field);
      if (!(v instanceof String s)) {
        throw new IllegalArgumentException(
            "train[" + i + "]." + field + " is " + v + ": expected a string label");
      }
      labels.add(s);
    }
    if (labels.size() != 2 || !labels.contains(positive)) {
      throw new IllegalArgumentException(
          "training labels are "
              + labels
              + ": a binary classifier needs exactly two, one of them '"
              + positive
              + "'");
    }
    return List.copyOf(labels);
  }

  /**
   * The sha256 of the training rows written as CSV: a header of the feature names and the label
   * field, then one line per row of {@code String.valueOf} of each value, comma-separated, each
   * line ending in {@code \n}.
   */
  private static String sha256(List<Field> fields, String labelField, List<Record> rows) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    List<String> names = new ArrayList<>(fields.stream().map(Field::name).toList());
    names.add(labelField);
    digest.update((String.join(",", names) + "\n").getBytes(StandardCharsets.UTF_8));
    StringBuilder line = new StringBuilder();
    for (Record r : rows) {
      line.setLength(0);
      for (int c = 0; c < names.size(); c++) {
        if (c > 0) {
          line.append(',');
        }
        line.append(r.get(names.get(c)));
      }
      line.append('\n');
      digest.update(line.toString().getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
