package io.gatehouse.upstream;

import io.gatehouse.model.Endpoint;
import org.jspecify.annotations.Nullable;

/**
 * What one event loop knows of one endpoint of an endpoint-index slot: its requests in flight from
 * this loop (Envoy counts per worker too), its peak-EWMA latency, when its slow start began, and
 * its affinity cookie value. Shared by every balancer of the slot on the loop (one per policy) and
 * carried across endpoint changes by host and port, so an attempt that started before a change ends
 * on the very counter it incremented, and an unchanged endpoint keeps its load and latency.
 *
 * <p>Event-loop confined: plain fields, no synchronisation.
 */
public final class EndpointLoad {
  /** {@link #since} of an endpoint that is not ramping up. */
  static final long NOT_RAMPING = Long.MIN_VALUE;

  final String host;
  final int port;

  /** The endpoint with the weight the newest balancer of this loop saw. */
  Endpoint endpoint;

  int inFlight;

  /** Peak EWMA: the latency estimate in nanoseconds, and when it was last updated. */
  double cost;

  long stamp;

  /** Slow start: when the endpoint appeared or came back available ({@link #NOT_RAMPING}). */
  long since = NOT_RAMPING;

  /** Availability the last recompute saw: a change to true starts a slow start. */
  boolean available = true;

  /** The affinity cookie value (a keyed hash of host:port), made when a policy first needs it. */
  @Nullable String affinityValue;

  /** {@link KeyHash} of host:port, the seed of its ring points and Maglev permutation. */
  final long hash;

  EndpointLoad(Endpoint endpoint) {
    this.endpoint = endpoint;
    this.host = endpoint.host();
    this.port = endpoint.port();
    this.hash = KeyHash.of(endpoint.authority());
  }

  /** The endpoint (host and port; the weight of the newest set). */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** Requests from this event loop in flight to the endpoint. */
  public int inFlight() {
    return inFlight;
  }

  boolean sameAddress(Endpoint e) {
    return port == e.port() && host.equals(e.host());
  }

  /** Orders like {@code EndpointSet}: host, then port. */
  int compareTo(Endpoint e) {
    int c = host.compareTo(e.host());
    return c != 0 ? c : Integer.compare(port, e.port());
  }

  @Override
  public String toString() {
    return "EndpointLoad[" + endpoint.authority() + ", inFlight=" + inFlight + "]";
  }
}
