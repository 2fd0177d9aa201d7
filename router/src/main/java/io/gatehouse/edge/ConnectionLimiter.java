package io.gatehouse.edge;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Caps open downstream connections per node and per client address, across all event loops. */
public final class ConnectionLimiter {
  private final int maxTotal;
  private final int maxPerClient;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

  public ConnectionLimiter(int maxTotal, int maxPerClient) {
    this.maxTotal = maxTotal;
    this.maxPerClient = maxPerClient;
  }

  /** Takes a slot for {@code client}; false (and nothing taken) when a cap is reached. */
  public boolean tryAcquire(String client) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return false;
    }
    AtomicInteger c = perClient.computeIfAbsent(client, k -> new AtomicInteger());
    if (c.incrementAndGet() > maxPerClient) {
      release(client);
      return false;
    }
    return true;
  }

  public void release(String client) {
    total.decrementAndGet();
    perClient.computeIfPresent(client, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
  }
}
