package dev.slipway.guard.profile;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A profile of a data set, as TensorFlow Data Validation computes one: per feature its type,
 * presence, range, mean and quantiles for numbers, values and frequencies for categories. It is
 * stored with a model version as readable YAML that a person may edit (to widen a range, say), is
 * the source of the version's input checks, and is the baseline drift is measured against.
 *
 * <p>Quantiles are exact up to {@link #SAMPLE_SIZE} present values per feature and computed on a
 * seeded uniform reservoir sample beyond that (so the same data in the same order always gives the
 * same profile). Immutable.
 *
 * @param rows rows profiled
 * @param features one profile per feature, in first-seen (or schema) order
 */
@JsonPropertyOrder({"rows", "features"})
public record DataProfile(long rows, List<FeatureProfile> features) {
  /** Categorical values kept with their frequencies; the rest are counted as other. */
  public static final int MAX_CATEGORIES = 1000;

  /** Values per numeric feature kept in the profile as the drift tests' reference sample. */
  public static final int REFERENCE_SAMPLE = 500;

  /** Values per feature kept for quantiles. */
  public static final int SAMPLE_SIZE = 100_000;

  /** The quantile levels every numeric feature gets. */
  public static final List<Double> LEVELS =
      List.of(0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.99);

  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .configure(SerializationFeature.INDENT_OUTPUT, true);

  public DataProfile {
    features = features == null ? List.of() : List.copyOf(features);
  }

  /** The profile of one feature. */
  public Optional<FeatureProfile> feature(String name) {
    return features.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** The input schema the data implies; see {@link FeatureProfile#toField()}. */
  public Schema schema() {
    List<Field> fields = new ArrayList<>();
    for (FeatureProfile f : features) {
      fields.add(f.toField());
    }
    return new Schema(fields);
  }

  static String levelKey(double level) {
    String s = Double.toString(level);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }

  /** Profiles rows whose types are inferred from the values (see {@link #of(Schema, Iterable)}). */
  public static DataProfile of(Iterable<Record> rows) {
    return of(null, rows);
  }

  /**
   * Profiles rows in one pass.
   *
   * @param schema the features and their types; {@code null} to profile every field seen and infer
   *     its type: BOOL when every value is a boolean, INT64 when every value is a whole number,
   *     FP64 when every value is a number, otherwise BYTES (categorical). Fields the schema does
   *     not name are ignored; values of the wrong type count as absent.
   */
  public static DataProfile of(Schema schema, Iterable<Record> rows) {
    Map<String, Accumulator> acc = new LinkedHashMap<>();
    if (schema != null) {
      for (Field f : schema.fields()) {
        acc.put(f.name(), new Accumulator(f.name(), f.type(), acc.size()));
      }
    }
    long n = 0;
    for (Record r : rows) {
      n++;
      if (schema == null) {
        for (String name : r.names()) {
          acc.computeIfAbsent(name, k -> new Accumulator(k, null, acc.size()).skip(0))
              .ensureSeen(n - 1);
        }
      }
      for (Accumulator a : acc.values()) {
        a.add(r.get(a.name));
      }
    }
    List<FeatureProfile> out = new ArrayList<>();
    for (Accumulator a : acc.values()) {
      out.add(a.finish(n));
    }
    return new DataProfile(n, out);
  }

  /** The profile as YAML. */
  public String toYaml() {
    try {
      return YAML.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a profile from YAML (or JSON, which is YAML).
   *
   * @throws InvalidInputException naming {@code profile} and what is wrong with it
   */
  public static DataProfile fromYaml(String text) {
    DataProfile p;
    try {
      p = YAML.readValue(text, DataProfile.class);
    } catch (JsonProcessingException e) {
      throw InvalidInputException.of(
          "profile",
          e.getLocation() == null ? "?" : "line " + e.getLocation().getLineNr(),
          "a data profile (rows, features: name, type, count, present, ...): "
              + e.getOriginalMessage());
    }
    if (p == null) {
      throw InvalidInputException.missing("profile", "a data profile");
    }
    for (int i = 0; i < p.features().size(); i++) {
      FeatureProfile f = p.features().get(i);
      String at = "profile.features[" + i + "]";
      if (f.name() == null || f.name().isBlank()) {
        throw InvalidInputException.missing(at + ".name", "the feature's name");
      }
      if (f.type() == null) {
        throw InvalidInputException.missing(at + ".type", "the feature's type, e.g. FP64 or BYTES");
      }
      if (f.min() != null && f.max() != null && f.min() > f.max()) {
        throw InvalidInputException.of(
            at + ".min", f.min() + " > max " + f.max(), "min no larger than max");
      }
      if (f.present() > f.count() || f.present() < 0) {
        throw InvalidInputException.of(
            at + ".present", Long.toString(f.present()), "between 0 and count (" + f.count() + ")");
      }
    }
    return p;
  }

  /** One feature's running statistics. Not thread-safe. */
  private static final class Accumulator {
    final String name;
    final DataType declared;
    final int index;
    long seen;
    long present;
    long nonFinite;
    // numeric
    boolean allBoolean = true;
    boolean allIntegral = true;
    boolean allNumeric = true;
    long numericCount;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double mean;
    double m2;
    double[] sample = new double[64];
    int sampled;
    final SplittableRandom random;
    // categorical
    final Map<String, Long> counts = new HashMap<>();
    boolean overflow;

    Accumulator(String name, DataType declared, int index) {
      this.name = name;
      this.declared = declared;
      this.index = index;
      this.random = new SplittableRandom(0x5eed + name.hashCode());
    }

    Accumulator skip(long rows) {
      seen += rows;
      return this;
    }

    /** A field first seen in row {@code rowIndex}: the rows before it lacked it. */
    void ensureSeen(long rowIndex) {
      if (seen < rowIndex) {
        seen = rowIndex;
      }
    }

    void add(Object v) {
      seen++;
      if (v == null) {
        return;
      }
      boolean numericDeclared = declared != null && declared.isNumeric();
      if (v instanceof Boolean b) {
        if (numericDeclared || (declared != null && declared != DataType.BOOL)) {
          return;
        }
        allIntegral = false;
        allNumeric = false;
        count(b.toString());
        present++;
        return;
      }
      allBoolean = false;
      if (v instanceof Number num) {
        if (declared != null && !numericDeclared) {
          if (declared == DataType.BYTES) {
            count(num.toString());
            present++;
          }
          return;
        }
        double d = num instanceof BigInteger big ? big.doubleValue() : num.doubleValue();
        if (!(v instanceof Long || v instanceof BigInteger)) {
          allIntegral = false;
        }
        present++;
        if (declared == null) {
          count(num.toString());
        }
        if (!Double.isFinite(d)) {
          nonFinite++;
          return;
        }
        numeric(d);
        return;
      }
      // a string (or anything else, by its text)
      allIntegral = false;
      allNumeric = false;
      if (numericDeclared || declared == DataType.BOOL) {
        return;
      }
      count(v.toString());
      present++;
    }

    private void numeric(double d) {
      numericCount++;
      min = Math.min(min, d);
      max = Math.max(max, d);
      double delta = d - mean;
      mean += delta / numericCount;
      m2 += delta * (d - mean);
      if (sampled < SAMPLE_SIZE) {
        if (sampled == sample.length) {
          sample = Arrays.copyOf(sample, Math.min(SAMPLE_SIZE, sample.length * 2));
        }
        sample[sampled++] = d;
      } else {
        long j = random.nextLong(numericCount);
        if (j < SAMPLE_SIZE) {
          sample[(int) j] = d;
        }
      }
    }

    private void count(String key) {
      Long c = counts.get(key);
      if (c != null) {
        counts.put(key, c + 1);
      } else if (counts.size() < MAX_CATEGORIES * 10) {
        counts.put(key, 1L);
      } else {
        overflow = true;
      }
    }

    FeatureProfile finish(long rows) {
      long count = Math.max(seen, rows);
      DataType type = declared != null ? declared : inferred();
      if (type.isNumeric()) {
        double[] xs = Arrays.copyOf(sample, sampled);
        Arrays.sort(xs);
        Map<String, Double> q = new LinkedHashMap<>();
        if (xs.length > 0) {
          for (double level : LEVELS) {
            q.put(levelKey(level), quantile(xs, level));
          }
        }
        boolean any = numericCount > 0;
        return new FeatureProfile(
            name,
            type,
            count,
            present,
            any ? min : null,
            any ? max : null,
            any ? mean : null,
            any ? Math.sqrt(m2 / numericCount) : null,
            q,
            null,
            null,
            null,
            nonFinite,
            referenceSample(xs));
      }
      List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
      sorted.sort(
          Map.Entry.<String, Long>comparingByValue()
              .reversed()
              .thenComparing(Map.Entry.comparingByKey()));
      Map<String, Long> top = new LinkedHashMap<>();
      long kept = 0;
      for (Map.Entry<String, Long> e : sorted) {
        if (top.size() == MAX_CATEGORIES) {
          break;
        }
        top.put(e.getKey(), e.getValue());
        kept += e.getValue();
      }
      long other = present - kept;
      return new FeatureProfile(
          name,
          type,
          count,
          present,
          null,
          null,
          null,
          null,
          null,
          top,
          (long) counts.size() + (overflow ? 1 : 0),
          other,
          0,
          null);
    }

    private DataType inferred() {
      if (present == 0) {
        return DataType.BYTES;
      }
      if (allBoolean) {
        return DataType.BOOL;
      }
      if (allNumeric) {
        return allIntegral ? DataType.INT64 : DataType.FP64;
      }
      return DataType.BYTES;
    }
  }

  /**
   * Every k-th value of the sorted sample (evenly spaced order statistics), at most {@link
   * #REFERENCE_SAMPLE}: deterministic, and it keeps the distribution's shape.
   */
  static List<Double> referenceSample(double[] sorted) {
    List<Double> out = new ArrayList<>();
    if (sorted.length <= REFERENCE_SAMPLE) {
      for (double d : sorted) {
        out.add(d);
      }
      return out;
    }
    for (int i = 0; i < REFERENCE_SAMPLE; i++) {
      out.add(sorted[(int) ((long) i * (sorted.length - 1) / (REFERENCE_SAMPLE - 1))]);
    }
    return out;
  }

  /** Linear interpolation between order statistics (Hyndman and Fan type 7, numpy's default). */
  static double quantile(double[] sorted, double level) {
    double h = (sorted.length - 1) * level;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
