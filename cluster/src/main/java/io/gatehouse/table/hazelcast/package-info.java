/**
 * Table stage, replication: the route table in Hazelcast maps, materialised on every node. The only
 * package of the project that imports {@code com.hazelcast}.
 */
package io.gatehouse.table.hazelcast;
