package dev.slipway.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.RegisteredModel;
import dev.slipway.registry.artifact.S3ArtifactStore;
import dev.slipway.server.config.ConfigException;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.server.gate.Evaluator;
import dev.slipway.server.gate.GatePolicy;
import dev.slipway.server.history.HistoryService;
import dev.slipway.server.history.MetricHistory;
import dev.slipway.server.history.ModelResponses;
import dev.slipway.server.http.FilterService;
import dev.slipway.server.http.Handlers;
import dev.slipway.server.http.HttpErrors;
import dev.slipway.server.http.OipService;
import dev.slipway.server.http.RecordsService;
import dev.slipway.server.http.RegistryService;
import dev.slipway.server.http.RequestMetrics;
import dev.slipway.server.web.DashboardPage;
import dev.slipway.server.web.ModelPages;
import dev.slipway.server.web.StaticAssets;
import dev.slipway.server.webhook.WebhookNotifier;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.enrich.EnrichSpec;
import dev.slipway.serving.enrich.FeatureSource;
import dev.slipway.serving.enrich.NoFeatures;
import dev.slipway.serving.enrich.RedisFeatureSource;
import dev.slipway.serving.guard.RegistryFailureFilters;
import dev.slipway.serving.host.ModelHost;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: one port for the Open Inference Protocol, the records API, the web pages and
 * {@code /metrics}. Started by {@link #start}; {@link #close} stops serving, then unloads models.
 * Thread-safe.
 */
public final class SlipwayServer implements AutoCloseable {
  /** The version this build reports in {@code GET /v2}. */
  public static final String VERSION = "0.1.0";

  private static final Logger log = LoggerFactory.getLogger(SlipwayServer.class);

  private final Server server;
  private final ModelRegistry registry;
  private final S3ArtifactStore s3Artifacts;
  private final ModelHost host;
  private final FeatureSource features;
  private final PrometheusMeterRegistry meters;
  // closed after the server stops: requests in flight may be using a filter
  private volatile AutoCloseable filters = () -> {};
  private volatile MetricHistory history;
  private final java.util.List<AutoCloseable> closeables =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ScheduledExecutorService watcher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "slipway-registry-watch");
            t.setDaemon(true);
            return t;
          });

  private SlipwayServer(
      Server server,
      ModelRegistry registry,
      S3ArtifactStore s3Artifacts,
      ModelHost host,
      FeatureSource features,
      PrometheusMeterRegistry meters) {
    this.server = server;
    this.registry = registry;
    this.s3Artifacts = s3Artifacts;
    this.host = host;
    this.features = features;
    this.meters = meters;
  }

  /** Opens the home, loads the latest version of every model and starts listening. */
  public static SlipwayServer start(SlipwayConfig config) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    S3ArtifactStore s3Artifacts = s3Artifacts(config);
    ModelRegistry registry;
    try {
      // null: the home's own artifact directory
      registry = ModelRegistry.embedded(config.home(), s3Artifacts);
    } catch (RuntimeException e) {
      if (s3Artifacts != null) {
        s3Artifacts.close();
      }
      throw e;
    }
    ModelHost host =
        new ModelHost(
            registry,
            ModelHost.defaultResolver(registry),
            config::deployment,
            Duration.ofSeconds(config.keepWarmSeconds()),
            System::nanoTime);
    FeatureSource features =
        config.redisUri() == null
            ? new NoFeatures()
            : new RedisFeatureSource(
                config.redisUri(),
                config.redisKeyPrefix(),
                Duration.ofMillis(config.redisTimeoutMillis()));
    Map<String, EnrichSpec> enrich = new HashMap<>();
    config.enrich().forEach((model, field) -> enrich.put(model, new EnrichSpec(field, features)));
    // A version's filtering model (its "filter" document) routes records away only where the
    // model's guards have a fallback chain to take them; without one it would turn them into 503s.
    RegistryFailureFilters filters = new RegistryFailureFilters(registry);
    dev.slipway.serving.guard.Guards guards =
        new dev.slipway.serving.guard.Guards(
                config::guard,
                v -> hasFallback(config, v.name()) ? filters.apply(v) : java.util.Optional.empty(),
                meters)
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    Pipeline pipeline =
        new Pipeline(
            host,
            meters,
            enrich::get,
            new Pipeline.Limits(config.maxRecords(), 10_000_000),
            guards);

    AtomicBoolean ready = new AtomicBoolean(false);
    HttpErrors errors = new HttpErrors(meters, config.maxRequestBytes());
    Handlers handlers = new Handlers(errors, config.inferOnEventLoop());
    RequestMetrics requestMetrics = new RequestMetrics(meters);
    ServerBuilder sb =
        Server.builder()
            .http(config.port())
            .maxRequestLength(config.maxRequestBytes())
            .requestTimeout(Duration.ofSeconds(30))
            .errorHandler(errors);
    new OipService(pipeline, handlers, requestMetrics, ready::get, VERSION).bind(sb);
    new RecordsService(pipeline, handlers, requestMetrics).bind(sb);
    new ModelPages(pipeline.host(), handlers, guards).bind(sb);
    MetricHistory history =
        new MetricHistory(
            meters,
            java.time.Clock.systemUTC(),
            Duration.ofSeconds(config.historySampleSeconds()),
            MetricHistory.DEFAULT_CAPACITY);
    sb.decorator(
        new ModelResponses(
            meters, name -> host.loaded().stream().anyMatch(m -> m.name().equals(name))));
    new HistoryService(history, registry, handlers).bind(sb);
    new DashboardPage(registry, handlers).bind(sb);
    StaticAssets.bind(sb);
    new RegistryService(host, handlers, config.maxUploadBytes(), config.home().resolve("tmp"))
        .withGate(new Evaluator(pipeline), GatePolicy.defaults())
        .onDocumentChange(guards::invalidate)
        .bind(sb);
    new FilterService(host, handlers, java.time.Clock.systemUTC(), guards::invalidate).bind(sb);
    sb.route()
        .get("/metrics")
        .build(
            (ctx, req) ->
                HttpResponse.of(
                    HttpStatus.OK,
                    MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
                    meters.scrape()));
    Server server = sb.build();
    SlipwayServer s = new SlipwayServer(server, registry, s3Artifacts, host, features, meters);
    s.filters = filters;
    s.history = history;
    s.closeables.add(history);
    try {
      server.start().join();
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    for (RegisteredModel m : registry.models()) {
      try {
        host.get(m.name(), null);
      } catch (RuntimeException e) {
        log.warn("model {} could not be loaded: {}", m.name(), e.getMessage());
      }
    }
    if (!config.webhookUrls().isEmpty()) {
      WebhookNotifier hooks =
          new WebhookNotifier(
              config.webhookUrls().stream().map(java.net.URI::create).toList(),
              config.webhookMaxAttempts(),
              Duration.ofMillis(config.webhookInitialDelayMillis()),
              System.getenv("SLIPWAY_WEBHOOK_SECRET"),
              java.time.Clock.systemUTC());
      registry.addListener(hooks);
      s.closeables.add(hooks);
    }
    // Serving follows the registry: when anything changed (a moved alias, a new version), every
    // route is re-resolved and swapped; otherwise only replaced versions past keep-warm are
    // unloaded.
    long[] seen = {registry.changeSequence()};
    s.watcher.scheduleWithFixedDelay(
        () -> {
          try {
            long now = registry.changeSequence();
            if (now != seen[0]) {
              guards.invalidate(); // a profile or a version may have changed
              host.refresh();
              seen[0] = now;
            } else {
              host.sweep();
            }
          } catch (RuntimeException e) {
            log.warn("registry refresh failed: {}", e.getMessage());
          }
        },
        config.registryPollMillis(),
        config.registryPollMillis(),
        TimeUnit.MILLISECONDS);
    history.start(s.watcher);
    ready.set(true);
    log.info("Slipway {} listening on http://127.0.0.1:{}/", VERSION, s.port());
    return s;
  }

  private static boolean hasFallback(SlipwayConfig config, String model) {
    dev.slipway.serving.guard.GuardSpec spec = config.guard(model);
    return spec != null && !spec.fallback().isEmpty();
  }

  /**
   * The S3 artifact store of an {@code artifacts: {type: s3}} configuration, or null for the home's
   * artifact directory.
   *
   * @throws ConfigException when the secret access key file cannot be read
   * @throws dev.slipway.api.ModelUnavailableException when the bucket cannot be reached
   */
  private static S3ArtifactStore s3Artifacts(SlipwayConfig config) {
    SlipwayConfig.Artifacts a = config.artifacts();
    if (a.type() != SlipwayConfig.Artifacts.Type.S3) {
      return null;
    }
    S3ArtifactStore.Builder b =
        S3ArtifactStore.builder()
            .bucket(a.bucket())
            .prefix(a.prefix())
            .region(a.region())
            .endpoint(a.endpoint())
            .pathStyle(a.pathStyle())
            .cacheDirectory(
                a.cacheDir() != null ? a.cacheDir() : config.home().resolve("artifact-cache"));
    if (a.accessKeyId() != null) {
      try {
        b.credentials(a.accessKeyId(), Files.readString(a.secretAccessKeyFile()).strip());
      } catch (IOException e) {
        throw new ConfigException(
            java.util.List.of(
                "artifacts.secretAccessKeyFile: cannot read "
                    + a.secretAccessKeyFile()
                    + ": "
                    + e.getMessage()));
      }
    }
    S3ArtifactStore store = b.build();
    log.info("model files in {}{}", store, a.endpoint() == null ? "" : " at " + a.endpoint());
    return store;
  }

  public int port() {
    return server.activeLocalPort();
  }

  public ModelRegistry registry() {
    return registry;
  }

  public ModelHost host() {
    return host;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** The metric history behind the dashboard (sampled every {@code history.sampleSeconds}). */
  public MetricHistory history() {
    return history;
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing {}: {}", c, e.getMessage());
      }
    }
    server.stop().join();
    host.close();
    try {
      filters.close();
    } catch (Exception e) {
      log.warn("closing filtering models: {}", e.getMessage());
    }
    features.close();
    registry.close();
    if (s3Artifacts != null) {
      s3Artifacts.close();
    }
    meters.close();
  }
}
