/**
 * Stage: observability. The node's Micrometer registry in Prometheus form: gauges read from the
 * snapshot holder and the certificate index, counters the TLS key manager feeds, and the exchange
 * observer that counts the proxy's traffic (labels from the snapshot and a capped backend set,
 * never from a request). Imports Micrometer, Prometheus' client model, the observer contract,
 * endpoint keys, the snapshot holder, the certificate stage, tls and JSpecify's null annotations.
 */
@NullMarked
package io.gatehouse.metrics;

import org.jspecify.annotations.NullMarked;
