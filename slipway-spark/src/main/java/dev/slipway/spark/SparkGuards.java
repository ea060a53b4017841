package dev.slipway.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.api.InvalidInputException;
import dev.slipway.serving.guard.GuardConfig;
import dev.slipway.serving.guard.GuardSpec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The guards a Spark job serves its model with: none, the rejecting input checks of {@link
 * Guarding#REJECT}, or the model's {@code models.<name>.guards} section of a {@code slipway.yaml}
 * ({@code --config}), read by {@link GuardConfig}, the same reading as the server's and {@code
 * slipway batch score --config}'s, so that a row gets the same verdict and answer on Spark.
 *
 * <p>Travels to the executors with the tasks as the sections' JSON text; each executor reads the
 * section again and builds its {@link dev.slipway.serving.guard.Guards} from it (every section
 * travels; an executor uses those of the job's model and of the models its fallback chain names).
 * Of a {@code slipway.yaml} only the {@code guards} sections are read (the rest is the server's).
 * Immutable and serializable.
 */
public final class SparkGuards implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Guarding preset; // used when file is null
  private final String file;
  private final TreeMap<String, String> sections; // model name -> its guards section as JSON

  private SparkGuards(Guarding preset, String file, TreeMap<String, String> sections) {
    this.preset = preset;
    this.file = file;
    this.sections = sections;
  }

  /** Guards without a configuration: none, or rejecting input checks. */
  public static SparkGuards of(Guarding guarding) {
    return new SparkGuards(guarding, null, new TreeMap<>());
  }

  /**
   * The guards sections of a {@code slipway.yaml}, every one checked now (on the driver).
   *
   * @throws InvalidInputException naming {@code --config} when the file cannot be read or is not
   *     YAML, or naming the key of every problem of a {@code guards} section (e.g. {@code
   *     models.ad-click.guards.inputs.policy}), as the server names it
   */
  public static SparkGuards fromConfig(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw InvalidInputException.of(
          "--config", file.toString(), "a readable slipway.yaml (" + e.getMessage() + ")");
    }
    List<String> problems = new ArrayList<>();
    TreeMap<String, String> sections = new TreeMap<>();
    JsonNode models = root == null ? null : root.get("models");
    if (root != null && !root.isMissingNode() && !root.isNull() && !root.isObject()) {
      problems.add("(top level): expected a map of settings");
    } else if (models != null && !models.isNull()) {
      if (!models.isObject()) {
        problems.add("models: expected a map of model name to settings");
      } else {
        for (Map.Entry<String, JsonNode> m : models.properties()) {
          JsonNode g = m.getValue().get("guards");
          if (m.getValue().isNull()) {
            continue;
          }
          if (!m.getValue().isObject()) {
            problems.add("models." + m.getKey() + ": expected a map of settings");
          } else if (g != null && !g.isNull()) {
            String at = "models." + m.getKey() + ".guards";
            if (GuardConfig.parse(g, at, problems) != null) {
              sections.put(m.getKey(), g.toString());
            }
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw InvalidInputException.of(
          "--config",
          file.toString(),
          "a slipway.yaml whose guards are valid; " + String.join("; ", problems));
    }
    return new SparkGuards(null, file.toString(), sections);
  }

  /** The guard settings of a model, or null when it is served unguarded. */
  GuardSpec spec(String model) {
    if (file == null) {
      return preset == Guarding.REJECT ? GuardSpec.rejecting() : null;
    }
    String section = sections.get(model);
    if (section == null) {
      return null;
    }
    List<String> problems = new ArrayList<>();
    GuardSpec spec;
    try {
      spec = GuardConfig.parse(JSON.readTree(section), path(model), problems);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the shipped guards of " + model, e);
    }
    if (spec == null) {
      // checked on the driver already: only a different reading on the executor gets here
      throw new IllegalStateException("the guards of " + model + " read differently: " + problems);
    }
    return spec;
  }

  /**
   * The models a model's fallback chain names, other than the heuristic, by the key of their link
   * ({@code models.ad-click.guards.fallback[1]} to {@code ad-click@challenger}), in chain order.
   */
  Map<String, String> fallbackModels(String model) {
    GuardSpec spec = spec(model);
    Map<String, String> links = new java.util.LinkedHashMap<>();
    if (spec != null) {
      List<String> fallback = spec.fallback();
      for (int i = 0; i < fallback.size(); i++) {
        if (!fallback.get(i).equals(GuardSpec.HEURISTIC)) {
          links.put(path(model) + ".fallback[" + i + "]", fallback.get(i));
        }
      }
    }
    return links;
  }

  /** Whether a model's guards have a fallback chain (and so consult its filtering model). */
  boolean hasFallback(String model) {
    GuardSpec spec = spec(model);
    return spec != null && !spec.fallback().isEmpty();
  }

  /** What distinguishes these guards in an executor's cache of pipelines. */
  String cacheKey() {
    return file == null ? preset.name() : "config:" + sections;
  }

  private static String path(String model) {
    return "models." + model + ".guards";
  }

  @Override
  public String toString() {
    return file == null ? preset.name().toLowerCase(java.util.Locale.ROOT) : "guards of " + file;
  }
}
