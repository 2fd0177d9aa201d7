/**
 * Table stage, serialisation: the versioned JSON form of entry payloads, shared by the Hazelcast
 * values and the disk store, so a node reads back what any member wrote. Imports the model, the
 * table's entry kinds and format gate, and Jackson; nothing else.
 */
@NullMarked
package io.gatehouse.table.codec;

import org.jspecify.annotations.NullMarked;
