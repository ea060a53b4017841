package dev.slipway.api.codec;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Prediction;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns column tensors into rows and back. Stateless. */
public final class Columns {
  private Columns() {}

  /**
   * Rows from input columns: each tensor must have shape {@code [n]} or {@code [n, 1]} and all the
   * same {@code n}.
   *
   * @param fieldPrefix how to name a tensor in an error, e.g. {@code "inputs"}
   */
  public static List<Record> toRecords(List<Tensor> columns, String fieldPrefix) {
    int n = -1;
    for (int k = 0; k < columns.size(); k++) {
      Tensor t = columns.get(k);
      long[] s = t.shape();
      boolean column = s.length == 1 || (s.length == 2 && s[1] == 1);
      if (!column) {
        throw InvalidInputException.of(
            fieldPrefix + "[" + k + "].shape",
            java.util.Arrays.toString(s),
            "[n] or [n, 1]: one value per row for input '" + t.name() + "'");
      }
      if (n >= 0 && s[0] != n) {
        throw InvalidInputException.of(
            fieldPrefix + "[" + k + "].shape",
            java.util.Arrays.toString(s),
            "the same number of rows (" + n + ") as the other inputs");
      }
      n = (int) s[0];
    }
    List<Record> rows = new ArrayList<>(Math.max(n, 0));
    for (int i = 0; i < n; i++) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (Tensor t : columns) {
        values.put(t.name(), t.get(i));
      }
      rows.add(Record.of(values));
    }
    return rows;
  }

  /**
   * One prediction per row from output columns: a tensor of shape {@code [n]} gives a scalar, one
   * of shape {@code [n, k]} a list of {@code k} values.
   */
  public static List<Prediction> toPredictions(Map<String, Tensor> outputs, int n) {
    List<Map<String, Object>> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(new LinkedHashMap<>());
    }
    for (Tensor t : outputs.values()) {
      long total = t.size();
      int width = n == 0 ? 0 : (int) (total / n);
      for (int i = 0; i < n; i++) {
        if (width == 1) {
          rows.get(i).put(t.name(), t.get(i));
        } else {
          List<Object> values = new ArrayList<>(width);
          for (int j = 0; j < width; j++) {
            values.add(t.get(i * width + j));
          }
          rows.get(i).put(t.name(), values);
        }
      }
    }
    return rows.stream().map(Prediction::new).toList();
  }
}
