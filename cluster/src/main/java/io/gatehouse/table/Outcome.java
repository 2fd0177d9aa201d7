package io.gatehouse.table;

import java.util.List;
import java.util.Map;

/** What a batch did: applied in one generation, or refused because a condition failed. */
public sealed interface Outcome {
  /**
   * @param generation the generation that contains the batch (the current one if it changed
   *     nothing)
   * @param revisions the revision of every key the batch wrote
   */
  record Applied(long generation, Map<EntryKey, Long> revisions) implements Outcome {
    public Applied {
      revisions = Map.copyOf(revisions);
    }
  }

  /** Nothing was written. */
  record Conflict(List<Mismatch> mismatches) implements Outcome {
    public Conflict {
      mismatches = List.copyOf(mismatches);
    }
  }

  /**
   * @param actualRevision 0 when the entry does not exist
   */
  record Mismatch(EntryKey key, long expectedRevision, long actualRevision) {}
}
