package dev.slipway.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.monitor.MonitorSettings;
import dev.slipway.monitor.performance.Windows;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code monitoring} section of {@code slipway.yaml}, adding every problem to the list
 * with its path instead of stopping at the first. Every setting is optional:
 *
 * <pre>
 * monitoring:
 *   enabled: true                # log predictions at all
 *   sampleRate: 1.0              # share of requests logged, 0 to 1
 *   retentionDays: 30            # predictions and feedback older than this are deleted
 *   retentionCheckMinutes: 60    # how often retention runs
 *   queueCapacity: 10000         # events waiting for the writer; more are dropped and counted
 *   batchSize: 500               # rows per insert batch
 *   entityJoinWindow: 1h         # entity feedback joins a prediction at most this long before it
 *   window: 1h                   # default window of /performance and /drift
 *   models:
 *     ad-click: {sampleRate: 0.1, entityField: user_id, scoreOutput: score, threshold: 0.5}
 * </pre>
 */
final class MonitoringConfig {
  private MonitoringConfig() {}

  static MonitorSettings parse(JsonNode m, List<String> problems) {
    MonitorSettings d = MonitorSettings.defaults();
    if (m == null || m.isNull()) {
      return d;
    }
    String at = "monitoring";
    if (!m.isObject()) {
      problems.add(at + ": expected a map of settings");
      return d;
    }
    ConfigNodes.known(
        m,
        at,
        Set.of(
            "enabled",
            "sampleRate",
            "retentionDays",
            "retentionCheckMinutes",
            "queueCapacity",
            "batchSize",
            "entityJoinWindow",
            "window",
            "models"),
        problems);
    boolean enabled = d.enabled();
    if (m.has("enabled")) {
      if (m.get("enabled").isBoolean()) {
        enabled = m.get("enabled").booleanValue();
      } else {
        problems.add(at + ".enabled: got " + m.get("enabled") + ", expected true or false");
      }
    }
    Double rate = rate(m.get("sampleRate"), at + ".sampleRate", problems);
    long days =
        ConfigNodes.whole(
            m.get("retentionDays"), at + ".retentionDays", d.retentionDays(), 1, 36_500, problems);
    long check =
        ConfigNodes.whole(
            m.get("retentionCheckMinutes"),
            at + ".retentionCheckMinutes",
            d.retentionEvery().toMinutes(),
            1,
            10_080,
            problems);
    long capacity =
        ConfigNodes.whole(
            m.get("queueCapacity"),
            at + ".queueCapacity",
            d.queueCapacity(),
            1,
            10_000_000,
            problems);
    long batch =
        ConfigNodes.whole(
            m.get("batchSize"), at + ".batchSize", d.batchSize(), 1, 100_000, problems);
    Duration join =
        window(m.get("entityJoinWindow"), at + ".entityJoinWindow", d.entityJoinWindow(), problems);
    Duration window = window(m.get("window"), at + ".window", d.performanceWindow(), problems);
    Map<String, MonitorSettings.Model> models = new LinkedHashMap<>();
    JsonNode ms = m.get("models");
    if (ms != null && !ms.isNull()) {
      if (!ms.isObject()) {
        problems.add(at + ".models: expected a map of model name to settings");
      } else {
        for (Map.Entry<String, JsonNode> e : ms.properties()) {
          String path = at + ".models." + e.getKey();
          JsonNode v = e.getValue();
          if (!v.isObject()) {
            problems.add(path + ": expected a map of settings");
            continue;
          }
          ConfigNodes.known(
              v, path, Set.of("sampleRate", "entityField", "scoreOutput", "threshold"), problems);
          Double threshold = null;
          if (v.has("threshold")) {
            JsonNode t = v.get("threshold");
            if (t.isNumber() && t.doubleValue() >= 0 && t.doubleValue() <= 1) {
              threshold = t.doubleValue();
            } else {
              problems.add(path + ".threshold: got " + t + ", expected a number from 0 to 1");
            }
          }
          models.put(
              e.getKey(),
              new MonitorSettings.Model(
                  rate(v.get("sampleRate"), path + ".sampleRate", problems),
                  text(v.get("entityField"), path + ".entityField", problems),
                  text(v.get("scoreOutput"), path + ".scoreOutput", problems),
                  threshold));
        }
      }
    }
    return new MonitorSettings(
        enabled,
        rate == null ? d.sampleRate() : rate,
        models,
        (int) days,
        Duration.ofMinutes(check),
        (int) capacity,
        (int) batch,
        join,
        window,
        d.seed());
  }

  private static Double rate(JsonNode n, String path, List<String> problems) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isNumber() && n.doubleValue() >= 0 && n.doubleValue() <= 1) {
      return n.doubleValue();
    }
    problems.add(path + ": got " + n + ", expected a share from 0 to 1 such as 0.1");
    return null;
  }

  private static String text(JsonNode n, String path, List<String> problems) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      problems.add(path + ": got " + n + ", expected a name");
      return null;
    }
    return n.asText();
  }

  private static Duration window(
      JsonNode n, String path, Duration fallback, List<String> problems) {
    if (n == null || n.isNull()) {
      return fallback;
    }
    try {
      return Windows.parse(n.asText(), path);
    } catch (InvalidInputException e) {
      problems.add(path + ": got \"" + n.asText() + "\", expected a window such as 15m, 1h or 1d");
      return fallback;
    }
  }
}
