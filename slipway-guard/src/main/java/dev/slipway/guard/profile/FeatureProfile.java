package dev.slipway.guard.profile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the training data showed about one feature. Numeric features carry {@code min}, {@code max},
 * {@code mean}, {@code stddev} and {@code quantiles}; categorical ones (strings and booleans) carry
 * {@code frequencies}. Immutable.
 *
 * @param name the feature
 * @param type its type (OIP name)
 * @param count rows seen
 * @param present rows where it was present and not null
 * @param min smallest value (numeric), or null
 * @param max largest value (numeric), or null
 * @param mean arithmetic mean (numeric), or null
 * @param stddev population standard deviation (numeric), or null
 * @param quantiles by level ("0.5" is the median), linear interpolation between order statistics
 *     (numpy's default); empty for categorical features
 * @param frequencies value → rows, for the {@link DataProfile#MAX_CATEGORIES} most frequent values
 * @param distinct distinct values seen (categorical), or null
 * @param otherCount rows whose value is not among {@code frequencies} (categorical), or null
 * @param nonFinite rows holding NaN or an infinity (numeric)
 * @param sample up to {@link DataProfile#REFERENCE_SAMPLE} values drawn uniformly (seeded) from the
 *     present finite values, sorted: the reference sample drift tests compare a window against
 *     (numeric only)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "name",
  "type",
  "count",
  "present",
  "min",
  "max",
  "mean",
  "stddev",
  "quantiles",
  "frequencies",
  "distinct",
  "otherCount",
  "nonFinite"
})
public record FeatureProfile(
    String name,
    DataType type,
    long count,
    long present,
    Double min,
    Double max,
    Double mean,
    Double stddev,
    Map<String, Double> quantiles,
    Map<String, Long> frequencies,
    Long distinct,
    Long otherCount,
    long nonFinite,
    List<Double> sample) {

  public FeatureProfile {
    quantiles =
        quantiles == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(quantiles));
    frequencies =
        frequencies == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(frequencies));
    sample = sample == null ? List.of() : List.copyOf(sample);
  }

  /** Share of rows where the feature was present, in [0, 1]. */
  @JsonIgnore
  public double presenceRate() {
    return count == 0 ? 0 : (double) present / count;
  }

  /** Whether the feature is treated as categorical (strings, booleans). */
  @JsonIgnore
  public boolean categorical() {
    return !type.isNumeric();
  }

  /** The quantile at a level such as 0.5, or null when not profiled. */
  public Double quantile(double level) {
    return quantiles.get(DataProfile.levelKey(level));
  }

  /**
   * The field a model's input schema gets from this profile: nullable when any row lacked it, the
   * observed range for numbers, the observed values as the domain for categories (all of them, when
   * the profile kept all of them; otherwise none: an open domain).
   */
  public Field toField() {
    boolean nullable = present < count;
    if (type.isNumeric()) {
      return new Field(name, type, nullable, min, max, List.of(), "");
    }
    List<String> domain =
        otherCount != null && otherCount == 0 && type == DataType.BYTES
            ? List.copyOf(frequencies.keySet())
            : List.of();
    return new Field(name, type, nullable, null, null, domain, "");
  }
}
