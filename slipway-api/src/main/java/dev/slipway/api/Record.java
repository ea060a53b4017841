package dev.slipway.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One row of named values. Values are {@code null}, {@link Boolean}, {@link Long}, {@link Double},
 * {@link String} or {@link java.math.BigInteger} (for unsigned 64-bit values over Long.MAX_VALUE);
 * {@link #of} normalises other numbers to these. Immutable and thread-safe.
 */
public final class Record {
  private final Map<String, Object> values;

  private Record(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  /** A record holding a normalised copy of the given values, in their iteration order. */
  public static Record of(Map<String, ?> values) {
    Map<String, Object> copy = new LinkedHashMap<>(values.size() * 2);
    values.forEach((k, v) -> copy.put(k, normalise(v)));
    return new Record(copy);
  }

  static Object normalise(Object v) {
    if (v == null || v instanceof Boolean || v instanceof String || v instanceof Long) {
      return v;
    }
    if (v instanceof Double) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof java.math.BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    if (v instanceof java.math.BigDecimal d) {
      return d.doubleValue();
    }
    if (v instanceof CharSequence s) {
      return s.toString();
    }
    throw new IllegalArgumentException("unsupported value type " + v.getClass().getName());
  }

  public Object get(String name) {
    return values.get(name);
  }

  public boolean has(String name) {
    return values.containsKey(name) && values.get(name) != null;
  }

  public Set<String> names() {
    return values.keySet();
  }

  public Map<String, Object> asMap() {
    return values;
  }

  /** A record with the given values added or replaced. */
  public Record with(Map<String, ?> more) {
    if (more.isEmpty()) {
      return this;
    }
    Map<String, Object> copy = new LinkedHashMap<>(values);
    more.forEach((k, v) -> copy.put(k, normalise(v)));
    return new Record(copy);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Record r && values.equals(r.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
