package dev.slipway.runtime.lightgbm;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code lightgbm} model format: LightGBM's text model file, as written by {@code save_model} /
 * {@code saveModelToString}, named {@code .txt} or {@code .lgbm}.
 *
 * <p>{@link #recognizes} looks at the extension and, because {@code .txt} is used by everything, at
 * the first line, which LightGBM always writes as {@code tree}. {@link #load} checks the whole text
 * in Java before LightGBM parses it, because LightGBM's parser crashes the JVM on truncated or
 * damaged files (see {@link ModelText}). Stateless and thread-safe.
 */
public final class LightgbmFormat implements ModelFormat {

  @Override
  public String name() {
    return "lightgbm";
  }

  @Override
  public boolean recognizes(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!(name.endsWith(".txt") || name.endsWith(".lgbm"))) {
      return false;
    }
    try (InputStream in = Files.newInputStream(file)) {
      String head = new String(in.readNBytes(6), StandardCharsets.ISO_8859_1);
      return head.startsWith("tree\n") || head.startsWith("tree\r");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Loads a model; its predictions use {@code options.intraOpThreads()} (at least 1) OpenMP
   * threads.
   *
   * @throws InvalidInputException naming field {@code model} and the file when the file is missing,
   *     unreadable, not a complete LightGBM text model, or refused by LightGBM
   * @throws ModelFailureException when LightGBM's native library cannot be loaded on this machine
   */
  @Override
  public Predictor load(Path file, LoadOptions options) {
    if (!Files.isRegularFile(file)) {
      throw InvalidInputException.of("model", file.toString(), "an existing LightGBM model file");
    }
    ModelText model;
    try {
      model = ModelText.check(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
    } catch (IOException | ModelText.MalformedModelException | OutOfMemoryError e) {
      throw refused(file, e);
    }
    NativeBooster booster;
    try {
      booster = NativeBooster.load(model);
    } catch (NativeBooster.NativeException e) {
      throw refused(file, e);
    }
    try {
      return new LightgbmPredictor(booster, model, Math.max(1, options.intraOpThreads()));
    } catch (NativeBooster.NativeException | RuntimeException e) {
      try {
        booster.free();
      } catch (NativeBooster.NativeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw refused(file, e);
    }
  }

  private static InvalidInputException refused(Path file, Throwable e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
    return InvalidInputException.of(
        "model",
        file.getFileName().toString(),
        "a complete LightGBM text model that LightGBM can load: " + reason);
  }
}
