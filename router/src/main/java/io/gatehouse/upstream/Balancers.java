package io.gatehouse.upstream;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The balancers of one event loop, by endpoint-index slot. A request asks for its target's slot
 * with the set it just read from the index: when that is the set the cached balancer was built for
 * (one identity compare) the balancer is returned as is; otherwise it is rebuilt then, keeping the
 * rotation of the endpoints both sets have. An endpoint change so costs O(its endpoints) on each
 * loop, on the first request that needs it, and nothing for slots nobody asks for.
 *
 * <p>Event-loop confined: no synchronisation.
 */
public final class Balancers {
  private final RandomGenerator start;
  private Balancer[] bySlot = new Balancer[16];

  /** New balancers start at a random point of their rotation. */
  public Balancers() {
    this(Balancer.THREAD_RANDOM);
  }

  /** As {@link #Balancers()}, with the random starts from {@code start} (seeded in tests). */
  public Balancers(RandomGenerator start) {
    this.start = start;
  }

  /**
   * The balancer of {@code slot}, which holds {@code now} (read from the index for this request)
   * and should hold the set of {@code key}. Allocates only when the set changed.
   */
  public Balancer forSlot(int slot, EndpointsKey key, EndpointSet now) {
    Balancer[] a = bySlot;
    if (slot < a.length) {
      Balancer b = a[slot];
      if (b != null && b.set() == now) {
        return b;
      }
    }
    return rebuild(slot, key, now);
  }

  private Balancer rebuild(int slot, EndpointsKey key, EndpointSet now) {
    if (!now.key().equals(key)) {
      // The slot went to another key while this request read an older snapshot: its route is
      // gone. Answered as empty and not cached, so the slot's new key gets its own balancer.
      return Balancer.EMPTY;
    }
    if (slot >= bySlot.length) {
      bySlot = Arrays.copyOf(bySlot, Math.max(slot + 1, bySlot.length * 2));
    }
    Balancer old = bySlot[slot];
    Balancer b =
        old == null || old.set() == null || !old.set().key().equals(key)
            ? new Balancer(now, start)
            : old.withEndpoints(now, start);
    bySlot[slot] = b;
    return b;
  }
}
