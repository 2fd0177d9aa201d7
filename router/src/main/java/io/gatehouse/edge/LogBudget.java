package io.gatehouse.edge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One log line a second for a kind of client misbehaviour, whoever triggers it: a client must not
 * be able to fill the disk. Lines not written are counted by the caller and reported in the next
 * one. Lock-free: one compare-and-set when a line is due.
 */
final class LogBudget {
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private final AtomicLong next = new AtomicLong(System.nanoTime());

  /** Whether a line may be written now; if so, the next one may be written a second from now. */
  boolean due() {
    long now = System.nanoTime();
    long at = next.get();
    return now - at >= 0 && next.compareAndSet(at, now + INTERVAL_NANOS);
  }
}
