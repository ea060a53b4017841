package dev.slipway.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One numbered version of a registered model. The artifact, format, manifest, metrics, lineage and
 * creator of a version never change; its tags, verification and gate result are recorded later, so
 * two reads of the same version may differ in those.
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
 * @param lineage training data and parameters; never {@code null} ({@link Lineage#NONE})
 * @param tags key/value tags, sorted by key; never {@code null}
 * @param verification the verification status; never {@code null} ({@link Verification#PENDING})
 * @param gate the latest evaluation-gate result, or {@code null} when the version was never gated
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
    Instant createdAt,
    Lineage lineage,
    Map<String, String> tags,
    Verification verification,
    GateResult gate) {

  public ModelVersion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(createdAt, "createdAt");
    metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(metrics));
    lineage =
        lineage == null
            ? Lineage.NONE
            : new Lineage(
                lineage.trainingDataRef(),
                lineage.trainingDataSha256(),
                new TreeMap<>(lineage.parameters()));
    tags = tags == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(tags));
    verification = verification == null ? Verification.PENDING : verification;
  }

  /**
   * A version without lineage, tags, verification or gate result (the shape of a version before
   * those existed).
   */
  public ModelVersion(
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
    this(
        name,
        version,
        format,
        sha256,
        sizeBytes,
        manifest,
        metrics,
        description,
        createdBy,
        createdAt,
        Lineage.NONE,
        Map.of(),
        Verification.PENDING,
        null);
  }

  /** The reference {@code name:version}, as used in logs and messages. */
  public String ref() {
    return name + ":" + version;
  }

  /** A copy with other tags. */
  ModelVersion withTags(Map<String, String> newTags) {
    return new ModelVersion(
        name,
        version,
        format,
        sha256,
        sizeBytes,
        manifest,
        metrics,
        description,
        createdBy,
        createdAt,
        lineage,
        newTags,
        verification,
        gate);
  }
}
