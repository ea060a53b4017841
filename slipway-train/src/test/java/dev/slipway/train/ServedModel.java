package dev.slipway.train;

import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.runtime.onnx.OnnxFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A trained model loaded as serving loads it: ONNX Runtime behind its {@link TabularCodec}. */
public final class ServedModel implements AutoCloseable {
  private final Predictor predictor;
  private final TabularCodec codec;

  public ServedModel(TrainedModel model) {
    try {
      Path file = Files.createTempFile("slipway-train-test-", ".onnx");
      Files.write(file, model.onnx());
      try {
        this.predictor = new OnnxFormat().load(file, ModelFormat.LoadOptions.defaults());
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.codec = new TabularCodec(model.spec());
  }

  public Predictor predictor() {
    return predictor;
  }

  /** The decoded outputs: {@code label}, {@code score}, {@code probabilities}. */
  public Map<String, Tensor> predict(List<Record> records) {
    return codec.decode(predictor.infer(codec.encode(records), Set.of()), records.size());
  }

  public float[] scores(List<Record> records) {
    return (float[]) predict(records).get("score").data();
  }

  @Override
  public void close() {
    predictor.close();
  }
}
