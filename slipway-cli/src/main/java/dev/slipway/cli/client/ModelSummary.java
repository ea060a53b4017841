package dev.slipway.cli.client;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A registered model as {@code slipway models list} shows it. Immutable.
 *
 * @param name the model's name
 * @param latestVersion its highest version number
 * @param description the description of its first version, or {@code null}
 * @param aliases alias → version, sorted by alias
 */
public record ModelSummary(
    String name, int latestVersion, String description, Map<String, Integer> aliases) {
  public ModelSummary {
    aliases = Collections.unmodifiableMap(new TreeMap<>(aliases));
  }
}
