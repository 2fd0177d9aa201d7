/**
 * Stage: table. The route table every source writes to and every node compiles from. Holds only
 * validated specs. The Hazelcast-backed table will be the one package here that imports
 * com.hazelcast.
 */
package io.gatehouse.table;
