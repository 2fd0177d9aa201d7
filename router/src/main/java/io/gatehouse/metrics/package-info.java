/**
 * Stage: observability. The node's Micrometer registry in Prometheus form: gauges read from the
 * snapshot holder and the certificate index, counters the TLS key manager feeds. Imports
 * Micrometer, the snapshot holder, the certificate stage, tls and JSpecify's null annotations;
 * nothing here is on a request's path but a counter.
 */
@NullMarked
package io.gatehouse.metrics;

import org.jspecify.annotations.NullMarked;
