package io.gatehouse.policy;

import io.gatehouse.model.policy.RateLimit;

/**
 * The node's rate and concurrency limit state, which outlives snapshots: a recompiled route asks
 * for the same {@code id} again and keeps its buckets and its requests in flight. The node's
 * implementation is {@code access.RateLimitService}.
 */
public interface RateLimits {
  /**
   * The buckets of one rate limit, one per key value; the same {@code id} and settings give the
   * same buckets back, so a recompile keeps their tokens.
   *
   * @param id the limit's identity (route or tenant, policy name, key, settings)
   */
  RateLimitBuckets buckets(String id, RateLimit spec);

  /** The requests in flight of one concurrency limit, at most {@code max} per key value. */
  ConnectionLimitSlots slots(String id, int max);
}
