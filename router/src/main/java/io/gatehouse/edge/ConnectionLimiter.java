package io.gatehouse.edge;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps open downstream connections per node and per client address, across all event loops. The
 * caps are read at each new connection: a reload that lowers them refuses new connections past the
 * new cap and closes none that are open.
 */
public final class ConnectionLimiter {
  private final EdgeLimitsHolder limits;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

  public ConnectionLimiter(EdgeLimitsHolder limits) {
    this.limits = limits;
  }

  /** Takes a slot for {@code client}; false (and nothing taken) when a cap is reached. */
  public boolean tryAcquire(String client) {
    EdgeLimits l = limits.get();
    int maxTotal = l.maxConnections();
    int maxPerClient = l.maxConnectionsPerClient();
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
