package dev.slipway.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.serving.host.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The whole server configuration, as read from {@code slipway.yaml} with environment overrides
 * ({@code SLIPWAY_HOME}, {@code SLIPWAY_PORT}, {@code SLIPWAY_REDIS_URI}, {@code
 * SLIPWAY_PREDICTION_STORE_REDIS_URI}). Defaults give the embedded setup: no external service.
 * Immutable; {@link #toBuilder()} makes changed copies.
 *
 * @param home the Slipway home: embedded database and artifacts
 * @param port HTTP port (0 picks a free one)
 * @param maxRequestBytes largest accepted request body
 * @param maxUploadBytes largest accepted model upload
 * @param maxRecords most records (rows) in one request
 * @param inferOnEventLoop run requests on the I/O threads instead of the blocking pool
 * @param intraOpThreads ONNX Runtime threads per model call (default of every deployment)
 * @param redisUri Redis for feature lookup, or null for none
 * @param redisKeyPrefix prefix of the feature hashes' keys
 * @param redisTimeoutMillis feature lookup budget per request
 * @param enrich per model name, the record field holding the entity key for feature lookup
 * @param deployments per model name, its deployment settings (others get the defaults)
 * @param registryPollMillis how often the server checks the registry for moved aliases
 * @param keepWarmSeconds how long a replaced version stays loaded for an immediate rollback
 * @param webhookUrls where registry events are POSTed (the secret comes from
 *     SLIPWAY_WEBHOOK_SECRET)
 * @param webhookMaxAttempts deliveries tried per event and URL
 * @param webhookInitialDelayMillis delay before the first retry, doubled for each next one
 * @param artifacts where model files are kept
 * @param guards per model name, its guards (input and output checks, fallback chain, breaker);
 *     models without an entry are served unguarded
 * @param predictionStore where stored predictions are kept, and which models answer from them
 * @param jobs scheduled scoring jobs ({@code jobs:}), run by the server's scheduler
 * @param monitoring the prediction log, feedback and live performance settings
 * @param historySampleSeconds how often the dashboard's metric history samples the meters
 * @param lifecycle alert rules ({@code alerts:}) and lifecycle policies ({@code lifecycle:})
 */
public record SlipwayConfig(
    Path home,
    int port,
    long maxRequestBytes,
    long maxUploadBytes,
    int maxRecords,
    boolean inferOnEventLoop,
    int intraOpThreads,
    String redisUri,
    String redisKeyPrefix,
    long redisTimeoutMillis,
    Map<String, String> enrich,
    Map<String, Deployment> deployments,
    long registryPollMillis,
    long keepWarmSeconds,
    List<String> webhookUrls,
    int webhookMaxAttempts,
    long webhookInitialDelayMillis,
    Artifacts artifacts,
    Map<String, dev.slipway.serving.guard.GuardSpec> guards,
    PredictionStoreSettings predictionStore,
    List<JobConfig> jobs,
    dev.slipway.monitor.MonitorSettings monitoring,
    long historySampleSeconds,
    LifecycleConfig lifecycle) {

  /** S3's bucket naming rules: 3 to 63 lowercase letters, digits, dots and hyphens. */
  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  public SlipwayConfig {
    java.util.Objects.requireNonNull(artifacts, "artifacts");
    enrich = Map.copyOf(enrich);
    deployments = Map.copyOf(deployments);
    webhookUrls = List.copyOf(webhookUrls);
    guards = guards == null ? Map.of() : Map.copyOf(guards);
    predictionStore = predictionStore == null ? PredictionStoreSettings.jdbc() : predictionStore;
    jobs = jobs == null ? List.of() : List.copyOf(jobs);
    monitoring = monitoring == null ? dev.slipway.monitor.MonitorSettings.defaults() : monitoring;
    lifecycle = lifecycle == null ? LifecycleConfig.none() : lifecycle;
  }

  /**
   * The prediction store (batch results kept by entity key) and store-first serving. Holds no
   * secret: a Redis URI with a password comes only from {@code SLIPWAY_PREDICTION_STORE_REDIS_URI}.
   *
   * @param type JDBC (the metadata database, the default) or REDIS
   * @param redisUri the Redis of a REDIS store
   * @param redisKeyPrefix prepended to every Redis key
   * @param ttl how long a stored prediction is kept ({@code predictionStore.redis.ttl} or {@code
   *     predictionStore.jdbc.ttl}), or null until it is overwritten
   * @param answers per model name, how it answers records from the store before live inference;
   *     models without an entry always answer live
   */
  public record PredictionStoreSettings(
      Type type,
      String redisUri,
      String redisKeyPrefix,
      Duration ttl,
      Map<String, dev.slipway.batch.store.StoreFirst.Policy> answers) {

    /** Where stored predictions are kept. */
    public enum Type {
      JDBC,
      REDIS
    }

    public PredictionStoreSettings {
      java.util.Objects.requireNonNull(type, "type");
      answers = Map.copyOf(answers);
    }

    /** In the metadata database, no model answering from it. */
    public static PredictionStoreSettings jdbc() {
      return new PredictionStoreSettings(Type.JDBC, null, "predictions:", null, Map.of());
    }

    /** The same store, with a model answering from it first. */
    public PredictionStoreSettings withAnswers(
        String model, dev.slipway.batch.store.StoreFirst.Policy p) {
      Map<String, dev.slipway.batch.store.StoreFirst.Policy> m = new LinkedHashMap<>(answers);
      m.put(model, p);
      return new PredictionStoreSettings(type, redisUri, redisKeyPrefix, ttl, m);
    }
  }

  /** The guards of a model, or null when it is unguarded. */
  public dev.slipway.serving.guard.GuardSpec guard(String model) {
    return guards.get(model);
  }

  public static SlipwayConfig defaults() {
    return new SlipwayConfig(
        Path.of("slipway-home"),
        8080,
        4L << 20,
        512L << 20,
        10_000,
        false,
        1,
        null,
        "features:",
        50,
        Map.of(),
        Map.of(),
        250,
        300,
        List.of(),
        5,
        500,
        Artifacts.local(),
        Map.of(),
        PredictionStoreSettings.jdbc(),
        List.of(),
        dev.slipway.monitor.MonitorSettings.defaults(),
        10,
        LifecycleConfig.none());
  }

  /**
   * Where model files are kept: under {@code <home>/artifacts} ({@link Type#LOCAL}, the default) or
   * in an S3 bucket ({@link Type#S3}; Amazon S3 or an S3-compatible store), with local copies in a
   * cache directory. The metadata stays in the home's embedded database either way. Holds no
   * secret: the secret access key comes from the AWS default chain or from a file.
   *
   * @param type LOCAL or S3
   * @param bucket the bucket (S3 only)
   * @param prefix prepended to every object key as given, {@code ""} for none
   * @param region the bucket's region, or null for the AWS SDK's default chain ({@code AWS_REGION},
   *     profile), else us-east-1
   * @param endpoint the URL of an S3-compatible store, or null for Amazon S3
   * @param pathStyle address the bucket in the URL path, as most S3-compatible stores need
   * @param accessKeyId with {@code secretAccessKeyFile}, fixed credentials; null for the AWS
   *     default chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profiles, roles)
   * @param secretAccessKeyFile a file holding the secret access key, or null
   * @param cacheDir local copies of the models this server stored or served, or null for {@code
   *     <home>/artifact-cache}
   */
  public record Artifacts(
      Type type,
      String bucket,
      String prefix,
      String region,
      URI endpoint,
      boolean pathStyle,
      String accessKeyId,
      Path secretAccessKeyFile,
      Path cacheDir) {

    /** Where model files are kept. */
    public enum Type {
      LOCAL,
      S3
    }

    public Artifacts {
      java.util.Objects.requireNonNull(type, "type");
      prefix = prefix == null ? "" : prefix;
    }

    /** Files under {@code <home>/artifacts}. */
    public static Artifacts local() {
      return new Artifacts(Type.LOCAL, null, "", null, null, false, null, null, null);
    }
  }

  /** The deployment of a model: its configured one, or the defaults with the runtime's threads. */
  public Deployment deployment(String model) {
    Deployment d = deployments.get(model);
    if (d != null) {
      return d;
    }
    Deployment base = Deployment.defaults();
    return new Deployment(base.instances(), intraOpThreads, null, base.latencyBudget());
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public SlipwayConfig withHome(Path value) {
    return toBuilder().home(value).build();
  }

  public SlipwayConfig withPort(int value) {
    return toBuilder().port(value).build();
  }

  public SlipwayConfig withMaxRequestBytes(long value) {
    return toBuilder().maxRequestBytes(value).build();
  }

  public SlipwayConfig withInferOnEventLoop(boolean value) {
    return toBuilder().inferOnEventLoop(value).build();
  }

  public SlipwayConfig withRedis(String uri, Map<String, String> enrichFields) {
    return toBuilder().redisUri(uri).enrich(enrichFields).build();
  }

  /** Makes changed copies of a configuration. Not thread-safe. */
  public static final class Builder {
    private Path home;
    private int port;
    private long maxRequestBytes;
    private long maxUploadBytes;
    private final int maxRecords;
    private boolean inferOnEventLoop;
    private final int intraOpThreads;
    private String redisUri;
    private final String redisKeyPrefix;
    private final long redisTimeoutMillis;
    private Map<String, String> enrich;
    private Map<String, Deployment> deployments;
    private long registryPollMillis;
    private long keepWarmSeconds;
    private List<String> webhookUrls;
    private final int webhookMaxAttempts;
    private long webhookInitialDelayMillis;
    private Artifacts artifacts;
    private Map<String, dev.slipway.serving.guard.GuardSpec> guards;
    private PredictionStoreSettings predictionStore;
    private List<JobConfig> jobs;
    private dev.slipway.monitor.MonitorSettings monitoring;
    private long historySampleSeconds;
    private LifecycleConfig lifecycle;

    private Builder(SlipwayConfig c) {
      home = c.home;
      port = c.port;
      maxRequestBytes = c.maxRequestBytes;
      maxUploadBytes = c.maxUploadBytes;
      maxRecords = c.maxRecords;
      inferOnEventLoop = c.inferOnEventLoop;
      intraOpThreads = c.intraOpThreads;
      redisUri = c.redisUri;
      redisKeyPrefix = c.redisKeyPrefix;
      redisTimeoutMillis = c.redisTimeoutMillis;
      enrich = c.enrich;
      deployments = c.deployments;
      registryPollMillis = c.registryPollMillis;
      keepWarmSeconds = c.keepWarmSeconds;
      webhookUrls = c.webhookUrls;
      webhookMaxAttempts = c.webhookMaxAttempts;
      webhookInitialDelayMillis = c.webhookInitialDelayMillis;
      artifacts = c.artifacts;
      guards = c.guards;
      predictionStore = c.predictionStore;
      jobs = c.jobs;
      monitoring = c.monitoring;
      historySampleSeconds = c.historySampleSeconds;
      lifecycle = c.lifecycle;
    }

    public Builder lifecycle(LifecycleConfig v) {
      lifecycle = v;
      return this;
    }

    public Builder predictionStore(PredictionStoreSettings v) {
      predictionStore = v;
      return this;
    }

    public Builder home(Path v) {
      home = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder maxRequestBytes(long v) {
      maxRequestBytes = v;
      return this;
    }

    public Builder maxUploadBytes(long v) {
      maxUploadBytes = v;
      return this;
    }

    public Builder inferOnEventLoop(boolean v) {
      inferOnEventLoop = v;
      return this;
    }

    public Builder redisUri(String v) {
      redisUri = v;
      return this;
    }

    public Builder enrich(Map<String, String> v) {
      enrich = v;
      return this;
    }

    public Builder deployment(String model, Deployment d) {
      Map<String, Deployment> m = new LinkedHashMap<>(deployments);
      m.put(model, d);
      deployments = m;
      return this;
    }

    public Builder registryPollMillis(long v) {
      registryPollMillis = v;
      return this;
    }

    public Builder keepWarmSeconds(long v) {
      keepWarmSeconds = v;
      return this;
    }

    public Builder webhooks(List<String> urls, long initialDelayMillis) {
      webhookUrls = urls;
      webhookInitialDelayMillis = initialDelayMillis;
      return this;
    }

    /** Guards a model (replacing its guards, if any). */
    public Builder guard(String model, dev.slipway.serving.guard.GuardSpec spec) {
      Map<String, dev.slipway.serving.guard.GuardSpec> m = new LinkedHashMap<>(guards);
      m.put(model, spec);
      guards = m;
      return this;
    }

    /** Replaces the scheduled jobs. */
    public Builder jobs(List<JobConfig> v) {
      jobs = v;
      return this;
    }

    public Builder monitoring(dev.slipway.monitor.MonitorSettings v) {
      monitoring = v;
      return this;
    }

    public Builder historySampleSeconds(long v) {
      historySampleSeconds = v;
      return this;
    }

    public Builder artifacts(Artifacts v) {
      artifacts = v;
      return this;
    }

    public SlipwayConfig build() {
      return new SlipwayConfig(
          home,
          port,
          maxRequestBytes,
          maxUploadBytes,
          maxRecords,
          inferOnEventLoop,
          intraOpThreads,
          redisUri,
          redisKeyPrefix,
          redisTimeoutMillis,
          enrich,
          deployments,
          registryPollMillis,
          keepWarmSeconds,
          webhookUrls,
          webhookMaxAttempts,
          webhookInitialDelayMillis,
          artifacts,
          guards,
          predictionStore,
          jobs,
          monitoring,
          historySampleSeconds,
          lifecycle);
    }
  }

  /** Reads a YAML file (or only defaults and environment when {@code file} is null). */
  public static SlipwayConfig load(Path file, Map<String, String> env) {
    JsonNode root = null;
    List<String> problems = new ArrayList<>();
    if (file != null) {
      try {
        root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
      } catch (IOException e) {
        throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
      }
    }
    return parse(root, env, problems);
  }

  /** Builds the configuration from a parsed YAML tree, reporting every problem at once. */
  static SlipwayConfig parse(JsonNode root, Map<String, String> env, List<String> problems) {
    SlipwayConfig d = defaults();
    Reader r = new Reader(root, problems);
    r.allowed(
        "",
        Set.of(
            "home",
            "server",
            "runtime",
            "features",
            "models",
            "registry",
            "webhooks",
            "artifacts",
            "predictionStore",
            "jobs",
            "monitoring",
            "history",
            "alerts",
            "lifecycle"));
    r.allowed("history", Set.of("sampleSeconds"));
    r.allowed("webhooks", Set.of("urls", "maxAttempts", "initialDelayMillis"));
    r.allowed("registry", Set.of("pollMillis", "keepWarmSeconds"));
    r.allowed(
        "server",
        Set.of("port", "maxRequestBytes", "maxUploadBytes", "maxRecords", "inferOnEventLoop"));
    r.allowed("runtime", Set.of("intraOpThreads"));
    r.allowed("features", Set.of("redis"));
    r.allowed("features.redis", Set.of("uri", "keyPrefix", "timeoutMillis"));
    Path home = Path.of(env.getOrDefault("SLIPWAY_HOME", r.text("home", d.home().toString())));
    long port = r.number("server.port", d.port(), 0, 65535);
    if (env.containsKey("SLIPWAY_PORT")) {
      port = Reader.parseLong(env.get("SLIPWAY_PORT"), "SLIPWAY_PORT", 0, 65535, problems, port);
    }
    long maxBytes = r.number("server.maxRequestBytes", d.maxRequestBytes(), 1024, 1L << 30);
    long maxUpload = r.number("server.maxUploadBytes", d.maxUploadBytes(), 1024, 1L << 40);
    long maxRecords = r.number("server.maxRecords", d.maxRecords(), 1, 1_000_000);
    boolean onLoop = r.bool("server.inferOnEventLoop", d.inferOnEventLoop());
    long threads = r.number("runtime.intraOpThreads", d.intraOpThreads(), 1, 256);
    String redis = env.getOrDefault("SLIPWAY_REDIS_URI", r.text("features.redis.uri", null));
    if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
      problems.add("features.redis.uri: got \"" + redis + "\", expected redis://host:port");
    }
    String prefix = r.text("features.redis.keyPrefix", d.redisKeyPrefix());
    long timeout = r.number("features.redis.timeoutMillis", d.redisTimeoutMillis(), 1, 60_000);
    long poll = r.number("registry.pollMillis", d.registryPollMillis(), 10, 3_600_000);
    long keepWarm = r.number("registry.keepWarmSeconds", d.keepWarmSeconds(), 0, 86_400);
    long historySample = r.number("history.sampleSeconds", d.historySampleSeconds(), 1, 3600);
    List<String> hooks = new ArrayList<>();
    JsonNode urls = r.node("webhooks.urls");
    if (urls != null) {
      if (!urls.isArray()) {
        problems.add("webhooks.urls: expected a list of http(s) URLs");
      } else {
        for (int i = 0; i < urls.size(); i++) {
          String u = urls.get(i).asText();
          if (!u.startsWith("http://") && !u.startsWith("https://")) {
            problems.add(
                "webhooks.urls[" + i + "]: got \"" + u + "\", expected an http:// or https:// URL");
          }
          hooks.add(u);
        }
      }
    }
    long hookAttempts = r.number("webhooks.maxAttempts", d.webhookMaxAttempts(), 1, 100);
    long hookDelay =
        r.number("webhooks.initialDelayMillis", d.webhookInitialDelayMillis(), 1, 3_600_000);
    Map<String, String> enrich = new LinkedHashMap<>();
    Map<String, Deployment> deployments = new LinkedHashMap<>();
    Map<String, dev.slipway.serving.guard.GuardSpec> guards = new LinkedHashMap<>();
    Map<String, dev.slipway.batch.store.StoreFirst.Policy> storeAnswers = new LinkedHashMap<>();
    JsonNode models = r.node("models");
    if (models != null) {
      if (!models.isObject()) {
        problems.add("models: expected a map of model name to settings");
      } else {
        for (Map.Entry<String, JsonNode> e : models.properties()) {
          String base = "models." + e.getKey();
          r.allowed(base, Set.of("enrich", "deployment", "guards", "store"));
          dev.slipway.batch.store.StoreFirst.Policy answers = storeAnswers(r, base + ".store");
          if (answers != null) {
            storeAnswers.put(e.getKey(), answers);
          }
          JsonNode guardNode = r.node(base + ".guards");
          if (guardNode != null) {
            dev.slipway.serving.guard.GuardSpec spec =
                dev.slipway.serving.guard.GuardConfig.parse(guardNode, base + ".guards", problems);
            if (spec != null) {
              guards.put(e.getKey(), spec);
            }
          }
          Deployment dep = deployment(r, base + ".deployment", (int) threads);
          if (dep != null) {
            deployments.put(e.getKey(), dep);
          }
          r.allowed(base + ".enrich", Set.of("entityField"));
          String field = r.text(base + ".enrich.entityField", null);
          if (field != null) {
            if (field.isBlank()) {
              problems.add(base + ".enrich.entityField: expected the name of a record field");
            }
            if (redis == null) {
              problems.add(base + ".enrich: needs a feature store; set features.redis.uri");
            }
            enrich.put(e.getKey(), field);
          }
        }
      }
    }
    Artifacts artifacts = artifacts(r, problems);
    PredictionStoreSettings predictionStore = predictionStore(r, env, storeAnswers);
    List<JobConfig> jobs = JobConfig.parseAll(r.node("jobs"), problems);
    dev.slipway.monitor.MonitorSettings monitoring =
        MonitoringConfig.parse(r.node("monitoring"), problems);
    LifecycleConfig lifecycle =
        LifecycleConfig.parse(r.node("alerts"), r.node("lifecycle"), problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new SlipwayConfig(
        home,
        (int) port,
        maxBytes,
        maxUpload,
        (int) maxRecords,
        onLoop,
        (int) threads,
        redis,
        prefix,
        timeout,
        enrich,
        deployments,
        poll,
        keepWarm,
        hooks,
        (int) hookAttempts,
        hookDelay,
        artifacts,
        guards,
        predictionStore,
        jobs,
        monitoring,
        historySample,
        lifecycle);
  }

  /** The {@code predictionStore} section; every problem is added to those of the rest. */
  private static PredictionStoreSettings predictionStore(
      Reader r, Map<String, String> env, Map<String, dev.slipway.batch.store.StoreFirst.Policy> a) {
    r.allowed("predictionStore", Set.of("type", "redis", "jdbc"));
    r.allowed("predictionStore.redis", Set.of("uri", "keyPrefix", "ttl"));
    r.allowed("predictionStore.jdbc", Set.of("ttl"));
    PredictionStoreSettings d = PredictionStoreSettings.jdbc();
    String type = r.text("predictionStore.type", "jdbc");
    String fromEnv = env.get("SLIPWAY_PREDICTION_STORE_REDIS_URI");
    String uri = r.text("predictionStore.redis.uri", null);
    if (uri != null && uri.contains("@")) {
      r.problems()
          .add(
              "predictionStore.redis.uri: secrets are not read from slipway.yaml; put a URI with"
                  + " credentials in SLIPWAY_PREDICTION_STORE_REDIS_URI");
    }
    uri = fromEnv != null ? fromEnv : uri;
    String prefix = r.text("predictionStore.redis.keyPrefix", d.redisKeyPrefix());
    Duration ttl = r.duration("predictionStore.redis.ttl");
    Duration jdbcTtl = r.duration("predictionStore.jdbc.ttl");
    if (type.equals("jdbc")) {
      if (r.node("predictionStore.redis") != null) {
        r.problems()
            .add("predictionStore.redis: only used with predictionStore.type redis (type is jdbc)");
      }
      return new PredictionStoreSettings(
          PredictionStoreSettings.Type.JDBC, null, prefix, jdbcTtl, a);
    }
    if (r.node("predictionStore.jdbc") != null) {
      r.problems()
          .add(
              "predictionStore.jdbc: only used with predictionStore.type jdbc (type is "
                  + type
                  + ")");
    }
    if (!type.equals("redis")) {
      r.problems().add("predictionStore.type: got \"" + type + "\", expected jdbc or redis");
      return new PredictionStoreSettings(PredictionStoreSettings.Type.JDBC, null, prefix, null, a);
    }
    if (uri == null) {
      r.problems()
          .add(
              "predictionStore.redis.uri: required when predictionStore.type is redis (or set"
                  + " SLIPWAY_PREDICTION_STORE_REDIS_URI)");
    } else if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
      r.problems()
          .add(
              (fromEnv != null ? "SLIPWAY_PREDICTION_STORE_REDIS_URI" : "predictionStore.redis.uri")
                  + ": got \""
                  + (fromEnv != null ? "(hidden)" : uri)
                  + "\", expected redis://host:port");
    }
    return new PredictionStoreSettings(PredictionStoreSettings.Type.REDIS, uri, prefix, ttl, a);
  }

  /** A model's {@code store} section, or null when it does not answer from the store. */
  private static dev.slipway.batch.store.StoreFirst.Policy storeAnswers(Reader r, String base) {
    if (r.node(base) == null) {
      return null;
    }
    r.allowed(base, Set.of("answerFromStore", "maxAge", "keyField"));
    boolean on = r.bool(base + ".answerFromStore", false);
    Duration maxAge = r.duration(base + ".maxAge");
    String key = r.text(base + ".keyField", null);
    if (key != null && key.isBlank()) {
      r.problems().add(base + ".keyField: expected the name of the record field holding the key");
      key = null;
    }
    if (!on) {
      return null;
    }
    boolean complete = true;
    if (r.node(base + ".maxAge") == null) {
      r.problems()
          .add(
              base
                  + ".maxAge: required with answerFromStore; the oldest stored prediction served,"
                  + " e.g. PT24H");
      complete = false;
    }
    if (r.node(base + ".keyField") == null) {
      r.problems()
          .add(base + ".keyField: required with answerFromStore; the record field holding the key");
      complete = false;
    }
    return complete && maxAge != null && key != null
        ? new dev.slipway.batch.store.StoreFirst.Policy(key, maxAge)
        : null;
  }

  /** The {@code artifacts} section; every problem is added to those of the rest of the file. */
  private static Artifacts artifacts(Reader r, List<String> problems) {
    List<String> s3Only =
        List.of(
            "bucket",
            "prefix",
            "region",
            "endpoint",
            "pathStyle",
            "accessKeyId",
            "secretAccessKeyFile",
            "cacheDir");
    Set<String> known = new java.util.HashSet<>(s3Only);
    known.add("type");
    known.add("secretAccessKey");
    r.allowed("artifacts", known);
    if (r.node("artifacts.secretAccessKey") != null) {
      problems.add(
          "artifacts.secretAccessKey: secrets are not read from slipway.yaml; set"
              + " AWS_SECRET_ACCESS_KEY, or secretAccessKeyFile to a file holding the key");
    }
    String type = r.text("artifacts.type", "local");
    if (type.equals("local")) {
      for (String k : s3Only) {
        if (r.node("artifacts." + k) != null) {
          problems.add("artifacts." + k + ": only used with artifacts.type s3 (type is local)");
        }
      }
      return Artifacts.local();
    }
    if (!type.equals("s3")) {
      problems.add("artifacts.type: got \"" + type + "\", expected local or s3");
      return Artifacts.local();
    }
    String bucket = r.text("artifacts.bucket", null);
    if (bucket == null) {
      problems.add("artifacts.bucket: required when artifacts.type is s3");
    } else if (!BUCKET_NAME.matcher(bucket).matches()) {
      problems.add(
          "artifacts.bucket: got \""
              + bucket
              + "\", expected an S3 bucket name (3 to 63 lowercase letters, digits, dots and"
              + " hyphens)");
    }
    String prefix = r.text("artifacts.prefix", "");
    if (prefix.startsWith("/")) {
      problems.add(
          "artifacts.prefix: got \"" + prefix + "\", expected a key prefix without a leading /");
    }
    String region = r.text("artifacts.region", null);
    if (region != null && !region.matches("[a-z0-9-]+")) {
      problems.add("artifacts.region: got \"" + region + "\", expected a region such as us-east-1");
    }
    URI endpoint = null;
    String endpointText = r.text("artifacts.endpoint", null);
    if (endpointText != null) {
      endpoint = httpUrl(endpointText);
      if (endpoint == null) {
        problems.add(
            "artifacts.endpoint: got \""
                + endpointText
                + "\", expected an http:// or https:// URL such as http://127.0.0.1:9000");
      }
    }
    boolean pathStyle = r.bool("artifacts.pathStyle", false);
    String keyId = r.text("artifacts.accessKeyId", null);
    String secretFile = r.text("artifacts.secretAccessKeyFile", null);
    if (keyId != null && secretFile == null) {
      problems.add(
          "artifacts.accessKeyId: needs secretAccessKeyFile too (or neither, for the AWS default"
              + " credentials chain)");
    }
    if (keyId == null && secretFile != null) {
      problems.add(
          "artifacts.secretAccessKeyFile: needs accessKeyId too (or neither, for the AWS default"
              + " credentials chain)");
    }
    if (secretFile != null
        && !(Files.isRegularFile(Path.of(secretFile)) && Files.isReadable(Path.of(secretFile)))) {
      problems.add(
          "artifacts.secretAccessKeyFile: got \"" + secretFile + "\", expected a readable file");
    }
    String cacheDir = r.text("artifacts.cacheDir", null);
    return new Artifacts(
        Artifacts.Type.S3,
        bucket,
        prefix,
        region,
        endpoint,
        pathStyle,
        keyId,
        secretFile == null ? null : Path.of(secretFile),
        cacheDir == null ? null : Path.of(cacheDir));
  }

  /** The URL when it is an absolute http(s) URL with a host and nothing after the path. */
  private static URI httpUrl(String text) {
    try {
      URI u = new URI(text.trim());
      boolean http = "http".equals(u.getScheme()) || "https".equals(u.getScheme());
      if (http && u.getHost() != null && u.getQuery() == null && u.getFragment() == null) {
        return u;
      }
    } catch (URISyntaxException e) {
      // reported by the caller
    }
    return null;
  }

  private static Deployment deployment(Reader r, String base, int defaultThreads) {
    if (r.node(base) == null) {
      return null;
    }
    r.allowed(base, Set.of("instances", "intraOpThreads", "batching", "latencyBudgetMillis"));
    r.allowed(base + ".batching", Set.of("maxBatchSize", "maxQueueDelayMicros"));
    Deployment d = Deployment.defaults();
    long instances = r.number(base + ".instances", d.instances(), 1, 1024);
    long threads = r.number(base + ".intraOpThreads", defaultThreads, 1, 256);
    long budget = r.number(base + ".latencyBudgetMillis", d.latencyBudget().toMillis(), 1, 600_000);
    Deployment.Batching batching = null;
    if (r.node(base + ".batching") != null) {
      long size = r.number(base + ".batching.maxBatchSize", 32, 1, 100_000);
      long delay = r.number(base + ".batching.maxQueueDelayMicros", 500, 0, 10_000_000);
      batching = new Deployment.Batching((int) size, Duration.ofNanos(delay * 1000));
    }
    return new Deployment((int) instances, (int) threads, batching, Duration.ofMillis(budget));
  }

  /** Walks the YAML tree by dotted paths, collecting problems instead of stopping at the first. */
  private record Reader(JsonNode root, List<String> problems) {
    JsonNode node(String path) {
      JsonNode n = root;
      if (path.isEmpty()) {
        return n;
      }
      for (String part : path.split("\\.")) {
        if (n == null || !n.isObject()) {
          return null;
        }
        n = n.get(part);
      }
      return n == null || n.isNull() ? null : n;
    }

    void allowed(String path, Set<String> keys) {
      JsonNode n = node(path);
      if (n == null) {
        return;
      }
      if (!n.isObject()) {
        problems.add((path.isEmpty() ? "(top level)" : path) + ": expected a map of settings");
        return;
      }
      n.fieldNames()
          .forEachRemaining(
              k -> {
                if (!keys.contains(k)) {
                  problems.add(
                      (path.isEmpty() ? "" : path + ".")
                          + k
                          + ": unknown setting; known: "
                          + new java.util.TreeSet<>(keys));
                }
              });
    }

    String text(String path, String fallback) {
      JsonNode n = node(path);
      if (n == null) {
        return fallback;
      }
      if (!n.isValueNode()) {
        problems.add(path + ": expected a text value");
        return fallback;
      }
      return n.asText();
    }

    /** A positive ISO-8601 duration such as {@code PT24H}, or null when absent or wrong. */
    Duration duration(String path) {
      JsonNode n = node(path);
      if (n == null) {
        return null;
      }
      try {
        Duration d = Duration.parse(n.asText().trim());
        if (!d.isNegative() && !d.isZero()) {
          return d;
        }
      } catch (java.time.format.DateTimeParseException e) {
        // reported below
      }
      problems.add(
          path
              + ": got \""
              + n.asText()
              + "\", expected a positive ISO-8601 duration such as PT24H, PT30M or P7D");
      return null;
    }

    boolean bool(String path, boolean fallback) {
      JsonNode n = node(path);
      if (n == null) {
        return fallback;
      }
      if (!n.isBoolean()) {
        problems.add(path + ": got " + n + ", expected true or false");
        return fallback;
      }
      return n.booleanValue();
    }

    long number(String path, long fallback, long min, long max) {
      JsonNode n = node(path);
      if (n == null) {
        return fallback;
      }
      return parseLong(n.asText(), path, min, max, problems, fallback);
    }

    static long parseLong(
        String text, String path, long min, long max, List<String> problems, long fallback) {
      try {
        long v = Long.parseLong(text.trim());
        if (v >= min && v <= max) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problems.add(
          path + ": got \"" + text + "\", expected a whole number from " + min + " to " + max);
      return fallback;
    }
  }
}
