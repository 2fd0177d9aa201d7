package io.gatehouse.table.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * When a partitioned cluster heals, each entry keeps the copy with the higher revision; on equal
 * revisions the tombstone wins, then the lexically larger payload, so every member decides alike.
 * The clock keeps the larger of each counter. Hazelcast instantiates it by class name.
 */
public final class RevisionMergePolicy
    implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

  @Override
  public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
    if (existing == null) {
      return merging.getRawValue();
    }
    Object m = merging.getValue();
    Object e = existing.getValue();
    if (m instanceof StoredEntry a && e instanceof StoredEntry b) {
      return wins(a, b) ? merging.getRawValue() : existing.getRawValue();
    }
    if (m instanceof String a && e instanceof String b && a.startsWith(Clock.PREFIX)) {
      return Clock.parse(a).max(Clock.parse(b)).encode();
    }
    return existing.getRawValue();
  }

  static boolean wins(StoredEntry a, StoredEntry b) {
    if (a.revision() != b.revision()) {
      return a.revision() > b.revision();
    }
    String aPayload = a.payload();
    String bPayload = b.payload();
    if (aPayload == null || bPayload == null) {
      // Equal revisions keep the tombstone; two tombstones are equal.
      return aPayload == null && bPayload != null;
    }
    return aPayload.compareTo(bPayload) > 0;
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
