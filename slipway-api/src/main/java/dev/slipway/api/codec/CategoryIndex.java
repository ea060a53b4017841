package dev.slipway.api.codec;

import java.util.Map;

/**
 * A field's categories and their indicator columns, for the lookup every categorical value of every
 * record makes while it is encoded. An open-addressing table of the categories with their cached
 * hashes: a lookup is one hash, usually one probe, and an identity or hash comparison before any
 * {@link String#equals}; no boxed {@link Integer} and no map node. Immutable once built.
 */
final class CategoryIndex {
  private final String[] keys;
  private final int[] hashes;
  private final int[] columns;
  private final int mask;

  /**
   * @param columns each category's indicator column (0 or more)
   */
  CategoryIndex(Map<String, Integer> columns) {
    int capacity = Integer.highestOneBit(Math.max(4, columns.size() * 2 + 1)) << 1;
    this.keys = new String[capacity];
    this.hashes = new int[capacity];
    this.columns = new int[capacity];
    this.mask = capacity - 1;
    for (Map.Entry<String, Integer> e : columns.entrySet()) {
      String key = e.getKey();
      int h = key.hashCode();
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
    int h = category.hashCode();
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

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
