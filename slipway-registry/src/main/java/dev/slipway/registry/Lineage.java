package dev.slipway.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a model version came from: the data it was trained on and the parameters of the training
 * run. Immutable.
 *
 * @param trainingDataRef a reference to the training data (a URI, a path, a table and snapshot id,
 *     ...), at most 2048 characters, or {@code null} when unknown
 * @param trainingDataSha256 the lowercase hex SHA-256 of the training data, or {@code null}
 * @param parameters training parameters (hyper-parameters, seeds, code revision, ...) by name;
 *     never {@code null}. The registry returns them sorted by name.
 */
public record Lineage(
    String trainingDataRef, String trainingDataSha256, Map<String, String> parameters) {

  /** No lineage recorded. */
  public static final Lineage NONE = new Lineage(null, null, Map.of());

  public Lineage {
    // LinkedHashMap rather than Map.copyOf: a null key or value must reach the registry's
    // validation (which names the field), not fail here with a bare NullPointerException.
    parameters =
        parameters == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }
}
