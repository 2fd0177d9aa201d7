package io.gatehouse.snapshot;

import io.gatehouse.model.BackendSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiler's bookkeeping of backend indexes: which index each distinct backend has and how many
 * compiled routes use it. Mutable and private to one compiler; readers only see the array a
 * snapshot copies out of it. An index keeps its number while any route uses it, so an endpoint
 * change rewrites one entry and no compiled route.
 */
final class BackendIndex {
  private final List<BackendSpec> specs = new ArrayList<>();
  private final Map<BackendSpec, Integer> byBackend = new HashMap<>();
  private int[] refs = new int[16];

  /** Indexes no route uses; the lowest is reused first so the array stays compact. */
  private final BitSet free = new BitSet();

  /** Indexes released in this compile; freed at {@link #finish} if no route took them back. */
  private final BitSet released = new BitSet();

  /** Indexes whose backend changed in this compile. */
  private final BitSet changed = new BitSet();

  /** The bookkeeping of a snapshot built by another compiler: O(routes + backends). */
  static BackendIndex of(RouteSnapshot snapshot) {
    BackendIndex b = new BackendIndex();
    BackendSpec[] specs = snapshot.backendArray();
    b.refs = new int[Math.max(16, specs.length)];
    for (int i = 0; i < specs.length; i++) {
      b.specs.add(specs[i]);
      if (specs[i] == null) {
        b.free.set(i);
      } else {
        b.byBackend.put(specs[i], i);
      }
    }
    for (CompiledRoute r : snapshot.routeArray()) {
      b.refs[r.backendIndex()]++;
    }
    return b;
  }

  /** The index of {@code backend} for one more route; a new backend takes a free index. */
  int acquire(BackendSpec backend) {
    Integer i = byBackend.get(backend);
    if (i == null) {
      i = free.isEmpty() ? specs.size() : free.nextSetBit(0);
      if (i == specs.size()) {
        specs.add(backend);
      } else {
        specs.set(i, backend);
        free.clear(i);
      }
      if (i >= refs.length) {
        refs = Arrays.copyOf(refs, refs.length * 2);
      }
      byBackend.put(backend, i);
      changed.set(i);
    }
    refs[i]++;
    return i;
  }

  /** One route stops using index {@code i}. */
  void release(int i) {
    if (--refs[i] == 0) {
      released.set(i);
    }
  }

  int routes(int i) {
    return refs[i];
  }

  BackendSpec backend(int i) {
    return specs.get(i);
  }

  boolean contains(BackendSpec backend) {
    return byBackend.containsKey(backend);
  }

  /**
   * Every route of index {@code i} now uses {@code next} (an endpoint change); the index and so
   * every compiled route stay as they are. {@code next} must not have an index yet.
   */
  void replace(int i, BackendSpec next) {
    byBackend.remove(specs.get(i));
    specs.set(i, next);
    byBackend.put(next, i);
    changed.set(i);
  }

  /** Frees what no route uses any more; the snapshot's copy of the backends by index. */
  BackendSpec[] finish() {
    for (int i = released.nextSetBit(0); i >= 0; i = released.nextSetBit(i + 1)) {
      if (refs[i] == 0 && specs.get(i) != null) {
        byBackend.remove(specs.get(i));
        specs.set(i, null);
        free.set(i);
        changed.set(i);
      }
    }
    released.clear();
    return specs.toArray(new BackendSpec[0]);
  }

  /** The indexes changed since the last call. */
  int[] takeChanged() {
    int[] out = changed.stream().toArray();
    changed.clear();
    return out;
  }
}
