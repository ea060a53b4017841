package dev.slipway.serving.host;

import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.SlipwayException;
import dev.slipway.api.codec.ColumnCodec;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.registry.ModelRef;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps model versions loaded and routes references to them.
 *
 * <p>A reference is {@code name} (the model's default version), {@code name@alias} or {@code
 * name/3}. The first request for a reference resolves it through the registry and loads the
 * version; later ones find it in the route table. {@link #refresh} re-resolves every route: when a
 * reference now names another version, that version is loaded and warmed up off the request path,
 * then the route is swapped atomically. The old version keeps serving the requests already holding
 * a {@link Lease}, stays loaded (warm, for an immediate rollback) for {@code keepWarm}, and is
 * unloaded once no route names it and no lease is open. A version that fails to load leaves the
 * route as it was; {@link #routeStatus} says why.
 *
 * <p>Thread-safe. Loading one version never blocks requests to versions already loaded.
 */
public final class ModelHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelHost.class);

  private final ModelRegistry registry;
  private final Function<String, ModelVersion> resolver;
  private final Map<String, ModelFormat> formats = new ConcurrentHashMap<>();
  private final Function<String, Deployment> deployments;
  private final Duration keepWarm;
  private final LongSupplier nanoClock;
  private final Map<String, Loaded> versions = new ConcurrentHashMap<>();
  private final Map<String, Object> loadLocks = new ConcurrentHashMap<>();
  private final Map<String, Loaded> routes = new ConcurrentHashMap<>();
  private final Map<String, String> routeErrors = new ConcurrentHashMap<>();

  public ModelHost(ModelRegistry registry, ModelFormat.LoadOptions options) {
    this(
        registry,
        defaultResolver(registry),
        name ->
            new Deployment(
                Runtime.getRuntime().availableProcessors(),
                options.intraOpThreads(),
                null,
                Duration.ofSeconds(10)),
        Duration.ofMinutes(5),
        System::nanoTime);
  }

  /**
   * @param resolver the version a reference names now (throws ModelNotFoundException)
   * @param deployments the deployment settings of a model, by name
   * @param keepWarm how long a version replaced in its route stays loaded for a rollback
   * @param nanoClock a monotonic clock (System::nanoTime outside tests)
   */
  public ModelHost(
      ModelRegistry registry,
      Function<String, ModelVersion> resolver,
      Function<String, Deployment> deployments,
      Duration keepWarm,
      LongSupplier nanoClock) {
    this.registry = registry;
    this.resolver = resolver;
    this.deployments = deployments;
    this.keepWarm = keepWarm;
    this.nanoClock = nanoClock;
    for (ModelFormat f : ServiceLoader.load(ModelFormat.class)) {
      formats.put(f.name(), f);
    }
  }

  /**
   * How serving resolves a reference: {@code name@alias} and {@code name/3} as the registry does; a
   * bare {@code name} serves the {@code champion} alias when it is set and otherwise the latest
   * version that did not fail verification, so that registering a candidate never sends it
   * production traffic while a champion is set.
   */
  public static Function<String, ModelVersion> defaultResolver(ModelRegistry registry) {
    return ref -> {
      ModelRef r = ModelRef.parse(ref);
      if (r.isLatest() && ref.indexOf('@') < 0) {
        Integer champion = registry.aliases(r.name()).get(ModelRegistry.CHAMPION);
        if (champion != null) {
          return registry.resolve(ModelRef.ofVersion(r.name(), champion));
        }
        // The latest version that did not fail verification; if every one failed, the latest
        // (whose load then says why).
        List<ModelVersion> all = registry.versions(r.name());
        for (int i = all.size() - 1; i >= 0; i--) {
          ModelVersion v = all.get(i);
          if (v.verification() == null || !v.verification().failed()) {
            return v;
          }
        }
      }
      return registry.resolve(r);
    };
  }

  public ModelRegistry registry() {
    return registry;
  }

  /** The reference string of a model name and optional version. */
  public static String ref(String name, Integer version) {
    return version == null ? name : name + "/" + version;
  }

  /**
   * Holds the version a reference routes to for one request; close the lease when done.
   *
   * @throws ModelNotFoundException if the reference names nothing registered
   * @throws ModelUnavailableException if the version cannot be loaded
   */
  public Lease acquire(String name, Integer version) {
    String ref = ref(name, version);
    while (true) {
      Loaded l = routes.get(ref);
      if (l == null) {
        l = route(ref);
      }
      if (l.tryAcquire()) {
        return l;
      }
      routes.remove(ref, l); // unloaded under us: resolve again
    }
  }

  /** The model a reference routes to now, for metadata (no lease: do not run its predictor). */
  public ServedModel get(String name, Integer version) {
    String ref = ref(name, version);
    Loaded l = routes.get(ref);
    return (l != null ? l : route(ref)).model();
  }

  private Loaded route(String ref) {
    ModelVersion v = resolver.apply(ref);
    Loaded l = load(v);
    Loaded prior = routes.putIfAbsent(ref, l);
    return prior != null ? prior : l;
  }

  /** Loads a version (idempotent) and warms it up. */
  public ServedModel load(String name, int version) {
    return load(resolver.apply(ref(name, version))).model();
  }

  private Loaded load(ModelVersion v) {
    String key = v.name() + "/" + v.version();
    while (true) {
      Loaded l = versions.get(key);
      if (l == null) {
        // One load per version at a time, outside the map's own locks: a slow load must not
        // hold up loads of other versions.
        synchronized (loadLocks.computeIfAbsent(key, k -> new Object())) {
          l = versions.get(key);
          if (l == null) {
            l = new Loaded(open(v), nanoClock.getAsLong());
            versions.put(key, l);
          }
        }
      }
      if (l.tryAcquire()) { // not closed by a concurrent unload
        l.close();
        return l;
      }
      versions.remove(key, l);
    }
  }

  /**
   * Re-resolves every route and swaps those whose reference now names another version; then unloads
   * replaced versions whose keep-warm time is over and that no request holds.
   *
   * @return the references that were swapped
   */
  public List<String> refresh() {
    List<String> swapped = new ArrayList<>();
    for (Map.Entry<String, Loaded> e : new ArrayList<>(routes.entrySet())) {
      String ref = e.getKey();
      Loaded current = e.getValue();
      ModelVersion target;
      try {
        target = resolver.apply(ref);
      } catch (ModelNotFoundException gone) {
        routes.remove(ref, current);
        retire(current);
        continue;
      } catch (RuntimeException ex) {
        routeErrors.put(ref, ex.getMessage());
        continue;
      }
      if (target.version() == current.model().number()) {
        continue;
      }
      try {
        Loaded next = load(target);
        if (routes.replace(ref, current, next)) {
          swapped.add(ref);
          routeErrors.remove(ref);
          retire(current);
          log.info(
              "{} now serves version {} (was {})", ref, target.version(), current.model().number());
        }
      } catch (RuntimeException ex) {
        String why =
            "version "
                + target.version()
                + " failed to load; still serving version "
                + current.model().number()
                + ": "
                + ex.getMessage();
        routeErrors.put(ref, why);
        log.warn("{}: {}", ref, why);
      }
    }
    unloadRetired();
    return swapped;
  }

  private void retire(Loaded l) {
    if (l.retiredAtNanos < 0) {
      l.retiredAtNanos = nanoClock.getAsLong();
    }
  }

  /**
   * Unloads replaced or never-routed versions whose keep-warm time is over and that no request
   * holds.
   */
  public void sweep() {
    unloadRetired();
  }

  private void unloadRetired() {
    long now = nanoClock.getAsLong();
    for (Map.Entry<String, Loaded> e : new ArrayList<>(versions.entrySet())) {
      Loaded l = e.getValue();
      if (routes.containsValue(l)) {
        l.retiredAtNanos = -1;
        continue;
      }
      if (l.retiredAtNanos < 0) {
        // Loaded but never routed (verified on upload, or loaded by version for a check): it
        // stays warm for keepWarm from now, like a replaced version, then goes.
        l.retiredAtNanos = now;
      }
      if (now - l.retiredAtNanos >= keepWarm.toNanos() && l.tryUnload()) {
        versions.remove(e.getKey(), l);
        log.info("unloaded {} version {}", l.model().name(), l.model().number());
      }
    }
  }

  /** For each route: the version it serves, and the last error of a swap that did not happen. */
  public Map<String, RouteStatus> routeStatus() {
    Map<String, RouteStatus> out = new LinkedHashMap<>();
    routes.forEach(
        (ref, l) -> out.put(ref, new RouteStatus(ref, l.model().number(), routeErrors.get(ref))));
    return out;
  }

  /** The serving state of one reference. */
  public record RouteStatus(String ref, int version, String lastError) {}

  /** Whether the version is loaded. */
  public boolean isLoaded(String name, int version) {
    return versions.containsKey(name + "/" + version);
  }

  public List<ServedModel> loaded() {
    return versions.values().stream().map(Loaded::model).toList();
  }

  private ServedModel open(ModelVersion v) {
    String name = v.name();
    int number = v.version();
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
    Deployment deployment = deployments.apply(name);
    long rssBefore = residentBytes();
    Predictor p;
    try {
      p =
          format.load(
              registry.artifactPath(v), new ModelFormat.LoadOptions(deployment.intraOpThreads()));
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
      ServedModel m = new ServedModel(v, p, codec, manifest.tabular() != null, deployment);
      try {
        GoldenRecords golden = manifest.golden();
        if (golden != null && !golden.cases().isEmpty()) {
          // The golden records are the warm-up, and the version must still give their answers.
          java.util.Optional<String> mismatch = golden.replay(p);
          if (mismatch.isPresent()) {
            throw new ModelUnavailableException(
                "model '"
                    + name
                    + "' version "
                    + number
                    + " does not reproduce its golden records: "
                    + mismatch.get());
          }
        } else {
          m.warmUp();
        }
      } catch (RuntimeException e) {
        m.close();
        throw e;
      }
      long rssAfter = residentBytes();
      m.approxMemoryBytes(rssBefore < 0 || rssAfter < 0 ? -1 : Math.max(0, rssAfter - rssBefore));
      return m;
    } catch (ModelUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      p.close();
      throw new ModelUnavailableException(
          "model '" + name + "' version " + number + " could not be prepared: " + e.getMessage(),
          e);
    }
  }

  /** Resident set size of this process from /proc (Linux), or -1. */
  private static long residentBytes() {
    try {
      String[] statm =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/statm"))
              .trim()
              .split("\\s+");
      return Long.parseLong(statm[1]) * 4096;
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    routes.clear();
    for (Loaded l : versions.values()) {
      l.model().close();
    }
    versions.clear();
  }
}
