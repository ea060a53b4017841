package dev.slipway.runtime.xgboost;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * The {@code xgboost} model format: a model saved by XGBoost's {@code save_model} / {@code
 * Booster.saveModel} as JSON ({@code .json}) or UBJSON ({@code .ubj}, XGBoost's default since 2.1;
 * also recognized as {@code .model}). The legacy binary format is not supported: it was deprecated
 * in XGBoost 1.6 and its reader is not safe on damaged input.
 *
 * <p>{@link #recognizes} looks at the extension and, because {@code .json} and {@code .model} are
 * used by many tools, at the first bytes: both encodings of an XGBoost model start with an object
 * whose first key is {@code learner}. Stateless and thread-safe.
 */
public final class XgboostFormat implements ModelFormat {
  private static final int SNIFF_BYTES = 64;
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  @Override
  public String name() {
    return "xgboost";
  }

  @Override
  public boolean recognizes(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!(name.endsWith(".json") || name.endsWith(".ubj") || name.endsWith(".model"))) {
      return false;
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(SNIFF_BYTES);
      String text = new String(head, StandardCharsets.ISO_8859_1).stripLeading();
      // JSON: {"learner":…  UBJSON: {L<8-byte length>learner… or {U<1-byte length>learner…
      return text.startsWith("{") && text.contains("learner");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Loads a model and sets XGBoost's {@code nthread} to {@code options.intraOpThreads()} (at least
   * 1) for its predictions. The format is told from the content, not the name (registry artifacts
   * may have none): JSON or UBJSON. A UBJSON file is first checked in Java ({@link Ubjson}) because
   * XGBoost's reader crashes the JVM on truncated UBJSON, and every model is checked ({@link
   * ModelCheck}) before XGBoost loads it because XGBoost follows damaged indices without checking
   * them. The legacy binary format is refused.
   *
   * @throws InvalidInputException naming field {@code model} and the file when the file is missing,
   *     unreadable, damaged, or refused by XGBoost
   * @throws ModelFailureException when XGBoost's native library cannot be loaded on this machine
   */
  @Override
  public Predictor load(Path file, LoadOptions options) {
    if (!Files.isRegularFile(file)) {
      throw InvalidInputException.of("model", file.toString(), "an existing XGBoost model file");
    }
    Prepared model;
    try {
      model = prepare(Files.readAllBytes(file));
    } catch (IOException | DamagedModelException | OutOfMemoryError e) {
      throw refused(file, e);
    }
    Booster booster;
    try {
      booster = XGBoost.loadModel(model.bytes());
    } catch (XGBoostError | IOException | RuntimeException e) {
      throw refused(file, e);
    } catch (LinkageError e) {
      throw new ModelFailureException(nativeFailure(e), e);
    }
    try {
      booster.setParam("nthread", Math.max(1, options.intraOpThreads()));
      return new XgboostPredictor(booster, model.checked());
    } catch (XGBoostError | DamagedModelException | RuntimeException e) {
      booster.dispose();
      throw refused(file, e);
    }
  }

  /** A model ready for XGBoost: the bytes to hand over and what {@link ModelCheck} found. */
  record Prepared(byte[] bytes, ModelCheck.Checked checked) {}

  /**
   * Reads and checks a model file's bytes. XGBoost tells JSON from UBJSON by the byte after the
   * opening brace, so JSON has the whitespace before its first key removed.
   */
  static Prepared prepare(byte[] bytes) throws DamagedModelException {
    int start = skipJsonSpace(bytes, 0);
    if (start == bytes.length || bytes[start] != '{') {
      throw new DamagedModelException(
          "neither JSON nor UBJSON (an XGBoost model starts with '{'; the legacy binary format is"
              + " not supported: re-save the model with save_model(\"model.ubj\"))");
    }
    int next = skipJsonSpace(bytes, start + 1);
    if (next < bytes.length && (bytes[next] == '"' || bytes[next] == '}')) {
      byte[] json = new byte[1 + bytes.length - next];
      json[0] = '{';
      System.arraycopy(bytes, next, json, 1, bytes.length - next);
      JsonNode doc;
      try {
        doc = JSON.readTree(json);
      } catch (IOException e) {
        throw new DamagedModelException("not valid JSON: " + firstLine(e.getMessage()));
      }
      return new Prepared(json, ModelCheck.check(doc));
    }
    if (start != 0) {
      throw new DamagedModelException("UBJSON model with leading bytes");
    }
    return new Prepared(bytes, ModelCheck.check(Ubjson.parse(bytes)));
  }

  private static int skipJsonSpace(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
    return i;
  }

  /**
   * Says why XGBoost's native library did not load. xgboost4j loads it in a static initialiser, so
   * the first failure arrives as an {@link ExceptionInInitializerError} and later ones as a {@link
   * NoClassDefFoundError}: the useful part is the innermost cause.
   */
  static String nativeFailure(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    String reason = root.toString();
    String hint =
        reason.contains("libgomp") || reason.contains("OpenMP")
            ? " (install the OpenMP runtime, e.g. Debian's libgomp1)"
            : " (xgboost4j ships native libraries for Linux and macOS x86_64/aarch64 and Windows"
                + " x86_64, extracted to java.io.tmpdir at first use)";
    return "XGBoost's native library cannot be loaded on " + platform + ": " + reason + hint;
  }

  private static InvalidInputException refused(Path file, Throwable e) {
    return InvalidInputException.of(
        "model",
        file.getFileName().toString(),
        "a complete XGBoost model (JSON or UBJSON) that XGBoost can load: "
            + firstLine(e.getMessage()));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no reason given";
    }
    String m = message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
