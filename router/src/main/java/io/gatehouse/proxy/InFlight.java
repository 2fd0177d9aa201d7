package io.gatehouse.proxy;

import java.util.concurrent.atomic.AtomicLong;

/** Counts requests being served across all router verticles, for draining on shutdown. */
public final class InFlight {
  private final AtomicLong count = new AtomicLong();

  void begin() {
    count.incrementAndGet();
  }

  void end() {
    count.decrementAndGet();
  }

  public long current() {
    return count.get();
  }
}
