package dev.slipway.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.batch.store.JdbcPredictionStore;
import dev.slipway.batch.store.PredictionStore;
import dev.slipway.batch.store.RedisPredictionStore;
import dev.slipway.batch.store.StoreFirst;
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
import dev.slipway.server.http.JobsService;
import dev.slipway.server.http.OipService;
import dev.slipway.server.http.PredictionStoreService;
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

  /** How often running canary rollouts are judged (also on demand: POST .../rollout/evaluate). */
  static final long ROLLOUT_EVALUATE_SECONDS =
      dev.slipway.server.lifecycle.Lifecycle.SERVER_CANARY_SECONDS;

  private final Server server;
  private final ModelRegistry registry;
  private final S3ArtifactStore s3Artifacts;
  private final ModelHost host;
  private final FeatureSource features;
  private final PrometheusMeterRegistry meters;
  // closed after the server stops: requests in flight may be using a filter
  private volatile AutoCloseable filters = () -> {};
  // closed after the server stops, like the filters
  private volatile AutoCloseable predictionStore = () -> {};
  // closed after the server stops and before the registry: it writes the queued predictions
  private volatile dev.slipway.monitor.Monitoring monitoring;
  private volatile MetricHistory history;
  private volatile dev.slipway.server.lifecycle.Lifecycle lifecycle;
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

  // the scheduler of slipway.yaml's jobs, or null when there are none
  private volatile dev.slipway.batch.schedule.Scheduler scheduler;

  /** Opens the home, loads the latest version of every model and starts listening. */
  public static SlipwayServer start(SlipwayConfig config) {
    return start(config, java.time.Clock.systemUTC());
  }

  /**
   * As {@link #start(SlipwayConfig)}, with the clock of the job scheduler (cron fire times, retry
   * delays, run times); tests move it.
   */
  public static SlipwayServer start(SlipwayConfig config, java.time.Clock schedulerClock) {
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
    PredictionStore predictions;
    try {
      predictions = predictionStore(config, registry);
    } catch (RuntimeException e) {
      registry.close();
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
    // Traffic policies and canary rollouts: the router places requests for a bare model name;
    // the canary controller moves its weights from the outcomes it records.
    java.util.concurrent.ThreadPoolExecutor shadows =
        new java.util.concurrent.ThreadPoolExecutor(
            1,
            2,
            30,
            TimeUnit.SECONDS,
            new java.util.concurrent.ArrayBlockingQueue<>(1000),
            r -> {
              Thread t = new Thread(r, "slipway-shadow");
              t.setDaemon(true);
              return t;
            });
    dev.slipway.serving.route.Router router =
        new dev.slipway.serving.route.Router(
            meters,
            System.nanoTime(),
            shadows,
            (model, version, id, result, failure) ->
                log.debug(
                    "shadow {}/{} for request {}: {}",
                    model,
                    version,
                    id,
                    failure == null ? "answered" : failure.getMessage()));
    dev.slipway.monitor.canary.RecordingVariantStats variantStats =
        new dev.slipway.monitor.canary.RecordingVariantStats(
            java.time.Clock.systemUTC(), Duration.ofDays(2));
    router.addListener(variantStats);
    dev.slipway.monitor.canary.CanaryController canary =
        new dev.slipway.monitor.canary.CanaryController(
            registry, router, variantStats, java.time.Clock.systemUTC());
    canary.restore();
    // Monitoring hears of every answered request through the pipeline's events; its tables are
    // in the metadata database.
    dev.slipway.monitor.Monitoring monitoring =
        new dev.slipway.monitor.Monitoring(
            registry.dataSource(), config.monitoring(), java.time.Clock.systemUTC(), meters);
    // Joined feedback feeds the running rollouts' metric and the bandits' rewards. The stats are
    // in memory: the rollouts' feedback is read back from the database first (nothing joins
    // before the server listens: no traffic, and the first sweep is 30 s away).
    dev.slipway.monitor.canary.FeedbackFeeder feeder =
        new dev.slipway.monitor.canary.FeedbackFeeder(variantStats, router, canary::running);
    try {
      int restored =
          feeder.restore(
              monitoring.feedback(), java.time.Clock.systemUTC().instant().plusSeconds(1));
      if (restored > 0) {
        log.info("restored {} feedback value(s) of running rollouts", restored);
      }
    } catch (RuntimeException e) {
      log.warn("restoring the feedback of running rollouts failed: {}", e.getMessage());
    }
    monitoring.onJoined(feeder);
    Pipeline pipeline =
        new Pipeline(
                host,
                meters,
                enrich::get,
                new Pipeline.Limits(config.maxRecords(), 10_000_000),
                guards,
                dev.slipway.serving.event.PredictionEvents.standard(meters)
                    .add(monitoring.listener()))
            .withRouter(router);

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
    StoreFirst storeFirst =
        new StoreFirst(
            predictions,
            config.predictionStore().answers()::get,
            java.time.Clock.systemUTC(),
            meters);
    new RecordsService(pipeline, handlers, requestMetrics, storeFirst).bind(sb);
    new PredictionStoreService(predictions, handlers, java.time.Clock.systemUTC()).bind(sb);
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
    dev.slipway.batch.schedule.Scheduler scheduler =
        JobsService.scheduler(
            config.jobs(),
            new dev.slipway.batch.BatchEngine(pipeline, schedulerClock),
            registry.dataSource(),
            schedulerClock);
    new JobsService(scheduler, config.jobs(), schedulerClock, handlers).bind(sb);
    new dev.slipway.server.http.RolloutService(registry, router, canary, handlers).bind(sb);
    new dev.slipway.server.http.FeedbackService(monitoring, registry, handlers).bind(sb);
    new dev.slipway.server.http.MonitoringService(
            monitoring, registry, handlers, java.time.Clock.systemUTC())
        .bind(sb);
    // Alerts over closed monitoring windows, and the lifecycle they start (alerts:, lifecycle:).
    dev.slipway.server.lifecycle.Lifecycle lifecycle =
        dev.slipway.server.lifecycle.Lifecycle.of(
            config.lifecycle(),
            registry,
            monitoring,
            new Evaluator(pipeline),
            canary,
            meters,
            java.time.Clock.systemUTC());
    new dev.slipway.server.http.LifecycleService(lifecycle, registry, handlers).bind(sb);
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
    s.predictionStore = predictions;
    s.scheduler = scheduler;
    s.closeables.add(shadows::shutdownNow);
    s.monitoring = monitoring;
    s.history = history;
    s.closeables.add(history);
    s.lifecycle = lifecycle;
    s.closeables.add(lifecycle);
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
    if (scheduler != null) {
      scheduler.start(Duration.ofSeconds(1));
      s.closeables.add(scheduler); // before the server stops: a running job finishes first
      log.info("scheduler started with {} job(s)", config.jobs().size());
    }
    s.watcher.scheduleWithFixedDelay(
        () -> {
          try {
            canary.evaluateAll();
          } catch (RuntimeException e) {
            log.warn("rollout evaluation failed: {}", e.getMessage());
          }
        },
        ROLLOUT_EVALUATE_SECONDS,
        ROLLOUT_EVALUATE_SECONDS,
        TimeUnit.SECONDS);
    history.start(s.watcher);
    if (predictions instanceof JdbcPredictionStore jdbc && jdbc.ttl() != null) {
      // expired stored predictions are not read; deleting them keeps the table small
      long every = Math.max(60, Math.min(3600, jdbc.ttl().toSeconds() / 4));
      s.watcher.scheduleWithFixedDelay(
          () -> {
            try {
              int n = jdbc.purgeExpired();
              if (n > 0) {
                log.info("prediction store: deleted {} expired prediction(s)", n);
              }
            } catch (RuntimeException e) {
              log.warn("prediction store purge failed: {}", e.getMessage());
            }
          },
          0,
          every,
          TimeUnit.SECONDS);
    }
    if (!config.lifecycle().isEmpty()) {
      lifecycle.start();
    }
    ready.set(true);
    log.info("Slipway {} listening on http://127.0.0.1:{}/", VERSION, s.port());
    return s;
  }

  /**
   * The prediction store of a configuration: in the registry's metadata database ({@code jdbc}, the
   * default) or in Redis. The batch command opens it the same way.
   *
   * @throws dev.slipway.api.ModelUnavailableException when Redis cannot be reached
   */
  public static PredictionStore predictionStore(SlipwayConfig config, ModelRegistry registry) {
    SlipwayConfig.PredictionStoreSettings p = config.predictionStore();
    if (p.type() == SlipwayConfig.PredictionStoreSettings.Type.REDIS) {
      return new RedisPredictionStore(
          p.redisUri(), p.redisKeyPrefix(), p.ttl(), Duration.ofSeconds(2));
    }
    return new JdbcPredictionStore(registry.dataSource(), p.ttl(), java.time.Clock.systemUTC());
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

  /** The scheduler of the configured jobs, if there are any. */
  public java.util.Optional<dev.slipway.batch.schedule.Scheduler> scheduler() {
    return java.util.Optional.ofNullable(scheduler);
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** The prediction log, feedback and live performance of this server. */
  public dev.slipway.monitor.Monitoring monitoring() {
    return monitoring;
  }

  /** The metric history behind the dashboard (sampled every {@code history.sampleSeconds}). */
  public MetricHistory history() {
    return history;
  }

  /** The alerts and lifecycle policies of this server ({@code alerts:}, {@code lifecycle:}). */
  public dev.slipway.server.lifecycle.Lifecycle lifecycle() {
    return lifecycle;
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
    try {
      predictionStore.close();
    } catch (Exception e) {
      log.warn("closing the prediction store: {}", e.getMessage());
    }
    if (monitoring != null) {
      monitoring.close();
    }
    registry.close();
    if (s3Artifacts != null) {
      s3Artifacts.close();
    }
    meters.close();
  }
}
