package dev.slipway.train;

import dev.slipway.api.codec.TabularSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trained classifier ready to register: the ONNX model, the preprocessing that turns records into
 * its input, its quality on held-out data and how it was trained. Immutable (the ONNX bytes are
 * copied in and out) and thread-safe.
 *
 * @param onnx the serialized ONNX model
 * @param spec how records become the model's input and its output becomes labels; pass it to a
 *     {@link dev.slipway.api.codec.TabularCodec}
 * @param metrics held-out quality measured by running {@code onnx} through the codec, as serving
 *     would: {@code auc}, {@code log_loss}, {@code accuracy}, {@code positive_rate} (of the
 *     held-out labels), {@code train_rows}, {@code test_rows}; in that order
 * @param parameters how the model was trained (seed, epochs, learning rate, row count, the sha256
 *     of the training data, ...), enough to train it again
 */
public record TrainedModel(
    byte[] onnx, TabularSpec spec, Map<String, Double> metrics, Map<String, String> parameters) {

  public TrainedModel {
    onnx = Objects.requireNonNull(onnx, "onnx").clone();
    Objects.requireNonNull(spec, "spec");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /** A copy of the serialized ONNX model. */
  @Override
  public byte[] onnx() {
    return onnx.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainedModel t
        && Arrays.equals(onnx, t.onnx)
        && spec.equals(t.spec)
        && metrics.equals(t.metrics)
        && parameters.equals(t.parameters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(onnx), spec, metrics, parameters);
  }

  @Override
  public String toString() {
    return "TrainedModel[onnx="
        + onnx.length
        + " bytes, labels="
        + spec.labels()
        + ", metrics="
        + metrics
        + ", parameters="
        + parameters
        + "]";
  }
}
