/**
 * Stage: observability. The node's Micrometer registry in Prometheus form: gauges read from the
 * snapshot holder and the certificate index, counters the TLS key manager feeds. Imports
 * Micrometer, the snapshot holder, the certificate stage and tls; nothing here is on a request's
 * path but a counter.
 */
package io.gatehouse.metrics;
