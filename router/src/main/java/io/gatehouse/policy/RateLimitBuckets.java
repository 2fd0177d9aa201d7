package io.gatehouse.policy;

/** One rate limit's token buckets, one per key value; thread-safe (every event loop takes). */
public interface RateLimitBuckets {
  /**
   * Takes a token from {@code keyValue}'s bucket.
   *
   * @return the whole tokens left (0 or more) when the request is admitted; when it is refused,
   *     {@code -1 - m} where {@code m} is the milliseconds until a token is there again
   */
  long take(String keyValue);
}
