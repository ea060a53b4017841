package dev.slipway.spark;

import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
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
 * checks narrow their ranges with). Broadcast once per job. Immutable by contract (do not change
 * the arrays or the map).
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
    HashMap<String, String> documents)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Reads a version's artifact and documents from a registry, on the driver. */
  static ModelBundle of(ModelRegistry registry, ModelVersion v) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(registry.artifactPath(v));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the artifact of " + v.name() + "/" + v.version(), e);
    }
    HashMap<String, String> docs = new HashMap<>();
    registry
        .document(v.name(), v.version(), Guards.PROFILE)
        .ifPresent(d -> docs.put(Guards.PROFILE, d));
    return new ModelBundle(
        v.name(),
        v.version(),
        v.format(),
        v.sha256(),
        v.manifest(),
        v.createdBy(),
        v.createdAt(),
        bytes,
        docs);
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

  /**
   * This bundle in Java serialization. It is broadcast as these bytes rather than as an object so
   * that it travels the same whatever {@code spark.serializer} is (Kryo 4, which Spark ships, does
   * not know records).
   */
  byte[] toBytes() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(artifact.length + 4096);
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The bundle {@link #toBytes} wrote. */
  static ModelBundle fromBytes(byte[] bytes) {
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return (ModelBundle) in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key of this version in an executor's cache. */
  String key() {
    return name + "/" + version + "@" + sha256;
  }
}
