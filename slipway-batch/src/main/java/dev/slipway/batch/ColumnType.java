package dev.slipway.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The type of an output column in a typed sink (Parquet, tables), chosen from the first row
 * written: a column null in that row is text. Later values are converted to it when nothing is lost
 * (a whole number into a double column, anything into text); otherwise the job stops with an error
 * naming the column.
 */
enum ColumnType {
  INT32,
  INT64,
  /** Kept as float (models answer float32): widening would print 0.015381964854896069. */
  FLOAT,
  DOUBLE,
  BOOLEAN,
  STRING,
  TIMESTAMP;

  static ColumnType of(Object v) {
    if (v instanceof Integer) {
      return INT32;
    }
    if (v instanceof Long || v instanceof Short || v instanceof Byte) {
      return INT64;
    }
    if (v instanceof Float) {
      return FLOAT;
    }
    if (v instanceof Double) {
      return DOUBLE;
    }
    if (v instanceof Boolean) {
      return BOOLEAN;
    }
    if (v instanceof Instant) {
      return TIMESTAMP;
    }
    return STRING;
  }

  static List<String> of(Map<String, Object> row) {
    List<String> types = new ArrayList<>(row.size());
    for (Object v : row.values()) {
      types.add(of(v).name());
    }
    return types;
  }

  /**
   * The value as this type's Java value: Integer, Long, Double, Boolean, String, or Instant.
   *
   * @throws IllegalStateException naming the column when the value does not fit
   */
  Object convert(String column, Object v) {
    if (v == null) {
      return null;
    }
    switch (this) {
      case STRING:
        return v.toString();
      case DOUBLE:
        if (v instanceof Number) {
          return ((Number) v).doubleValue();
        }
        break;
      case FLOAT:
        if (v instanceof Float) {
          return v;
        }
        if (v instanceof Number && ((Number) v).floatValue() == ((Number) v).doubleValue()) {
          return ((Number) v).floatValue();
        }
        break;
      case INT64:
      case INT32:
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
          long l = ((Number) v).longValue();
          if (this == INT64) {
            return l;
          }
          if (l == (int) l) {
            return (int) l;
          }
        }
        break;
      case BOOLEAN:
        if (v instanceof Boolean) {
          return v;
        }
        break;
      case TIMESTAMP:
        if (v instanceof Instant) {
          return v;
        }
        break;
      default:
        break;
    }
    throw new IllegalStateException(
        "column " + column + " is " + this + " (from the first row) but a row has " + v);
  }
}
