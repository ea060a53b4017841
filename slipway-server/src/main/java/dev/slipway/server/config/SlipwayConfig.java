package dev.slipway.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole server configuration, as read from {@code slipway.yaml} with environment overrides
 * ({@code SLIPWAY_HOME}, {@code SLIPWAY_PORT}, {@code SLIPWAY_REDIS_URI}). Defaults give the
 * embedded setup: no external service. Immutable.
 *
 * @param home the Slipway home: embedded database and artifacts
 * @param port HTTP port (0 picks a free one)
 * @param maxRequestBytes largest accepted request body
 * @param maxRecords most records (rows) in one request
 * @param inferOnEventLoop run requests on the I/O threads instead of the blocking pool
 * @param intraOpThreads ONNX Runtime threads per model call
 * @param redisUri Redis for feature lookup, or null for none
 * @param redisKeyPrefix prefix of the feature hashes' keys
 * @param redisTimeoutMillis feature lookup budget per request
 * @param enrich per model name, the record field holding the entity key for feature lookup
 */
public record SlipwayConfig(
    Path home,
    int port,
    long maxRequestBytes,
    int maxRecords,
    boolean inferOnEventLoop,
    int intraOpThreads,
    String redisUri,
    String redisKeyPrefix,
    long redisTimeoutMillis,
    Map<String, String> enrich) {

  public SlipwayConfig {
    enrich = Map.copyOf(enrich);
  }

  public static SlipwayConfig defaults() {
    return new SlipwayConfig(
        Path.of("slipway-home"), 8080, 4L << 20, 10_000, false, 1, null, "features:", 50, Map.of());
  }

  public SlipwayConfig withHome(Path value) {
    return new SlipwayConfig(
        value,
        port,
        maxRequestBytes,
        maxRecords,
        inferOnEventLoop,
        intraOpThreads,
        redisUri,
        redisKeyPrefix,
        redisTimeoutMillis,
        enrich);
  }

  public SlipwayConfig withPort(int value) {
    return new SlipwayConfig(
        home,
        value,
        maxRequestBytes,
        maxRecords,
        inferOnEventLoop,
        intraOpThreads,
        redisUri,
        redisKeyPrefix,
        redisTimeoutMillis,
        enrich);
  }

  public SlipwayConfig withRedis(String uri, Map<String, String> enrichFields) {
    return new SlipwayConfig(
        home,
        port,
        maxRequestBytes,
        maxRecords,
        inferOnEventLoop,
        intraOpThreads,
        uri,
        redisKeyPrefix,
        redisTimeoutMillis,
        enrichFields);
  }

  public SlipwayConfig withMaxRequestBytes(long value) {
    return new SlipwayConfig(
        home,
        port,
        value,
        maxRecords,
        inferOnEventLoop,
        intraOpThreads,
        redisUri,
        redisKeyPrefix,
        redisTimeoutMillis,
        enrich);
  }

  public SlipwayConfig withInferOnEventLoop(boolean value) {
    return new SlipwayConfig(
        home,
        port,
        maxRequestBytes,
        maxRecords,
        value,
        intraOpThreads,
        redisUri,
        redisKeyPrefix,
        redisTimeoutMillis,
        enrich);
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
    r.allowed("", Set.of("home", "server", "runtime", "features", "models"));
    r.allowed("server", Set.of("port", "maxRequestBytes", "maxRecords", "inferOnEventLoop"));
    r.allowed("runtime", Set.of("intraOpThreads"));
    r.allowed("features", Set.of("redis"));
    r.allowed("features.redis", Set.of("uri", "keyPrefix", "timeoutMillis"));
    Path home = Path.of(env.getOrDefault("SLIPWAY_HOME", r.text("home", d.home().toString())));
    long port = r.number("server.port", d.port(), 0, 65535);
    if (env.containsKey("SLIPWAY_PORT")) {
      port = Reader.parseLong(env.get("SLIPWAY_PORT"), "SLIPWAY_PORT", 0, 65535, problems, port);
    }
    long maxBytes = r.number("server.maxRequestBytes", d.maxRequestBytes(), 1024, 1L << 30);
    long maxRecords = r.number("server.maxRecords", d.maxRecords(), 1, 1_000_000);
    boolean onLoop = r.bool("server.inferOnEventLoop", d.inferOnEventLoop());
    long threads = r.number("runtime.intraOpThreads", d.intraOpThreads(), 1, 256);
    String redis = env.getOrDefault("SLIPWAY_REDIS_URI", r.text("features.redis.uri", null));
    if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
      problems.add("features.redis.uri: got \"" + redis + "\", expected redis://host:port");
    }
    String prefix = r.text("features.redis.keyPrefix", d.redisKeyPrefix());
    long timeout = r.number("features.redis.timeoutMillis", d.redisTimeoutMillis(), 1, 60_000);
    Map<String, String> enrich = new LinkedHashMap<>();
    JsonNode models = r.node("models");
    if (models != null) {
      if (!models.isObject()) {
        problems.add("models: expected a map of model name to settings");
      } else {
        for (Map.Entry<String, JsonNode> e : models.properties()) {
          String base = "models." + e.getKey();
          r.allowed(base, Set.of("enrich"));
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
        (int) maxRecords,
        onLoop,
        (int) threads,
        redis,
        prefix,
        timeout,
        enrich);
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
