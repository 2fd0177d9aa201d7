package io.gatehouse.health;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this node knows about one endpoint (host and port), whichever backends list it: the passive
 * counters every event loop bumps (atomics, node-wide), and the ejection and active verdict the
 * registry guards with its lock. Readers on event loops read {@link #unavailable} only.
 */
final class EndpointHealth {
  final String host;
  final int port;

  /** 5xx answers and gateway errors in a row. */
  final AtomicInteger consecutive5xx = new AtomicInteger();

  /** Connect failures, resets and timeouts before the head, in a row. */
  final AtomicInteger consecutiveGatewayErrors = new AtomicInteger();

  /** Ejected or failing its active check: what {@code Availability} answers. */
  volatile boolean unavailable;

  // Guarded by the registry's lock.
  boolean ejected;
  long ejectedUntilNanos;
  long expiresEpochMillis;
  String reason = "";

  /** The member whose ejection this is; empty for this node's own. */
  String ejectedBy = "";

  /** How many times this node ejected it; the next ejection lasts one base time longer. */
  int ejections;

  long decayIntervalNanos;
  long lastDecayNanos;

  /** The active checks' verdict (this node's prober's, or the probing member's). */
  boolean healthy = true;

  EndpointHealth(String host, int port) {
    this.host = host;
    this.port = port;
  }

  String authority() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  void resetCounters() {
    consecutive5xx.set(0);
    consecutiveGatewayErrors.set(0);
  }
}
