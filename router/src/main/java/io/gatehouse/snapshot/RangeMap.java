package io.gatehouse.snapshot;

import java.util.Map;

/**
 * An immutable open-addressing hash table with string keys that is probed with a range of a longer
 * string ({@code s[from, to)}), so a lookup of a path segment or a host suffix allocates nothing.
 * At most half full; keys come from configuration, only the probes come from requests.
 */
final class RangeMap<V> {
  private final String[] keys;
  private final int[] hashes;
  private final Object[] values;
  private final int mask;

  RangeMap(Map<String, V> entries) {
    int capacity = 2;
    while (capacity < entries.size() * 2) {
      capacity <<= 1;
    }
    keys = new String[capacity];
    hashes = new int[capacity];
    values = new Object[capacity];
    mask = capacity - 1;
    for (Map.Entry<String, V> e : entries.entrySet()) {
      String k = e.getKey();
      int h = hash(k, 0, k.length());
      int i = h & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = k;
      hashes[i] = h;
      values[i] = e.getValue();
    }
  }

  int size() {
    int n = 0;
    for (String k : keys) {
      if (k != null) {
        n++;
      }
    }
    return n;
  }

  V get(String s) {
    return get(s, 0, s.length());
  }

  @SuppressWarnings("unchecked")
  V get(String s, int from, int to) {
    int len = to - from;
    int h = hash(s, from, to);
    int i = h & mask;
    String k;
    while ((k = keys[i]) != null) {
      if (hashes[i] == h && k.length() == len && k.regionMatches(0, s, from, len)) {
        return (V) values[i];
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private static int hash(String s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h ^ (h >>> 16);
  }
}
