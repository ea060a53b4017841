package dev.slipway.train.filter;

import dev.slipway.api.codec.TabularSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trained filtering model: the ONNX classifier, the encoding of records for it (its {@link
 * TabularSpec}; the {@code score} it decodes to is the probability of {@value FilterTrainer#FAIL}),
 * the threshold at or above which a record is routed away, and its quality on held-out rows.
 * Immutable (the ONNX bytes are copied in and out) and thread-safe.
 *
 * @param onnx the serialized ONNX classifier
 * @param spec how records become its input; positive label {@value FilterTrainer#FAIL}
 * @param threshold records scoring at least this are predicted to fail
 * @param thresholdChoice {@code max_f1} (chosen on the training part) or {@code configured}
 * @param report precision, recall, routed share and accuracies on the measuring part
 * @param parameters how it was trained (seed, split, balancing, the classifier's settings)
 */
public record FilterModel(
    byte[] onnx,
    TabularSpec spec,
    double threshold,
    String thresholdChoice,
    FilterReport report,
    Map<String, String> parameters) {

  public FilterModel {
    onnx = Objects.requireNonNull(onnx, "onnx").clone();
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(report, "report");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /** A copy of the serialized ONNX model. */
  @Override
  public byte[] onnx() {
    return onnx.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FilterModel f
        && Arrays.equals(onnx, f.onnx)
        && spec.equals(f.spec)
        && Double.compare(threshold, f.threshold) == 0
        && thresholdChoice.equals(f.thresholdChoice)
        && report.equals(f.report)
        && parameters.equals(f.parameters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(onnx), spec, threshold, thresholdChoice, report, parameters);
  }

  @Override
  public String toString() {
    return "FilterModel[onnx="
        + onnx.length
        + " bytes, threshold="
        + threshold
        + " ("
        + thresholdChoice
        + "), report="
        + report
        + "]";
  }
}
