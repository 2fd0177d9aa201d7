package io.gatehouse.policy;

/**
 * What the node lends the filters it compiles: services that outlive any one snapshot (a rate
 * limit's buckets, a JWK Set's cache, the forward-auth client, the pool that checks password hashes
 * off the event loop), so a recompiled route keeps its state. Pure Java interfaces, so the filters
 * stay free of Vert.x; the node implements them (package {@code io.gatehouse.access}). {@link
 * #NONE} is for compiles without a node (tests, benchmarks, explain): a filter that needs a service
 * it does not have fails the route's compile with a problem, never serves open.
 */
public interface PolicyServices {
  /** No service: every method keeps its default. */
  PolicyServices NONE = new PolicyServices() {};

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
