package io.gatehouse.model.backend;

/**
 * The most one node opens to a backend at once. A request over a limit is answered 503 at once with
 * the reason (never queued without bound) and counted. The limits are per node, as Envoy's are per
 * proxy: N nodes allow N times as much.
 *
 * @param maxConnections HTTP/1.1 connections open to the backend's endpoints (idle and busy)
 * @param maxPendingRequests requests waiting for a connection while {@code maxConnections} are busy
 * @param maxRequests requests in flight to the backend (WebSocket tunnels excluded)
 * @param maxRetries retries in flight to the backend
 */
public record CircuitBreaker(
    int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {

  /**
   * Envoy's defaults: 1024 connections, pending and active requests (a backend answering in 10 ms
   * takes 100k requests/s within them, while a stalled one cannot pin a node's memory), and 3
   * concurrent retries, so a failing backend is not hit with a retry storm.
   */
  public static final CircuitBreaker DEFAULT = new CircuitBreaker(1024, 1024, 1024, 3);
}
