/**
 * Stage: snapshot. Compiles a table view (incrementally, from the delta the table hands over) into
 * one immutable routing snapshot and publishes it atomically, feeding the routes' endpoints into
 * the node's endpoint index first; the same lookup traced step by step answers explain. Pure Java
 * over the table's views, the model, validate, the endpoint index, policy (each route's filter
 * chain is compiled with it), RE2/J and JSpecify's null annotations; no Vert.x types, so it runs
 * off the event loop.
 *
 * <p>Matching follows Kubernetes Ingress: a host selects one level (exact host, else a {@code
 * *.suffix} wildcard covering exactly one label, else routes without hosts; no fall-through between
 * levels). Paths are case-sensitive: Exact first, then Prefix by whole segments, longest first,
 * then RE2 regular expressions matched against the whole path. {@code ImplementationSpecific} is
 * treated exactly as {@code Prefix}. Candidates at the same level are ordered by priority (high
 * first), then number of conditions (more first), then route key.
 */
@NullMarked
package io.gatehouse.snapshot;

import org.jspecify.annotations.NullMarked;
