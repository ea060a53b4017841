package dev.slipway.serving.guard;

import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.host.Verifier;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filtering model of a version, as {@link Guards} asks for it: read from the version's {@value
 * FilterDocument#KIND} document and the artifact store, loaded once per version and document. A
 * version without the document has no filter. A filter that cannot be read or loaded is logged and
 * left out (the version is served unfiltered) rather than failing requests.
 *
 * <p>A retrained filter (a new document) replaces the old one on the next call; the old predictor
 * is kept open, as requests may still be using it, until {@link #close}. Thread-safe.
 */
public final class RegistryFailureFilters
    implements Function<ModelVersion, Optional<FailureFilter>>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryFailureFilters.class);

  private final ModelRegistry registry;
  private final Function<ModelVersion, Optional<String>> documents;
  private final Map<String, Loaded> cache = new ConcurrentHashMap<>();
  private final List<OnnxFailureFilter> retired = new CopyOnWriteArrayList<>();

  private record Loaded(String document, OnnxFailureFilter filter) {}

  public RegistryFailureFilters(ModelRegistry registry) {
    this(registry, v -> registry.document(v.name(), v.version(), FilterDocument.KIND));
  }

  /**
   * Filters whose documents are read elsewhere than in the registry's metadata (a Spark executor's
   * copy of the driver's), their ONNX files still from the registry's artifact store.
   *
   * @param documents a version's {@value FilterDocument#KIND} document, if it has one
   */
  public RegistryFailureFilters(
      ModelRegistry registry, Function<ModelVersion, Optional<String>> documents) {
    this.registry = registry;
    this.documents = documents;
  }

  @Override
  public Optional<FailureFilter> apply(ModelVersion version) {
    if (version == null) {
      return Optional.empty();
    }
    String key = version.name() + "/" + version.version();
    Optional<String> text;
    try {
      text = documents.apply(version);
    } catch (RuntimeException e) {
      log.warn("{}: filtering model not read: {}", key, e.getMessage());
      return Optional.empty();
    }
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Loaded current = cache.get(key);
    if (current != null && current.document().equals(text.get())) {
      return Optional.of(current.filter());
    }
    synchronized (this) {
      current = cache.get(key);
      if (current != null && current.document().equals(text.get())) {
        return Optional.of(current.filter());
      }
      OnnxFailureFilter filter;
      try {
        FilterDocument doc = FilterDocument.fromJson(text.get());
        filter =
            OnnxFailureFilter.load(
                Verifier.format(doc.format()),
                registry.artifactPath(doc.sha256()),
                doc.spec(),
                doc.threshold());
      } catch (RuntimeException e) {
        log.warn("{}: filtering model not used: {}", key, e.getMessage());
        return Optional.empty();
      }
      Loaded previous = cache.put(key, new Loaded(text.get(), filter));
      if (previous != null) {
        retired.add(previous.filter());
      }
      return Optional.of(filter);
    }
  }

  /** Closes every filter loaded so far. */
  @Override
  public synchronized void close() {
    for (Loaded l : cache.values()) {
      l.filter().close();
    }
    cache.clear();
    for (OnnxFailureFilter f : retired) {
      f.close();
    }
    retired.clear();
  }
}
