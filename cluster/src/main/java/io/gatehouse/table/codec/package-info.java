/**
 * Table stage, serialisation: the versioned JSON form of entry payloads, shared by the Hazelcast
 * values and the disk store. Imports the model and Jackson; nothing else.
 */
package io.gatehouse.table.codec;
