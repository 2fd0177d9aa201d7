package io.gatehouse.snapshot;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

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
  private final int size;

  RangeMap(Map<String, V> entries) {
    int capacity = 2;
    while (capacity < entries.size() * 2) {
      capacity <<= 1;
    }
    keys = new String[capacity];
    hashes = new int[capacity];
    values = new Object[capacity];
    mask = capacity - 1;
    size = entries.size();
    for (Map.Entry<String, V> e : entries.entrySet()) {
      String k = e.getKey();
      insert(k, hash(k, 0, k.length()), e.getValue());
    }
  }

  private RangeMap(RangeMap<V> from, int size) {
    keys = from.keys.clone();
    hashes = from.hashes.clone();
    values = from.values.clone();
    mask = from.mask;
    this.size = size;
  }

  int size() {
    return size;
  }

  @Nullable V get(String s) {
    return get(s, 0, s.length());
  }

  @SuppressWarnings("unchecked")
  @Nullable V get(String s, int from, int to) {
    int i = find(s, from, to, hash(s, from, to));
    return i < 0 ? null : (V) values[i];
  }

  @SuppressWarnings("unchecked")
  void forEach(BiConsumer<String, V> action) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        action.accept(keys[i], (V) values[i]);
      }
    }
  }

  /**
   * A copy with {@code changes} applied, a null value removing its key; this map is unchanged. Only
   * the changed keys are hashed unless the table must grow or shrink.
   */
  RangeMap<V> with(Map<String, @Nullable V> changes) {
    if (changes.isEmpty()) {
      return this;
    }
    int next = size;
    for (Map.Entry<String, V> e : changes.entrySet()) {
      boolean present = get(e.getKey()) != null;
      if (e.getValue() == null && present) {
        next--;
      } else if (e.getValue() != null && !present) {
        next++;
      }
    }
    if (next * 2 > keys.length || (keys.length > 64 && next * 8 < keys.length)) {
      Map<String, V> all = new HashMap<>(next * 2);
      forEach(all::put);
      changes.forEach(
          (k, v) -> {
            if (v == null) {
              all.remove(k);
            } else {
              all.put(k, v);
            }
          });
      return new RangeMap<>(all);
    }
    RangeMap<V> copy = new RangeMap<>(this, next);
    changes.forEach(copy::set);
    return copy;
  }

  /** Only on a fresh copy inside {@link #with}. */
  private void set(String k, @Nullable V v) {
    int h = hash(k, 0, k.length());
    int i = find(k, 0, k.length(), h);
    if (v != null) {
      if (i >= 0) {
        values[i] = v;
      } else {
        insert(k, h, v);
      }
    } else if (i >= 0) {
      delete(i);
    }
  }

  private void insert(String k, int h, Object v) {
    int i = h & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = k;
    hashes[i] = h;
    values[i] = v;
  }

  /**
   * Backward-shift deletion: later entries of the probe run move up so lookups never stop early.
   */
  private void delete(int i) {
    int hole = i;
    clear(hole);
    for (int j = (hole + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
      int home = hashes[j] & mask;
      // The entry at j stays unless the hole lies cyclically in [home, j).
      boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!stays) {
        keys[hole] = keys[j];
        hashes[hole] = hashes[j];
        values[hole] = values[j];
        clear(j);
        hole = j;
      }
    }
  }

  private void clear(int i) {
    keys[i] = null;
    hashes[i] = 0;
    values[i] = null;
  }

  private int find(String s, int from, int to, int h) {
    int len = to - from;
    int i = h & mask;
    String k;
    while ((k = keys[i]) != null) {
      if (hashes[i] == h && k.length() == len && k.regionMatches(0, s, from, len)) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  private static int hash(String s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h ^ (h >>> 16);
  }
}
