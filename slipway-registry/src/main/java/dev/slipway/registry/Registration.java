package dev.slipway.registry;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request to register a new version of a model, checked by {@link ModelRegistry#register}, which
 * reports every problem as an {@link dev.slipway.api.InvalidInputException} naming the field. This
 * record only copies its inputs, so that it can be built straight from a caller's request.
 *
 * @param name the model's name, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}
 * @param artifact the model file, copied into the artifact store
 * @param format the model format's short name, e.g. {@code onnx}; not blank
 * @param manifest JSON text describing the model, or {@code null}
 * @param metrics evaluation metrics by name, finite values; {@code null} means none
 * @param description free text, or {@code null}
 * @param createdBy who registers the version; not blank
 */
public record Registration(
    String name,
    Path artifact,
    String format,
    String manifest,
    Map<String, Double> metrics,
    String description,
    String createdBy) {

  public Registration {
    // LinkedHashMap rather than Map.copyOf: a null key or value must reach validation, not an NPE.
    metrics =
        metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }
}
