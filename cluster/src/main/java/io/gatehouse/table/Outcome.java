package io.gatehouse.table;

import java.util.List;
import java.util.Map;

/**
 * What a batch did: applied in one generation, refused because a condition failed, or refused
 * because some member cannot read what it would write.
 */
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
   * Nothing was written: {@code keys} need entry format {@code format} (the highest among them),
   * which {@code members} cannot read. Written once every member reads it: when those members leave
   * or are upgraded.
   */
  record NotUpgraded(int format, List<EntryKey> keys, List<MemberInfo> members) implements Outcome {
    public NotUpgraded {
      keys = List.copyOf(keys);
      members = List.copyOf(members);
    }
  }

  /**
   * @param actualRevision 0 when the entry does not exist
   */
  record Mismatch(EntryKey key, long expectedRevision, long actualRevision) {}
}
