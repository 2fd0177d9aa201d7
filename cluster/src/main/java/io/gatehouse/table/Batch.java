package io.gatehouse.table;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes applied all-or-nothing as one generation. A batch that changes nothing (every put equal to
 * what is stored, every delete of a missing key) consumes no generation.
 *
 * @param durable persisted to disk before the write is acknowledged; false for Kubernetes-derived
 *     entries, which are rebuilt from the API server
 */
public record Batch(List<Write> writes, boolean durable) {
  public Batch {
    writes = List.copyOf(writes);
    Set<EntryKey> seen = new HashSet<>();
    for (Write w : writes) {
      if (!seen.add(w.key())) {
        throw new IllegalArgumentException("key written twice in one batch: " + w.key());
      }
    }
  }

  public static Batch of(Write... writes) {
    return new Batch(List.of(writes), true);
  }
}
