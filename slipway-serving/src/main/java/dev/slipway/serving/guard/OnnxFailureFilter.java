package dev.slipway.serving.guard;

import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.api.codec.TabularSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A filtering model held as a binary classifier (ONNX, loaded through the {@link ModelFormat} SPI)
 * behind the {@link TabularCodec} of its {@link TabularSpec}: its {@code score} is the failure
 * probability. Thread-safe (the predictor and codec are); closing it frees the predictor.
 */
public final class OnnxFailureFilter implements FailureFilter, AutoCloseable {
  private final Predictor predictor;
  private final TabularCodec codec;
  private final double threshold;

  /**
   * @param predictor the loaded classifier; this filter owns and closes it
   * @param spec how records become its input; the positive label is "the main model fails"
   * @param threshold failure probabilities at least this route a record away
   */
  public OnnxFailureFilter(Predictor predictor, TabularSpec spec, double threshold) {
    this.predictor = Objects.requireNonNull(predictor, "predictor");
    this.codec = new TabularCodec(spec);
    this.threshold = threshold;
  }

  /**
   * Loads a filter model file with a format (e.g. {@code Verifier.format("onnx")}).
   *
   * @throws dev.slipway.api.InvalidInputException when the runtime refuses the file
   */
  public static OnnxFailureFilter load(
      ModelFormat format, Path file, TabularSpec spec, double threshold) {
    return new OnnxFailureFilter(
        format.load(file, ModelFormat.LoadOptions.defaults()), spec, threshold);
  }

  @Override
  public double[] failureProbability(List<Record> records) {
    if (records.isEmpty()) {
      return new double[0];
    }
    Map<String, Tensor> out =
        codec.decode(predictor.infer(codec.encode(records), Set.of()), records.size());
    float[] score = (float[]) out.get("score").data();
    double[] p = new double[score.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = score[i];
    }
    return p;
  }

  @Override
  public double threshold() {
    return threshold;
  }

  @Override
  public void close() {
    predictor.close();
  }
}
