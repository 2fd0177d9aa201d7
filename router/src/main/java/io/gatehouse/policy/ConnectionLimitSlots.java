package io.gatehouse.policy;

/** One concurrency limit's requests in flight, counted per key value across the node's loops. */
public interface ConnectionLimitSlots {
  /** Takes a place for {@code keyValue}; false when it has {@code max} requests in flight. */
  boolean acquire(String keyValue);

  /** Gives back a place {@link #acquire} took. */
  void release(String keyValue);
}
