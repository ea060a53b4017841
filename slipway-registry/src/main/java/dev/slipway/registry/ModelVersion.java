package dev.slipway.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One immutable, numbered version of a registered model.
 *
 * @param name the model's name
 * @param version the version number, 1 for the first version of a model
 * @param format the model format's short name, e.g. {@code onnx}
 * @param sha256 the id of the artifact in the {@link dev.slipway.registry.artifact.ArtifactStore}
 * @param sizeBytes the artifact's size
 * @param manifest JSON text describing the model (schema, transforms, ...), or {@code null}; the
 *     registry checks that it is well-formed JSON and otherwise does not interpret it
 * @param metrics evaluation metrics by name, sorted by name; never {@code null}
 * @param description free text, or {@code null}
 * @param createdBy who registered the version
 * @param createdAt when the version was registered, to the microsecond
 */
public record ModelVersion(
    String name,
    int version,
    String format,
    String sha256,
    long sizeBytes,
    String manifest,
    Map<String, Double> metrics,
    String description,
    String createdBy,
    Instant createdAt) {

  public ModelVersion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(createdAt, "createdAt");
    metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(metrics));
  }

  /** The reference {@code name:version}, as used in logs and messages. */
  public String ref() {
    return name + ":" + version;
  }
}
