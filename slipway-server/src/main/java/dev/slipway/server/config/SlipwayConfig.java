package dev.slipway.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.serving.host.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole server configuration, as read from {@code slipway.yaml} with environment overrides
 * ({@code SLIPWAY_HOME}, {@code SLIPWAY_PORT}, {@code SLIPWAY_REDIS_URI}). Defaults give the
 * embedded setup: no external service. Immutable; {@link #toBuilder()} makes changed copies.
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
    long webhookInitialDelayMillis) {

  public SlipwayConfig {
    enrich = Map.copyOf(enrich);
    deployments = Map.copyOf(deployments);
    webhookUrls = List.copyOf(webhookUrls);
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
        500);
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
          webhookInitialDelayMillis);
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
        "", Set.of("home", "server", "runtime", "features", "models", "registry", "webhooks"));
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
    JsonNode models = r.node("models");
    if (models != null) {
      if (!models.isObject()) {
        problems.add("models: expected a map of model name to settings");
      } else {
        for (Map.Entry<String, JsonNode> e : models.properties()) {
          String base = "models." + e.getKey();
          r.allowed(base, Set.of("enrich", "deployment"));
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
        hookDelay);
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
