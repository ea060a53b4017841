package dev.slipway.api.codec;

import java.util.Map;

/**
 * A field's categories and their indicator columns, for the lookup every categorical value of every
 * record makes while it is encoded. An open-addressing table of the categories with their cached
 * hashes: a lookup is one hash, usually one probe, and an identity or hash comparison before any
 * {@link String#equals}; no boxed {@link Integer} and no map node. Immutable once built.
 *
 * <p>The values looked up are new strings, read from a request or a file, whose {@link
 * String#hashCode} is computed afresh for each: a loop over every character that was 6 % of a batch
 * job's scoring. When the categories' lengths and first, middle and last characters already tell
 * them apart (true of most vocabularies: device types, country codes, sizes), the hash is taken
 * from those alone; otherwise from the whole string. Either way {@link String#equals} decides.
 */
final class CategoryIndex {
  private final String[] keys;
  private final int[] hashes;
  private final int[] columns;
  private final int mask;
  private final boolean sampled; // the hash of the length and three characters, not hashCode

  /**
   * @param columns each category's indicator column (0 or more)
   */
  CategoryIndex(Map<String, Integer> columns) {
    int capacity = Integer.highestOneBit(Math.max(4, columns.size() * 2 + 1)) << 1;
    this.keys = new String[capacity];
    this.hashes = new int[capacity];
    this.columns = new int[capacity];
    this.mask = capacity - 1;
    java.util.Set<Integer> samples = new java.util.HashSet<>();
    for (String key : columns.keySet()) {
      samples.add(sample(key));
    }
    this.sampled = samples.size() == columns.size();
    for (Map.Entry<String, Integer> e : columns.entrySet()) {
      String key = e.getKey();
      int h = hash(key);
      int i = spread(h) & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = key;
      hashes[i] = h;
      this.columns[i] = e.getValue();
    }
  }

  /** The indicator column of {@code category}, or -1 when the field has no such category. */
  int column(String category) {
    int h = hash(category);
    int i = spread(h) & mask;
    String k;
    while ((k = keys[i]) != null) {
      if (k == category || (hashes[i] == h && k.equals(category))) {
        return columns[i];
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  private int hash(String s) {
    return sampled ? sample(s) : s.hashCode();
  }

  /** A hash of a string's length and its first, middle and last characters. */
  private static int sample(String s) {
    int n = s.length();
    if (n == 0) {
      return 0;
    }
    return ((n * 31 + s.charAt(0)) * 31 + s.charAt(n >> 1)) * 31 + s.charAt(n - 1);
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
