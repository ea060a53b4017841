package dev.slipway.batch.store;

import dev.slipway.api.InvalidInputException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Predictions kept by model name and entity key: batch jobs {@link #putAll put} them, the
 * predictions API and store-first serving {@link #get} them. A put replaces what is stored for the
 * same model and key unless that is newer (a later {@code scoredAt}): re-running a job overwrites
 * with the newer result, and a late writer of an older result changes nothing.
 *
 * <p>Implementations are thread-safe. A failing backend raises {@link
 * dev.slipway.api.ModelUnavailableException}.
 */
public interface PredictionStore extends AutoCloseable {

  /** The longest entity key stored (characters). */
  int MAX_KEY_LENGTH = 256;

  /** Stores predictions; within one call, a later element wins over an earlier one of its key. */
  void putAll(List<StoredPrediction> predictions);

  /** The stored prediction of a model for an entity key, if any. */
  Optional<StoredPrediction> get(String model, String key);

  /** {@link #get} of many keys at once, in the keys' order; backends may fetch them together. */
  default List<Optional<StoredPrediction>> getAll(String model, List<String> keys) {
    List<Optional<StoredPrediction>> out = new ArrayList<>(keys.size());
    for (String k : keys) {
      out.add(get(model, k));
    }
    return out;
  }

  /** Releases connections; the caller keeps ownership of any data source it passed in. */
  @Override
  void close();

  /**
   * Checks an entity key: not blank, at most {@value #MAX_KEY_LENGTH} characters.
   *
   * @return the key
   * @throws InvalidInputException naming field {@code key} otherwise
   */
  static String checkKey(String key) {
    if (key == null || key.isBlank()) {
      throw InvalidInputException.of(
          "key", key == null ? "nothing" : "\"" + key + "\"", "a non-blank entity key");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw InvalidInputException.of(
          "key",
          key,
          "an entity key of at most " + MAX_KEY_LENGTH + " characters (got " + key.length() + ")");
    }
    return key;
  }

  /**
   * The entity key of a record's value, the same in batch and online: text as it is, whole numbers
   * without a fraction ({@code 42} and {@code 42.0} are both {@code "42"}), other values as Java
   * prints them; null for null.
   */
  static String keyOf(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      return value.toString();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      return value.toString();
    }
    if (value instanceof BigDecimal b) {
      return b.stripTrailingZeros().scale() <= 0
          ? b.toBigInteger().toString()
          : b.stripTrailingZeros().toPlainString();
    }
    return value.toString();
  }
}
