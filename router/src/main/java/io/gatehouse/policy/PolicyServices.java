package io.gatehouse.policy;

import io.gatehouse.model.policy.JwtAuth;

/**
 * What the node lends the filters it compiles: services that outlive any one snapshot (a rate
 * limit's buckets, a JWK Set's cache, the forward-auth client, the pool that checks password hashes
 * off the event loop), so a recompiled route keeps its state. Pure Java interfaces, so the filters
 * stay free of Vert.x; the node implements them (package {@code io.gatehouse.access}). {@link
 * #NONE} is for compiles without a node (tests, benchmarks, explain): a filter that needs a service
 * it does not have fails the route's compile with a problem, never serves open.
 */
public interface PolicyServices {
  /**
   * The node's forward-auth client and its answer cache ({@code ForwardAuth} policies).
   *
   * @throws IllegalArgumentException when there is none here: the route's compile reports it
   */
  default ForwardAuthService forwardAuth() {
    throw new IllegalArgumentException(
        "forward auth needs the node's HTTP client, which is not available here");
  }

  /** No service: every method keeps its default. */
  PolicyServices NONE = new PolicyServices() {};

  /**
   * The pool that checks Basic auth passwords off the event loop, with its cache of recent
   * successes.
   *
   * @throws IllegalArgumentException when this compile has no node to check hashes on
   */
  default PasswordChecks passwordChecks() {
    throw new IllegalArgumentException(
        "basic auth needs the node's password-check pool, which this compile does not have");
  }

  /**
   * The node's copy of the JWK Set at {@code spec.jwksUri()}, fetched and cached with the spec's
   * timings, shared by every route naming the same URL and timings.
   *
   * @throws IllegalArgumentException when there is no node to fetch with (the route's compile
   *     reports it; a JWT route is never served open)
   */
  default JwtKeySource jwtKeys(JwtAuth spec) {
    throw new IllegalArgumentException(
        "JWT: fetching the JWK Set at jwksUri needs a node's services; not available here");
  }

  /**
   * Rate and concurrency limits' state (buckets, requests in flight, the cluster's counts).
   *
   * @throws IllegalArgumentException without a node: a route with a limit is then a problem
   */
  default RateLimits rateLimits() {
    throw new IllegalArgumentException(
        "rate and connection limits need a node's limit service, and this compile has none");
  }
}
