package dev.slipway.batch.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One stored prediction: what a model version answered for an entity, and when.
 *
 * @param model the model's name
 * @param key the entity key (see {@link PredictionStore#checkKey})
 * @param version the model version that scored it
 * @param outputs the prediction's values by output name, in order; values are JSON-like (numbers,
 *     strings, booleans, null, lists)
 * @param scoredAt when it was scored, kept to the microsecond (what every backend stores)
 */
public record StoredPrediction(
    String model, String key, int version, Map<String, Object> outputs, Instant scoredAt) {

  public StoredPrediction {
    Objects.requireNonNull(model, "model");
    PredictionStore.checkKey(key);
    Objects.requireNonNull(outputs, "outputs");
    Objects.requireNonNull(scoredAt, "scoredAt");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    scoredAt = scoredAt.truncatedTo(ChronoUnit.MICROS);
  }
}
