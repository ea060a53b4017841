package dev.slipway.api;

import java.nio.file.Path;

/**
 * A model file format Slipway can load, found with {@link java.util.ServiceLoader}. Implementations
 * are stateless and thread-safe.
 */
public interface ModelFormat {

  /** The short name stored with a model version, e.g. {@code "onnx"}. */
  String name();

  /** Whether a file looks like this format (by name or first bytes); must not load the model. */
  boolean recognizes(Path file);

  /**
   * Loads a model.
   *
   * @throws InvalidInputException when the file is not a valid model of this format
   */
  Predictor load(Path file, LoadOptions options);

  /** Runtime settings for one loaded model. */
  record LoadOptions(int intraOpThreads) {
    public static LoadOptions defaults() {
      return new LoadOptions(1);
    }
  }
}
