package dev.slipway.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code onnx} model format. Stateless and thread-safe. */
public final class OnnxFormat implements ModelFormat {

  @Override
  public String name() {
    return "onnx";
  }

  @Override
  public boolean recognizes(Path file) {
    return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
  }

  @Override
  public Predictor load(Path file, LoadOptions options) {
    if (!Files.isRegularFile(file)) {
      throw InvalidInputException.of("model", file.toString(), "an existing ONNX file");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(Math.max(1, options.intraOpThreads()));
      opts.setInterOpNumThreads(1);
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      OrtSession session = env.createSession(file.toString(), opts);
      return new OnnxPredictor(env, session);
    } catch (OrtException e) {
      throw InvalidInputException.of(
          "model",
          file.getFileName().toString(),
          "an ONNX model ONNX Runtime can load: " + e.getMessage());
    }
  }
}
