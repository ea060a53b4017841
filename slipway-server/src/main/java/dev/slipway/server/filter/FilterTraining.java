package dev.slipway.server.filter;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.guard.FilterDocument;
import dev.slipway.serving.host.ServedModel;
import dev.slipway.train.filter.FilterModel;
import dev.slipway.train.filter.FilterReport;
import dev.slipway.train.filter.FilterTrainer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Trains a version's filtering model and keeps it in the registry: the main model answers held-out
 * rows, each row is labelled by whether it was right ({@link Labelling}), {@link FilterTrainer}
 * trains and measures the filter, its ONNX file goes to the artifact store and a {@value
 * FilterDocument#KIND} document to the version. Stateless; thread-safe.
 */
public final class FilterTraining {
  private static final int CHUNK = 1000;

  private FilterTraining() {}

  /**
   * How a row's outcome is judged.
   *
   * @param labelField the field of each row holding the truth
   * @param tolerance null for a classifier (right when its {@code label} output equals the truth);
   *     for a regressor, right when {@code |output - truth| <= tolerance}
   * @param output a regressor's output to compare, or null for its only output
   */
  public record Labelling(String labelField, Double tolerance, String output) {
    public Labelling {
      Objects.requireNonNull(labelField, "labelField");
    }

    public static Labelling classifier(String labelField) {
      return new Labelling(labelField, null, null);
    }
  }

  /** A served version's decoded outputs for records, without guards (the main model alone). */
  public static Function<List<Record>, Map<String, Tensor>> unguarded(ServedModel model) {
    RecordCodec codec =
        model
            .codec()
            .orElseThrow(
                () ->
                    InvalidInputException.of(
                        "model",
                        model.name() + "/" + model.number(),
                        "a model that takes records (a filter learns from record fields)"));
    return rows -> codec.decode(model.infer(codec.encode(rows), Set.of()), rows.size());
  }

  /**
   * Which rows the main model gets wrong.
   *
   * @param model the main model's decoded outputs for records
   * @throws InvalidInputException naming the row and field when a truth is missing or not a number
   *     (regression), or {@code output} when the model lacks the output to compare
   */
  public static boolean[] failures(
      Function<List<Record>, Map<String, Tensor>> model, List<Record> rows, Labelling how) {
    int n = rows.size();
    List<Object> predicted = new ArrayList<>(n);
    List<Object> truth = new ArrayList<>(n);
    double[] predictedValues = new double[n];
    double[] trueValues = new double[n];
    for (int from = 0; from < n; from += CHUNK) {
      List<Record> chunk = rows.subList(from, Math.min(n, from + CHUNK));
      Map<String, Tensor> out = model.apply(chunk);
      Tensor column = column(out, how);
      int per = (int) (column.size() / chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        int row = from + i;
        Object t = chunk.get(i).get(how.labelField());
        if (t == null) {
          throw InvalidInputException.missing(
              "dataset[" + row + "]." + how.labelField(), "the true label or value");
        }
        Object p = column.get(i * per);
        if (how.tolerance() == null) {
          predicted.add(p);
          truth.add(t);
        } else {
          if (!(t instanceof Number tn)) {
            throw InvalidInputException.of(
                "dataset[" + row + "]." + how.labelField(), t, "a number (the true value)");
          }
          trueValues[row] = tn.doubleValue();
          predictedValues[row] = p instanceof Number pn ? pn.doubleValue() : Double.NaN;
        }
      }
    }
    return how.tolerance() == null
        ? FilterTrainer.failures(predicted, truth)
        : FilterTrainer.failures(predictedValues, trueValues, how.tolerance());
  }

  private static Tensor column(Map<String, Tensor> out, Labelling how) {
    if (how.tolerance() == null) {
      Tensor label = out.get("label");
      if (label == null) {
        throw InvalidInputException.missing(
            "tolerance",
            "a tolerance (and the output to compare) for a model without a 'label' output; its"
                + " outputs are "
                + out.keySet());
      }
      return label;
    }
    if (how.output() != null) {
      Tensor t = out.get(how.output());
      if (t == null) {
        throw InvalidInputException.of("output", how.output(), "one of " + out.keySet());
      }
      return t;
    }
    if (out.size() != 1) {
      throw InvalidInputException.missing("output", "which of the outputs " + out.keySet());
    }
    return out.values().iterator().next();
  }

  /**
   * Trains the filter, stores its ONNX file and the version's {@value FilterDocument#KIND} document
   * (replacing an earlier one).
   *
   * @param features the main model's record fields
   * @param failed whether the main model got each row wrong
   * @throws InvalidInputException naming {@code dataset} when the rows do not allow a filter (too
   *     few failures or successes, fields that do not fit)
   */
  public static FilterDocument trainAndStore(
      ModelRegistry registry,
      ModelVersion main,
      Schema features,
      List<Record> rows,
      boolean[] failed,
      FilterTrainer.Options options,
      Clock clock,
      String actor) {
    FilterModel filter;
    try {
      filter = new FilterTrainer(options).train(features, rows, failed);
    } catch (IllegalArgumentException e) {
      throw InvalidInputException.of(
          "dataset", rows.size() + " rows", "rows a filter can learn from: " + e.getMessage());
    }
    String sha256 = registry.storeArtifact(filter.onnx());
    FilterDocument doc =
        new FilterDocument(
            sha256,
            "onnx",
            filter.spec(),
            filter.threshold(),
            filter.thresholdChoice(),
            metrics(filter.report()),
            options.seed(),
            clock.instant().toString(),
            filter.parameters());
    registry.putDocument(main.name(), main.version(), FilterDocument.KIND, doc.toJson(), actor);
    return doc;
  }

  /** The report's numbers under the names the document and the REST API use. */
  static Map<String, Double> metrics(FilterReport r) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("precision", r.precision());
    m.put("recall", r.recall());
    m.put("f1", r.f1());
    m.put("auc", r.auc());
    m.put("routed_share", r.routedShare());
    m.put("accuracy_all", r.accuracyAll());
    m.put("accuracy_kept", r.accuracyKept());
    m.put("rows", (double) r.rows());
    m.put("train_rows", (double) r.trainRows());
    m.put("train_failures", (double) r.trainFailures());
    m.put("measure_rows", (double) r.measureRows());
    m.put("measure_failures", (double) r.measureFailures());
    m.put("routed", (double) r.routed());
    return m;
  }

  /** A stored document as the REST API shows it: everything but the encoding. */
  public static Map<String, Object> describe(String model, int version, FilterDocument d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model);
    out.put("version", version);
    out.put("sha256", d.sha256());
    out.put("format", d.format());
    out.put("threshold", d.threshold());
    out.put("threshold_choice", d.thresholdChoice());
    out.put("metrics", d.metrics());
    out.put("features", d.spec().fields().stream().map(f -> f.name()).toList());
    out.put("seed", d.seed());
    out.put("trained_at", d.trainedAt());
    out.put("parameters", d.parameters());
    return out;
  }
}
