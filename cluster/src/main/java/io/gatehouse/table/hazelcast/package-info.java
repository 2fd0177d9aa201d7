/**
 * Table stage, replication: the route table in Hazelcast maps, materialised on every node. The only
 * package of the project that imports {@code com.hazelcast}.
 */
@NullMarked
package io.gatehouse.table.hazelcast;

import org.jspecify.annotations.NullMarked;
