package dev.slipway.serving.host;

import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.SlipwayException;
import dev.slipway.api.codec.ColumnCodec;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps registered model versions loaded. A version is loaded on first use (or by {@link #load})
 * and stays loaded until {@link #close}; a request without a version gets the latest registered
 * one, re-read from the registry on {@link #refresh}.
 *
 * <p>Thread-safe. Loading one version does not block requests to versions already loaded.
 */
public final class ModelHost implements AutoCloseable {
  private final ModelRegistry registry;
  private final Map<String, ModelFormat> formats = new ConcurrentHashMap<>();
  private final ModelFormat.LoadOptions options;
  private final Map<String, ServedModel> loaded = new ConcurrentHashMap<>();
  private final Map<String, Integer> latest = new ConcurrentHashMap<>();

  public ModelHost(ModelRegistry registry, ModelFormat.LoadOptions options) {
    this.registry = registry;
    this.options = options;
    for (ModelFormat f : ServiceLoader.load(ModelFormat.class)) {
      formats.put(f.name(), f);
    }
  }

  public ModelRegistry registry() {
    return registry;
  }

  /**
   * The served model for a reference, loading it if needed.
   *
   * @param version a version number, or null for the latest
   * @throws ModelNotFoundException if the model or version is not registered
   * @throws ModelUnavailableException if the version is registered but cannot be loaded
   */
  public ServedModel get(String name, Integer version) {
    int v =
        version != null ? version : latest.computeIfAbsent(name, n -> registry.latest(n).version());
    ServedModel m = loaded.get(key(name, v));
    return m != null ? m : load(name, v);
  }

  /** Loads a version now (idempotent) and returns it. */
  public ServedModel load(String name, int version) {
    return loaded.computeIfAbsent(key(name, version), k -> open(name, version));
  }

  /** Re-reads which version is the latest of a model, e.g. after a registration. */
  public void refresh(String name) {
    latest.remove(name);
  }

  /** Whether the version is loaded and able to answer. */
  public boolean isLoaded(String name, int version) {
    return loaded.containsKey(key(name, version));
  }

  public List<ServedModel> loaded() {
    return new ArrayList<>(loaded.values());
  }

  private ServedModel open(String name, int number) {
    ModelVersion v =
        registry
            .version(name, number)
            .orElseThrow(
                () ->
                    new ModelNotFoundException(
                        "model '"
                            + name
                            + "' has no version "
                            + number
                            + "; registered versions: "
                            + registry.versions(name).stream()
                                .map(ModelVersion::version)
                                .toList()));
    ModelFormat format = formats.get(v.format());
    if (format == null) {
      throw new ModelUnavailableException(
          "model '"
              + name
              + "' version "
              + number
              + " has format '"
              + v.format()
              + "', which this server cannot load; known: "
              + formats.keySet());
    }
    Predictor p;
    try {
      p = format.load(registry.artifactPath(v), options);
    } catch (SlipwayException e) {
      throw new ModelUnavailableException(
          "model '" + name + "' version " + number + " failed to load: " + e.getMessage(), e);
    }
    try {
      ModelManifest manifest = ModelManifest.fromJson(v.manifest());
      RecordCodec codec =
          manifest.tabular() != null
              ? new TabularCodec(manifest.tabular())
              : ColumnCodec.forSignature(p.signature()).orElse(null);
      return new ServedModel(v, p, codec, manifest.tabular() != null);
    } catch (RuntimeException e) {
      p.close();
      throw new ModelUnavailableException(
          "model '" + name + "' version " + number + " has an unusable manifest: " + e.getMessage(),
          e);
    }
  }

  private static String key(String name, int version) {
    return name + "/" + version;
  }

  @Override
  public void close() {
    for (ServedModel m : loaded.values()) {
      m.close();
    }
    loaded.clear();
  }
}
