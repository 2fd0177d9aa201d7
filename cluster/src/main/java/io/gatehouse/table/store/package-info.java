/**
 * Table stage, durability: each node's copy of the durable entries on its own disk (SQLite).
 * Imports the table API, its codec and JDBC; nothing else.
 */
@NullMarked
package io.gatehouse.table.store;

import org.jspecify.annotations.NullMarked;
