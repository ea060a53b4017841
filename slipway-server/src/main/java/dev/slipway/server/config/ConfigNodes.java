package dev.slipway.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * Reading helpers shared by the configuration sections: each adds a problem naming the key's path,
 * the value it got and what was expected, and returns a fallback, so that all problems of a file
 * are reported at once.
 */
final class ConfigNodes {
  private ConfigNodes() {}

  /** Adds a problem for every key of the map {@code n} that is not one of {@code keys}. */
  static void known(JsonNode n, String at, Set<String> keys, List<String> problems) {
    // the guards' reading (in slipway-serving) words it; every section says it the same way
    dev.slipway.serving.guard.GuardConfig.unknownKeys(n, at, keys, problems);
  }

  /** A whole number from {@code min} to {@code max}, or the fallback when absent or wrong. */
  static long whole(
      JsonNode n, String path, long fallback, long min, long max, List<String> problems) {
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (n.isIntegralNumber()
        && n.canConvertToLong()
        && n.longValue() >= min
        && n.longValue() <= max) {
      return n.longValue();
    }
    problems.add(path + ": got " + n + ", expected a whole number from " + min + " to " + max);
    return fallback;
  }
}
