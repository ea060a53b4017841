package dev.slipway.registry;

import static dev.slipway.registry.ModelRegistry.ALIAS_EXPECTED;
import static dev.slipway.registry.ModelRegistry.ALIAS_PATTERN;
import static dev.slipway.registry.ModelRegistry.LATEST;
import static dev.slipway.registry.ModelRegistry.MAX_CREATED_BY_LENGTH;
import static dev.slipway.registry.ModelRegistry.MAX_JSON_LENGTH;
import static dev.slipway.registry.ModelRegistry.MAX_METRIC_NAME_LENGTH;
import static dev.slipway.registry.ModelRegistry.MAX_TEXT_LENGTH;
import static dev.slipway.registry.ModelRegistry.MAX_TRAINING_DATA_REF_LENGTH;
import static dev.slipway.registry.ModelRegistry.NAME_PATTERN;
import static dev.slipway.registry.ModelRegistry.TAG_KEY_PATTERN;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.slipway.api.InvalidInputException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The checks of the registry's input: each returns the value to store or throws {@link
 * InvalidInputException} naming the field. Stateless and thread-safe.
 */
final class RegistryChecks {

  /** Reads and writes the JSON columns; configured once, never changed, so safe to share. */
  static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private static final String NAME_EXPECTED =
      "a name of 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit";
  private static final String TAG_KEY_EXPECTED =
      "a tag key of 1 to 128 letters, digits, '_', '.', ':', '/' or '-', starting with a letter or"
          + " digit";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern RESERVED_VERSION_ALIAS = Pattern.compile("[vV][0-9]+");

  private RegistryChecks() {}

  static String checkName(String name) {
    if (name == null) {
      throw InvalidInputException.missing("name", NAME_EXPECTED);
    }
    if (!NAME_PATTERN.matcher(name).matches()) {
      throw InvalidInputException.of("name", name, NAME_EXPECTED);
    }
    return name;
  }

  /** Whether an alias name is reserved for the meanings {@link ModelRef} gives it. */
  static boolean isReservedAlias(String alias) {
    return alias.equalsIgnoreCase(LATEST) || RESERVED_VERSION_ALIAS.matcher(alias).matches();
  }

  static String checkAlias(String alias) {
    if (alias == null) {
      throw InvalidInputException.missing("alias", ALIAS_EXPECTED);
    }
    if (!ALIAS_PATTERN.matcher(alias).matches() || isReservedAlias(alias)) {
      throw InvalidInputException.of("alias", alias, ALIAS_EXPECTED);
    }
    return alias;
  }

  static void checkVersion(int version) {
    if (version < 1) {
      throw InvalidInputException.of("version", version, "a version number of 1 or more");
    }
  }

  static void checkLimit(int limit) {
    if (limit < 1) {
      throw InvalidInputException.of("limit", limit, "1 or more");
    }
  }

  static String checkTagKey(String key) {
    if (key == null) {
      throw InvalidInputException.missing("tag", TAG_KEY_EXPECTED);
    }
    if (!TAG_KEY_PATTERN.matcher(key).matches()) {
      throw InvalidInputException.of("tag", key, TAG_KEY_EXPECTED);
    }
    return key;
  }

  static String checkActor(String actor) {
    return required("actor", actor, MAX_CREATED_BY_LENGTH, "the user or service making the change");
  }

  static GateResult.Verdict checkVerdict(String verdict) {
    String expected = "BLESSED or NOT_BLESSED";
    if (verdict == null) {
      throw InvalidInputException.missing("verdict", expected);
    }
    for (GateResult.Verdict v : GateResult.Verdict.values()) {
      if (v.name().equals(verdict)) {
        return v;
      }
    }
    throw InvalidInputException.of("verdict", verdict, expected);
  }

  /** A non-blank text, stripped of surrounding white space. */
  static String required(String field, String value, int maxLength, String example) {
    if (value == null || value.isBlank()) {
      throw InvalidInputException.missing(
          field, "a non-blank text of at most " + maxLength + " characters, " + example);
    }
    return optional(field, value.strip(), maxLength);
  }

  static String optional(String field, String value, int maxLength) {
    if (value != null && value.length() > maxLength) {
      throw InvalidInputException.of(field, value, "at most " + maxLength + " characters");
    }
    return value;
  }

  static String checkManifest(String manifest) {
    if (manifest == null) {
      return null;
    }
    optional("manifest", manifest, MAX_JSON_LENGTH);
    try {
      JSON.readTree(manifest);
    } catch (JsonProcessingException e) {
      throw InvalidInputException.of(
          "manifest", manifest, "well-formed JSON text (" + e.getOriginalMessage() + ")");
    }
    return manifest;
  }

  static Map<String, Double> checkNumbers(String field, Map<String, Double> numbers) {
    Map<String, Double> checked = new TreeMap<>();
    for (Map.Entry<String, Double> e : numbers.entrySet()) {
      String key = e.getKey();
      if (key == null || key.isBlank() || key.length() > MAX_METRIC_NAME_LENGTH) {
        throw InvalidInputException.of(
            field, key, "names of 1 to " + MAX_METRIC_NAME_LENGTH + " non-blank characters");
      }
      Double value = e.getValue();
      if (value == null || !Double.isFinite(value)) {
        throw InvalidInputException.of(field + "." + key, value, "a finite number");
      }
      checked.put(key, value);
    }
    return checked;
  }

  static Lineage checkLineage(Lineage lineage) {
    String ref = lineage.trainingDataRef();
    if (ref != null) {
      if (ref.isBlank()) {
        throw InvalidInputException.of(
            "trainingDataRef", ref, "a reference to the training data, or none");
      }
      optional("trainingDataRef", ref, MAX_TRAINING_DATA_REF_LENGTH);
    }
    String sha = lineage.trainingDataSha256();
    if (sha != null && !SHA256.matcher(sha).matches()) {
      throw InvalidInputException.of(
          "trainingDataSha256", sha, "the data's SHA-256 as 64 lowercase hex characters, or none");
    }
    Map<String, String> parameters = new TreeMap<>();
    for (Map.Entry<String, String> e : lineage.parameters().entrySet()) {
      String key = e.getKey();
      if (key == null || key.isBlank() || key.length() > MAX_METRIC_NAME_LENGTH) {
        throw InvalidInputException.of(
            "parameters",
            key,
            "parameter names of 1 to " + MAX_METRIC_NAME_LENGTH + " non-blank characters");
      }
      String value = e.getValue();
      if (value == null) {
        throw InvalidInputException.missing(
            "parameters." + key, "a text of at most " + MAX_TEXT_LENGTH + " characters");
      }
      parameters.put(key, optional("parameters." + key, value, MAX_TEXT_LENGTH));
    }
    return new Lineage(ref, sha, parameters);
  }

  static String writeJson(String field, Map<String, ?> values) {
    String text = toJson(values);
    if (text.length() > MAX_JSON_LENGTH) {
      throw InvalidInputException.of(
          field, values.size() + " entries", "at most " + MAX_JSON_LENGTH + " characters of JSON");
    }
    return text;
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of texts and finite numbers are serialisable", e);
    }
  }
}
