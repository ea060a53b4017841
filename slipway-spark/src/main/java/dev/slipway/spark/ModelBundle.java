package dev.slipway.spark;

import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.guard.FilterDocument;
import dev.slipway.serving.guard.Guards;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything an executor needs to serve one pinned model version without the metadata database: the
 * version's registry entry, its artifact's bytes and its documents (the data profile the input
 * checks narrow their ranges with; the filtering model's document when the guards consult it, with
 * the filter's ONNX file). Broadcast once per job in a {@link JobModels}. Immutable by contract (do
 * not change the arrays or the map).
 *
 * @param name the model's name
 * @param version the pinned version number
 * @param format the model format's short name
 * @param sha256 the artifact's content address (checked again by the executor's artifact store)
 * @param manifest the version's manifest JSON, or null
 * @param createdBy who registered the version
 * @param createdAt when it was registered
 * @param artifact the model file's bytes
 * @param documents the version's documents by kind (only those the guards read)
 * @param filter the artifact the {@value FilterDocument#KIND} document names, or null when that
 *     document is not shipped
 */
record ModelBundle(
    String name,
    int version,
    String format,
    String sha256,
    String manifest,
    String createdBy,
    Instant createdAt,
    byte[] artifact,
    HashMap<String, String> documents,
    byte[] filter)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Reads a version's artifact and documents from a registry, on the driver.
   *
   * @param withFilter whether to ship the version's filtering model (when it has one): the guards
   *     consult it when the version's model has a fallback chain
   */
  static ModelBundle of(ModelRegistry registry, ModelVersion v, boolean withFilter) {
    byte[] bytes = read(registry.artifactPath(v), v);
    HashMap<String, String> docs = new HashMap<>();
    registry
        .document(v.name(), v.version(), Guards.PROFILE)
        .ifPresent(d -> docs.put(Guards.PROFILE, d));
    byte[] filter = null;
    if (withFilter) {
      String doc = registry.document(v.name(), v.version(), FilterDocument.KIND).orElse(null);
      if (doc != null) {
        docs.put(FilterDocument.KIND, doc);
        try {
          filter = read(registry.artifactPath(FilterDocument.fromJson(doc).sha256()), v);
        } catch (RuntimeException e) {
          // a filter the embedded engine could not load either: the executor's
          // RegistryFailureFilters then fails on it too, logs why and serves unfiltered, as
          // embedded
        }
      }
    }
    return new ModelBundle(
        v.name(),
        v.version(),
        v.format(),
        v.sha256(),
        v.manifest(),
        v.createdBy(),
        v.createdAt(),
        bytes,
        docs,
        filter);
  }

  private static byte[] read(java.nio.file.Path file, ModelVersion v) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read an artifact of " + v.name() + "/" + v.version() + ": " + file, e);
    }
  }

  /** The registry entry the executor's model host loads (metrics, lineage and tags left out). */
  ModelVersion toVersion() {
    return new ModelVersion(
        name,
        version,
        format,
        sha256,
        artifact.length,
        manifest,
        Map.of(),
        null,
        createdBy,
        createdAt);
  }

  /** The key of this version in an executor's cache. */
  String key() {
    return name + "/" + version + "@" + sha256;
  }
}
