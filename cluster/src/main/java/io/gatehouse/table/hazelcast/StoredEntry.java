package io.gatehouse.table.hazelcast;

import org.jspecify.annotations.Nullable;

/**
 * An entry as Hazelcast holds it: the version envelope in Compact fields (readable by the merge
 * policy without the model), the payload as versioned JSON.
 *
 * @param payload null for a tombstone
 */
record StoredEntry(
    String key,
    long revision,
    long sequence,
    int batchSize,
    @Nullable String payload,
    boolean durable) {}
