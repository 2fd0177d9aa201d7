package io.gatehouse.metrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calling thread's index into the per-thread cells of {@link ExchangeMetrics}: each thread
 * writes only its own cell, with plain (opaque) stores and no atomic read-modify-write; a scrape
 * adds the cells up. A JDK thread-local (a few ns; Netty's faster one would tie metrics to Netty).
 * Past {@link #MAX} threads (tests, odd callers), every later thread shares the last slot, whose
 * writers take the cell's lock.
 */
final class ThreadSlot {
  static final int MAX = 64;
  static final int SHARED = MAX - 1;

  private static final AtomicInteger NEXT = new AtomicInteger();

  private static final ThreadLocal<int[]> SLOT =
      ThreadLocal.withInitial(
          () -> {
            int n = NEXT.getAndIncrement();
            return new int[] {n < SHARED ? n : SHARED};
          });

  private ThreadSlot() {}

  static int current() {
    return SLOT.get()[0];
  }
}
