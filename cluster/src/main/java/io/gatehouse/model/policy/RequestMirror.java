package io.gatehouse.model.policy;

import io.gatehouse.model.BackendRef;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Copies a share of the route's requests to another backend, fire-and-forget, shaped after Gateway
 * API's {@code HTTPRequestMirrorFilter}: the copy's answer is read and thrown away, and nothing the
 * mirror does (its latency, errors, back-pressure) reaches the client. A route may have several
 * (one policy per mirror, as Gateway API's one filter per mirror).
 *
 * <p>Gatehouse's additions bound what a mirror costs: a request whose body is larger than {@code
 * maxBodyBytes} is not mirrored (the body is buffered up to that size as it streams to the primary,
 * never holding it back), and at most {@code maxInFlight} copies of the route's requests are open
 * at once on a node (the rest are dropped and counted).
 *
 * @param backendRef where the copies go, in any form a route's backend takes (static endpoints, a
 *     named backend of the route's tenant, a Kubernetes Service port)
 * @param numerator with {@code denominator}, the share of requests mirrored: Gateway API's {@code
 *     percent} is {@code numerator/100}, its {@code fraction} the two as given
 * @param denominator 1 or more; 100 for a percentage
 * @param hostname the Host the copies carry, or null for the one the primary gets (the client's, or
 *     a URL rewrite's)
 * @param requestBody whether the body is mirrored; false sends the copy without it (ingress-nginx
 *     {@code mirror-request-body: off})
 * @param maxBodyBytes the largest body mirrored; a larger one is not mirrored at all
 * @param maxInFlight the most copies of this mirror open at once on a node
 */
public record RequestMirror(
    BackendRef backendRef,
    int numerator,
    int denominator,
    @Nullable String hostname,
    boolean requestBody,
    long maxBodyBytes,
    int maxInFlight)
    implements PolicySpec {

  /** A percentage: Gateway API's {@code percent}. */
  public static final int PERCENT = 100;

  /**
   * nginx's {@code client_max_body_size} default, which also bounds ingress-nginx's mirror
   * location: 1 MiB.
   */
  public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;

  /**
   * Envoy's edge bound on concurrent streams (one HTTP/2 connection's worth, LIMITS.md): with the
   * default body limit a route's mirrors buffer at most 100 MiB on a node, and only while bodies
   * that large stream.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 100;

  public RequestMirror {
    Objects.requireNonNull(backendRef, "backendRef");
  }

  /** Every request, with the defaults: Gateway API's filter given only a backend. */
  public static RequestMirror of(BackendRef backendRef) {
    return new RequestMirror(
        backendRef, PERCENT, PERCENT, null, true, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT);
  }

  /** Whether the share is a whole percentage (written as {@code percent}). */
  public boolean inPercent() {
    return denominator == PERCENT;
  }
}
