/**
 * Access control's services on a node: what the compiled access filters (package {@code policy},
 * pure Java) borrow to do I/O or keep state across snapshots: the forward-auth client, JWK Set
 * fetches, the pool that checks password hashes off the event loop, rate-limit buckets and their
 * cluster-wide counters. The node builds one {@link io.gatehouse.access.AccessServices} and hands
 * it to the snapshot compiler.
 */
@NullMarked
package io.gatehouse.access;

import org.jspecify.annotations.NullMarked;
