package io.gatehouse.table.hazelcast;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * Compact, so a later release may add fields (Compact keeps a schema per version and reads missing
 * fields through {@code getFieldKind}); the type name is fixed forever.
 */
final class StoredEntrySerializer implements CompactSerializer<StoredEntry> {
  @Override
  public StoredEntry read(CompactReader in) {
    return new StoredEntry(
        in.readString("key"),
        in.readInt64("revision"),
        in.readInt64("sequence"),
        in.readInt32("batchSize"),
        in.readString("payload"),
        in.readBoolean("durable"));
  }

  @Override
  public void write(CompactWriter out, StoredEntry e) {
    out.writeString("key", e.key());
    out.writeInt64("revision", e.revision());
    out.writeInt64("sequence", e.sequence());
    out.writeInt32("batchSize", e.batchSize());
    out.writeString("payload", e.payload());
    out.writeBoolean("durable", e.durable());
  }

  @Override
  public String getTypeName() {
    return "gatehouse.entry";
  }

  @Override
  public Class<StoredEntry> getCompactClass() {
    return StoredEntry.class;
  }
}
