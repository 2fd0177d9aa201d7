package io.gatehouse.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Whether an entry may be written while members of different releases share the table. A release
 * that cannot read an entry's payload format fails on it (the release before this gate threw out of
 * its reload), so an entry is written only in a format every current member reads; until then the
 * write is refused ({@link Outcome.NotUpgraded}) and nothing of its batch is written. A pure
 * function of what the members advertise and what the entries need.
 */
public final class FormatGate {
  /** The newest entry payload format this release reads (the codec writes no newer one). */
  public static final int READS = 13;

  /**
   * What a member that advertises no format reads: the releases before the gate read format 1 only.
   */
  public static final int UNADVERTISED = 1;

  private FormatGate() {}

  /** The members that cannot read format {@code needed}; empty when every one can. */
  public static List<MemberInfo> cannotRead(List<MemberInfo> members, int needed) {
    List<MemberInfo> out = new ArrayList<>();
    for (MemberInfo m : members) {
      if (m.readsFormat() < needed) {
        out.add(m);
      }
    }
    return out;
  }

  /** The lowest format every one of {@code members} reads. */
  public static int readByAll(List<MemberInfo> members) {
    int lowest = Integer.MAX_VALUE;
    for (MemberInfo m : members) {
      lowest = Math.min(lowest, m.readsFormat());
    }
    return lowest == Integer.MAX_VALUE ? READS : lowest;
  }

  /**
   * The refusal of writing entries that need the formats {@code needed}, or null when every member
   * reads each of them.
   */
  public static Outcome.@Nullable NotUpgraded check(
      List<MemberInfo> members, Map<EntryKey, Integer> needed) {
    int lowest = readByAll(members);
    Map<EntryKey, Integer> refused = new TreeMap<>();
    int highest = 0;
    for (Map.Entry<EntryKey, Integer> e : needed.entrySet()) {
      if (e.getValue() > lowest) {
        refused.put(e.getKey(), e.getValue());
        highest = Math.max(highest, e.getValue());
      }
    }
    if (refused.isEmpty()) {
      return null;
    }
    return new Outcome.NotUpgraded(
        highest, List.copyOf(refused.keySet()), cannotRead(members, highest));
  }
}
