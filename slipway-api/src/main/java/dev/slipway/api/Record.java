package dev.slipway.api;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * One row of named values. Values are {@code null}, {@link Boolean}, {@link Long}, {@link Double},
 * {@link String} or {@link java.math.BigInteger} (for unsigned 64-bit values over Long.MAX_VALUE);
 * {@link #of} normalises other numbers to these. Immutable and thread-safe.
 *
 * <p>Names and values are kept in two arrays in the order they were given, so that code reading
 * many records with the same layout (a codec, the input checks) can read a value by position: see
 * {@link #size}, {@link #nameAt} and {@link #valueAt}. {@link #get} scans the names of a small
 * record and uses an index, built once, for a wide one.
 */
public final class Record {
  /** Wider records get a name index for {@link #get}; narrower ones are scanned. */
  private static final int SCAN_LIMIT = 12;

  private final String[] names;
  private final Object[] values;
  // built on first use for wide records; immutable once published (a benign race builds it twice)
  private Map<String, Integer> index;

  private Record(String[] names, Object[] values) {
    this.names = names;
    this.values = values;
  }

  /** A record holding a normalised copy of the given values, in their iteration order. */
  public static Record of(Map<String, ?> values) {
    int n = values.size();
    String[] names = new String[n];
    Object[] vals = new Object[n];
    int i = 0;
    for (Map.Entry<String, ?> e : values.entrySet()) {
      names[i] = e.getKey();
      vals[i] = normalise(e.getValue());
      i++;
    }
    if (i != n) {
      throw new IllegalArgumentException("the map changed while it was copied");
    }
    return new Record(names, vals);
  }

  /**
   * A record of the given fields in order, values normalised as {@link #of(Map)} does: the fast way
   * for a reader that has each row's names and values in arrays. The arrays are not copied (the
   * values array is normalised in place): the caller hands them over.
   *
   * @throws IllegalArgumentException when the lengths differ or a name is null or repeated
   */
  public static Record of(String[] names, Object[] values) {
    if (names.length != values.length) {
      throw new IllegalArgumentException(names.length + " names for " + values.length + " values");
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i] == null) {
        throw new IllegalArgumentException("field " + i + " has no name");
      }
      for (int j = 0; j < i; j++) {
        if (names[j].equals(names[i])) {
          throw new IllegalArgumentException("field " + names[i] + " is named twice");
        }
      }
      values[i] = normalise(values[i]);
    }
    return new Record(names, values);
  }

  /**
   * Field names checked once — none null, none repeated — for reading many records of that layout
   * (the rows of one file): {@link #record} skips the per-record check of {@link #of(String[],
   * Object[])}, and the records share one names array. Immutable and thread-safe.
   */
  public static final class Layout {
    private final String[] names;

    private Layout(String[] names) {
      this.names = names;
    }

    /**
     * @throws IllegalArgumentException when a name is null or repeated
     */
    public static Layout of(String... names) {
      String[] copy = names.clone();
      Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < copy.length; i++) {
        if (copy[i] == null) {
          throw new IllegalArgumentException("field " + i + " has no name");
        }
        if (!seen.add(copy[i])) {
          throw new IllegalArgumentException("field " + copy[i] + " is named twice");
        }
        // interned once here, as parsers intern field names: a codec that interns its own finds
        // each field by an identity comparison instead of comparing the text on every row
        copy[i] = copy[i].intern();
      }
      return new Layout(copy);
    }

    /** The number of names. */
    public int size() {
      return names.length;
    }

    /** Whether the first {@code n} of {@code names} are exactly this layout's names, in order. */
    public boolean hasNames(String[] names, int n) {
      if (n != this.names.length) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (names[i] != this.names[i] && !this.names[i].equals(names[i])) {
          return false;
        }
      }
      return true;
    }

    /**
     * A record of the first {@code values.length} names with these values, normalised as {@link
     * Record#of(Map)} does. The values array is not copied (it is normalised in place): the caller
     * hands it over.
     *
     * @throws IllegalArgumentException when there are more values than names
     */
    public Record record(Object[] values) {
      int n = values.length;
      if (n > names.length) {
        throw new IllegalArgumentException(names.length + " names for " + n + " values");
      }
      for (int i = 0; i < n; i++) {
        values[i] = normalise(values[i]);
      }
      return new Record(n == names.length ? names : Arrays.copyOf(names, n), values);
    }
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

  /** The value of a field; null when the field is absent or null. */
  public Object get(String name) {
    int i = position(name);
    return i < 0 ? null : values[i];
  }

  /** The position of a field in this record, or -1 when it is absent. */
  public int position(String name) {
    String[] ns = names;
    if (ns.length <= SCAN_LIMIT) {
      for (int i = 0; i < ns.length; i++) {
        if (ns[i] == name) {
          return i;
        }
      }
      for (int i = 0; i < ns.length; i++) {
        if (ns[i].equals(name)) {
          return i;
        }
      }
      return -1;
    }
    Map<String, Integer> idx = index;
    if (idx == null) {
      idx = new HashMap<>(ns.length * 2);
      for (int i = 0; i < ns.length; i++) {
        idx.put(ns[i], i);
      }
      index = idx;
    }
    Integer i = idx.get(name);
    return i == null ? -1 : i;
  }

  public boolean has(String name) {
    return get(name) != null;
  }

  /** The number of fields, null ones included. */
  public int size() {
    return names.length;
  }

  /** The name of the field at a position, {@code 0 <= i < size()}. */
  public String nameAt(int i) {
    return names[i];
  }

  /** The value of the field at a position, {@code 0 <= i < size()}. */
  public Object valueAt(int i) {
    return values[i];
  }

  /** The field names, in order. */
  public Set<String> names() {
    return asMap().keySet();
  }

  /** An unmodifiable view of the fields, in order. */
  public Map<String, Object> asMap() {
    return new View();
  }

  /** A record with the given values added or replaced. */
  public Record with(Map<String, ?> more) {
    if (more.isEmpty()) {
      return this;
    }
    Map<String, Object> copy = new LinkedHashMap<>(asMap());
    more.forEach((k, v) -> copy.put(k, normalise(v)));
    return of(copy);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Record r)) {
      return false;
    }
    if (Arrays.equals(names, r.names)) {
      return Arrays.equals(values, r.values);
    }
    return asMap().equals(r.asMap());
  }

  @Override
  public int hashCode() {
    return asMap().hashCode();
  }

  @Override
  public String toString() {
    return asMap().toString();
  }

  /** The record as a map: reads go to the arrays. */
  private final class View extends AbstractMap<String, Object> {
    @Override
    public Object get(Object key) {
      return key instanceof String s ? Record.this.get(s) : null;
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String s && position(s) >= 0;
    }

    @Override
    public int size() {
      return names.length;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return names.length;
        }

        @Override
        public Iterator<Map.Entry<String, Object>> iterator() {
          return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
              return i < names.length;
            }

            @Override
            public Map.Entry<String, Object> next() {
              if (i >= names.length) {
                throw new NoSuchElementException();
              }
              Map.Entry<String, Object> e = new SimpleImmutableEntry<>(names[i], values[i]);
              i++;
              return e;
            }
          };
        }
      };
    }
  }
}
