package dev.slipway.guard.output;

import dev.slipway.api.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a model's answer for one row: numbers are finite, outputs lie in their declared ranges (a
 * probability in [0, 1], an age in [0, 150]), and the model is confident enough — below the
 * confidence threshold the model abstains and the row goes to the fallback chain.
 *
 * <p>Outputs are the public output columns, one row per first dimension. Immutable and thread-safe.
 *
 * @param ranges allowed range per output (every element of the row's slice)
 * @param confidence the output whose largest element in a row is the model's confidence (for
 *     example {@code probabilities}), or null for none
 * @param minConfidence the threshold: the model abstains when its confidence is below it
 */
public record OutputGuard(Map<String, Range> ranges, String confidence, double minConfidence) {

  /** No checks but finiteness. */
  public static final OutputGuard FINITE_ONLY = new OutputGuard(Map.of(), null, 0);

  public OutputGuard {
    ranges = Map.copyOf(ranges);
  }

  /**
   * A closed range; either end may be null (open).
   *
   * @param min the lowest allowed value, or null
   * @param max the highest allowed value, or null
   */
  public record Range(Double min, Double max) {
    boolean contains(double d) {
      return (min == null || d >= min) && (max == null || d <= max);
    }

    @Override
    public String toString() {
      return "[" + (min == null ? "-∞" : min) + ", " + (max == null ? "∞" : max) + "]";
    }
  }

  /** Why a row's answer was not used. */
  public enum Problem {
    /** NaN or an infinity. */
    NOT_FINITE,
    /** Outside the declared range. */
    OUT_OF_RANGE,
    /** The model's confidence is below the threshold: it abstains. */
    LOW_CONFIDENCE
  }

  /**
   * A failed output check.
   *
   * @param output the output column
   * @param problem what is wrong
   * @param detail the value and the expectation, for people
   */
  public record Finding(String output, Problem problem, String detail) {}

  /**
   * Checks row {@code row} of the outputs.
   *
   * @return the first problem found, or empty when the row's answer may be used
   */
  public Optional<Finding> check(Map<String, Tensor> outputs, int row, int rows) {
    for (Tensor t : outputs.values()) {
      if (!t.type().isNumeric()) {
        continue;
      }
      int per = rows == 0 ? 0 : (int) (t.size() / rows);
      Range range = ranges.get(t.name());
      for (int j = row * per; j < (row + 1) * per; j++) {
        double d = element(t, j);
        if (!Double.isFinite(d)) {
          return Optional.of(new Finding(t.name(), Problem.NOT_FINITE, "got " + d));
        }
        if (range != null && !range.contains(d)) {
          return Optional.of(
              new Finding(
                  t.name(), Problem.OUT_OF_RANGE, "got " + d + ", expected a value in " + range));
        }
      }
    }
    if (confidence != null) {
      Tensor t = outputs.get(confidence);
      if (t != null && t.type().isNumeric()) {
        int per = rows == 0 ? 0 : (int) (t.size() / rows);
        double best = Double.NEGATIVE_INFINITY;
        for (int j = row * per; j < (row + 1) * per; j++) {
          best = Math.max(best, element(t, j));
        }
        if (best < minConfidence) {
          return Optional.of(
              new Finding(
                  confidence,
                  Problem.LOW_CONFIDENCE,
                  "confidence " + best + " is below the threshold " + minConfidence));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The rows whose answers fail a check, each with its first finding (the one {@link #check} gives
   * for that row), in row order. Walks each output once for all rows.
   */
  public List<Map.Entry<Integer, Finding>> failures(Map<String, Tensor> outputs, int rows) {
    if (rows == 0) {
      return List.of();
    }
    Finding[] found = null;
    for (Tensor t : outputs.values()) {
      if (!t.type().isNumeric()) {
        continue;
      }
      int per = (int) (t.size() / rows);
      Range range = ranges.get(t.name());
      double lo = range == null || range.min() == null ? Double.NEGATIVE_INFINITY : range.min();
      double hi = range == null || range.max() == null ? Double.POSITIVE_INFINITY : range.max();
      float[] floats = t.data() instanceof float[] f ? f : null; // the common case, read directly
      if (found == null && floats != null && allWithin(floats, rows * per, lo, hi)) {
        continue; // every value finite and in range: nothing to find row by row
      }
      for (int row = 0; row < rows; row++) {
        if (found != null && found[row] != null) {
          continue;
        }
        for (int j = row * per; j < (row + 1) * per; j++) {
          double d = floats != null ? floats[j] : element(t, j);
          Finding f = null;
          if (!Double.isFinite(d)) {
            f = new Finding(t.name(), Problem.NOT_FINITE, "got " + d);
          } else if (d < lo || d > hi) {
            f =
                new Finding(
                    t.name(), Problem.OUT_OF_RANGE, "got " + d + ", expected a value in " + range);
          }
          if (f != null) {
            if (found == null) {
              found = new Finding[rows];
            }
            found[row] = f;
            break;
          }
        }
      }
    }
    if (confidence != null) {
      Tensor t = outputs.get(confidence);
      if (t != null && t.type().isNumeric()) {
        int per = (int) (t.size() / rows);
        for (int row = 0; row < rows; row++) {
          if (found != null && found[row] != null) {
            continue;
          }
          double best = Double.NEGATIVE_INFINITY;
          for (int j = row * per; j < (row + 1) * per; j++) {
            best = Math.max(best, element(t, j));
          }
          if (best < minConfidence) {
            if (found == null) {
              found = new Finding[rows];
            }
            found[row] =
                new Finding(
                    confidence,
                    Problem.LOW_CONFIDENCE,
                    "confidence " + best + " is below the threshold " + minConfidence);
          }
        }
      }
    }
    if (found == null) {
      return List.of();
    }
    List<Map.Entry<Integer, Finding>> out = new ArrayList<>();
    for (int row = 0; row < rows; row++) {
      if (found[row] != null) {
        out.add(Map.entry(row, found[row]));
      }
    }
    return out;
  }

  /**
   * Whether the first {@code n} values are all finite and within [lo, hi]: one comparison pair per
   * value (NaN fails both), the scan the common case needs.
   */
  private static boolean allWithin(float[] values, int n, double lo, double hi) {
    float flo = (float) Math.max(lo, -Float.MAX_VALUE);
    float fhi = (float) Math.min(hi, Float.MAX_VALUE);
    if (flo != Math.max(lo, -Float.MAX_VALUE) || fhi != Math.min(hi, Float.MAX_VALUE)) {
      return false; // bounds a float cannot hold exactly: compare row by row in doubles
    }
    for (int j = 0; j < n; j++) {
      float v = values[j];
      if (!(v >= flo && v <= fhi)) {
        return false;
      }
    }
    return true;
  }

  /** Element {@code j} of a numeric tensor as a double, read without boxing where it can. */
  private static double element(Tensor t, int j) {
    Object data = t.data();
    if (data instanceof float[] f) {
      return f[j];
    }
    if (data instanceof double[] d) {
      return d[j];
    }
    Object v = t.get(j); // integers, unsigned ones included
    return v instanceof java.math.BigInteger b ? b.doubleValue() : ((Number) v).doubleValue();
  }
}
