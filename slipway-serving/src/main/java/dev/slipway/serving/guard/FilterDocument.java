package dev.slipway.serving.guard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.codec.TabularSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the registry keeps with a version about its filtering model, as the version document of kind
 * {@value #KIND} (JSON): the filter's ONNX file in the artifact store (by sha256), how records are
 * encoded for it, the threshold, and its quality on held-out rows it was not trained on. Unknown
 * properties are ignored so that newer documents load. Immutable.
 *
 * @param sha256 the filter model in the artifact store
 * @param format its model format, {@code onnx}
 * @param spec how records become its input; its {@code score} is the probability of failure
 * @param threshold records whose failure probability is at least this go to the fallback chain
 * @param thresholdChoice {@code max_f1} (chosen on the training rows) or {@code configured}
 * @param metrics measured on the held-out measuring rows: {@code precision}, {@code recall}, {@code
 *     f1}, {@code auc}, {@code routed_share}, {@code accuracy_all} (the main model on all rows),
 *     {@code accuracy_kept} (on the rows the filter lets through), and the counts {@code rows},
 *     {@code train_rows}, {@code train_failures}, {@code measure_rows}, {@code measure_failures},
 *     {@code routed}
 * @param seed the seed of the split and the training
 * @param trainedAt when it was trained, ISO-8601
 * @param parameters how it was trained (balancing, the classifier's settings, the data used)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FilterDocument(
    @JsonProperty("sha256") String sha256,
    @JsonProperty("format") String format,
    @JsonProperty("spec") TabularSpec spec,
    @JsonProperty("threshold") double threshold,
    @JsonProperty("threshold_choice") String thresholdChoice,
    @JsonProperty("metrics") Map<String, Double> metrics,
    @JsonProperty("seed") long seed,
    @JsonProperty("trained_at") String trainedAt,
    @JsonProperty("parameters") Map<String, String> parameters) {

  /** The document kind under which a version's filtering model is kept. */
  public static final String KIND = "filter";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public FilterDocument {
    Objects.requireNonNull(sha256, "sha256");
    format = format == null ? "onnx" : format;
    Objects.requireNonNull(spec, "spec");
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
    }
    metrics =
        metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    parameters =
        parameters == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a stored document.
   *
   * @throws InvalidInputException naming {@code filter} when the text is not such a document
   */
  public static FilterDocument fromJson(String json) {
    try {
      return JSON.readValue(json, FilterDocument.class);
    } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
      throw InvalidInputException.of(
          "filter",
          json.length() > 200 ? json.substring(0, 200) + "..." : json,
          "a Slipway filter document: " + e.getMessage());
    }
  }
}
