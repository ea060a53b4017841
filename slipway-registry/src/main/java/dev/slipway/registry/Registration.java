package dev.slipway.registry;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request to register a new version of a model, checked by {@link ModelRegistry#register}, which
 * reports every problem as an {@link dev.slipway.api.InvalidInputException} naming the field. This
 * record only copies its inputs, so that it can be built straight from a caller's request; {@link
 * #builder(String, Path)} is the readable way to build one.
 *
 * @param name the model's name, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}
 * @param artifact the model file, copied into the artifact store
 * @param format the model format's short name, e.g. {@code onnx}; not blank
 * @param manifest JSON text describing the model, or {@code null}
 * @param metrics evaluation metrics by name, finite values; {@code null} means none
 * @param description free text, or {@code null}
 * @param createdBy who registers the version; not blank
 * @param lineage training data and parameters; {@code null} means none
 * @param version the version number to create, or {@code null} for the next one. When that version
 *     exists the registration fails with {@link dev.slipway.api.ConflictException}.
 */
public record Registration(
    String name,
    Path artifact,
    String format,
    String manifest,
    Map<String, Double> metrics,
    String description,
    String createdBy,
    Lineage lineage,
    Integer version) {

  public Registration {
    // LinkedHashMap rather than Map.copyOf: a null key or value must reach validation, not an NPE.
    metrics =
        metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    lineage = lineage == null ? Lineage.NONE : lineage;
  }

  /** A registration without lineage that takes the next version number. */
  public Registration(
      String name,
      Path artifact,
      String format,
      String manifest,
      Map<String, Double> metrics,
      String description,
      String createdBy) {
    this(name, artifact, format, manifest, metrics, description, createdBy, null, null);
  }

  /** Starts a registration of the given file as a new version of the named model. */
  public static Builder builder(String name, Path artifact) {
    return new Builder(name, artifact);
  }

  /** Builds a {@link Registration}; not thread-safe. Format defaults to {@code onnx}. */
  public static final class Builder {
    private final String name;
    private final Path artifact;
    private String format = "onnx";
    private String manifest;
    private Map<String, Double> metrics;
    private String description;
    private String createdBy;
    private String trainingDataRef;
    private String trainingDataSha256;
    private Map<String, String> parameters;
    private Integer version;

    private Builder(String name, Path artifact) {
      this.name = name;
      this.artifact = artifact;
    }

    public Builder format(String format) {
      this.format = format;
      return this;
    }

    public Builder manifest(String manifest) {
      this.manifest = manifest;
      return this;
    }

    public Builder metrics(Map<String, Double> metrics) {
      this.metrics = metrics;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder createdBy(String createdBy) {
      this.createdBy = createdBy;
      return this;
    }

    /** The training data's reference and lowercase hex SHA-256; either may be {@code null}. */
    public Builder trainingData(String reference, String sha256) {
      this.trainingDataRef = reference;
      this.trainingDataSha256 = sha256;
      return this;
    }

    public Builder parameters(Map<String, String> parameters) {
      this.parameters = parameters;
      return this;
    }

    /** Asks for this version number instead of the next one. */
    public Builder version(int version) {
      this.version = version;
      return this;
    }

    public Registration build() {
      Lineage lineage =
          trainingDataRef == null && trainingDataSha256 == null && parameters == null
              ? Lineage.NONE
              : new Lineage(trainingDataRef, trainingDataSha256, parameters);
      return new Registration(
          name, artifact, format, manifest, metrics, description, createdBy, lineage, version);
    }
  }
}
