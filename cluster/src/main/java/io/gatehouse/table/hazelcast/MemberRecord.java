package io.gatehouse.table.hazelcast;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/** What a member publishes about itself in the members map. */
record MemberRecord(
    String address, long servedGeneration, long startedEpochMillis, String version) {
  static final class Serializer implements CompactSerializer<MemberRecord> {
    @Override
    public MemberRecord read(CompactReader in) {
      return new MemberRecord(
          in.readString("address"),
          in.readInt64("servedGeneration"),
          in.readInt64("startedEpochMillis"),
          in.readString("version"));
    }

    @Override
    public void write(CompactWriter out, MemberRecord m) {
      out.writeString("address", m.address());
      out.writeInt64("servedGeneration", m.servedGeneration());
      out.writeInt64("startedEpochMillis", m.startedEpochMillis());
      out.writeString("version", m.version());
    }

    @Override
    public String getTypeName() {
      return "gatehouse.member";
    }

    @Override
    public Class<MemberRecord> getCompactClass() {
      return MemberRecord.class;
    }
  }
}
