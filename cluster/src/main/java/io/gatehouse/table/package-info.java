/**
 * Stage: table. The route table every source writes to and every node compiles from: batches of
 * validated specs, the generations and the delta each hands the compiler, and the format gate that
 * keeps a mixed-release cluster writing only what every member reads. Imports the model,
 * PCollections and the JDK; Hazelcast stays in {@code table.hazelcast}, JSON in {@code
 * table.codec}, the disk in {@code table.store}.
 */
@NullMarked
package io.gatehouse.table;

import org.jspecify.annotations.NullMarked;
