package dev.slipway.serving.host;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.codec.TabularSpec;

/**
 * What Slipway stores with a model version beside the artifact: how records become the model's
 * input ({@code tabular}, absent for models that take their inputs as they are), a short
 * description and the {@link GoldenRecords} replayed whenever the version is loaded. Serialised as
 * JSON; unknown properties are ignored so that newer manifests load.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(TabularSpec tabular, String description, GoldenRecords golden) {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public ModelManifest(TabularSpec tabular, String description) {
    this(tabular, description, null);
  }

  public static ModelManifest none() {
    return new ModelManifest(null, null, null);
  }

  /** This manifest with the given golden records. */
  public ModelManifest withGolden(GoldenRecords records) {
    return new ModelManifest(tabular, description, records);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a manifest; null or blank text is the empty manifest. */
  public static ModelManifest fromJson(String json) {
    if (json == null || json.isBlank()) {
      return none();
    }
    try {
      return JSON.readValue(json, ModelManifest.class);
    } catch (JsonProcessingException e) {
      throw InvalidInputException.of(
          "manifest", json, "a Slipway model manifest: " + e.getOriginalMessage());
    }
  }
}
