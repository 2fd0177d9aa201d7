package io.gatehouse.upstream;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.snapshot.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The balancers of one event loop, by endpoint-index slot and load-balancing policy. A request asks
 * for its target's slot and policy with the set it just read from the index: when the slot's
 * balancer was built for that set and found by that policy object (two identity compares) it is
 * returned as is; otherwise it is rebuilt then, keeping the state of the endpoints both sets have.
 * An endpoint change so costs O(its endpoints) on each loop, on the first request that needs it,
 * and nothing for slots nobody asks for.
 *
 * <p>A Service slot can serve two routes whose backends name different policies: each policy gets
 * its own balancer of the slot (the first in {@code bySlot}, the others beside it, at most {@value
 * #MAX_POLICIES} per slot, the least recently built dropped), and they share their endpoints'
 * {@link EndpointLoad}s, so least request sees every request this loop sends to an endpoint.
 * Policies are told apart by {@code equals}, and a recompiled but equal policy object takes over
 * the balancer (and its state) with one {@code equals} call.
 *
 * <p>Event-loop confined: no synchronisation.
 */
public final class Balancers {
  /** Different policies kept per slot; a Service's routes rarely disagree on more than two. */
  static final int MAX_POLICIES = 4;

  private final BalancerOptions options;
  private final RandomGenerator random;
  private final LongSupplier clock;
  private Balancer[] bySlot = new Balancer[16];
  private Balancer[][] others = new Balancer[16][];

  /** New balancers start at a random point of their rotation; every endpoint available. */
  public Balancers() {
    this(Balancer.THREAD_RANDOM);
  }

  /** As {@link #Balancers()}, with the random starts from {@code start} (seeded in tests). */
  public Balancers(RandomGenerator start) {
    this(BalancerOptions.defaults(), start, Balancer.SYSTEM_CLOCK);
  }

  /** Balancers with the node's availability and cookie key. */
  public Balancers(BalancerOptions options) {
    this(options, Balancer.THREAD_RANDOM, Balancer.SYSTEM_CLOCK);
  }

  /** As {@link #Balancers(BalancerOptions)}, with seeded random numbers and a clock (tests). */
  public Balancers(BalancerOptions options, RandomGenerator random, LongSupplier nanoClock) {
    this.options = options;
    this.random = random;
    this.clock = nanoClock;
  }

  /** The balancer of {@code target} with the endpoints {@code index} holds for it now. */
  public Balancer forTarget(Target target, EndpointIndex index) {
    int slot = target.slot();
    return forSlot(slot, target.key(), target.policy().loadBalancing(), index.get(slot));
  }

  /** As {@link #forSlot(int, EndpointsKey, LoadBalancing, EndpointSet)} with round robin. */
  public Balancer forSlot(int slot, EndpointsKey key, EndpointSet now) {
    return forSlot(slot, key, LoadBalancing.DEFAULT, now);
  }

  /**
   * The balancer of {@code slot} under {@code policy}, which holds {@code now} (read from the index
   * for this request) and should hold the set of {@code key}. Allocates only when the set changed.
   */
  public Balancer forSlot(int slot, EndpointsKey key, LoadBalancing policy, EndpointSet now) {
    Balancer[] a = bySlot;
    if (slot < a.length) {
      Balancer b = a[slot];
      if (b != null && b.set() == now && b.boundPolicy == policy) {
        return b;
      }
    }
    return slow(slot, key, policy, now);
  }

  private Balancer slow(int slot, EndpointsKey key, LoadBalancing policy, EndpointSet now) {
    if (!now.key().equals(key)) {
      // The slot went to another key while this request read an older snapshot: its route is
      // gone. Answered as empty and not cached, so the slot's new key gets its own balancer.
      return Balancer.EMPTY;
    }
    if (slot >= bySlot.length) {
      int n = Math.max(slot + 1, bySlot.length * 2);
      bySlot = Arrays.copyOf(bySlot, n);
      others = Arrays.copyOf(others, n);
    }
    Balancer primary = bySlot[slot];
    EndpointSet held = primary == null ? null : primary.set();
    if (primary != null && (held == null || !held.key().equals(key))) {
      // The slot holds another key now: nothing of the old one carries over.
      primary = null;
      bySlot[slot] = null;
      others[slot] = null;
    }
    Balancer[] more = others[slot];
    // Without allocating: a second policy of the slot, or an equal policy object of another
    // identity (two routes' equal policies, or a recompile), found by equals and taken over.
    Balancer found = current(primary, now, policy);
    for (int i = 0; found == null && more != null && i < more.length; i++) {
      found = current(more[i], now, policy);
    }
    if (found != null) {
      found.boundPolicy = policy;
      return found;
    }
    // The slot's balancers, the primary first; the one under an equal policy is rebuilt in place.
    List<Balancer> all = new ArrayList<>(1 + (more == null ? 0 : more.length));
    if (primary != null) {
      all.add(primary);
    }
    if (more != null) {
      all.addAll(Arrays.asList(more));
    }
    int same = -1;
    for (int i = 0; i < all.size() && same < 0; i++) {
      if (all.get(i).policy().equals(policy)) {
        same = i; // built for another set: rebuilt in place
      }
    }
    // Donors: the same policy's balancer first (its rotation), then one that already holds this
    // set (its loads are the newest), then the rest.
    List<Balancer> donors = new ArrayList<>(all.size());
    if (same >= 0) {
      donors.add(all.get(same));
    }
    for (Balancer b : all) {
      if (b.set() == now && !donors.contains(b)) {
        donors.add(b);
      }
    }
    for (Balancer b : all) {
      if (!donors.contains(b)) {
        donors.add(b);
      }
    }
    Balancer built = Balancer.forSet(now, policy, donors, options, random, clock);
    if (same >= 0) {
      all.set(same, built);
    } else {
      all.add(built);
      if (all.size() > MAX_POLICIES) {
        all.remove(primary != null && all.size() > 1 ? 1 : 0); // the oldest beside the primary
      }
    }
    bySlot[slot] = all.get(0);
    others[slot] = all.size() == 1 ? null : all.subList(1, all.size()).toArray(new Balancer[0]);
    return built;
  }

  private static @Nullable Balancer current(
      @Nullable Balancer b, EndpointSet now, LoadBalancing policy) {
    return b != null && b.set() == now && (b.boundPolicy == policy || b.policy().equals(policy))
        ? b
        : null;
  }

  /** The balancers of {@code slot}, the primary first (tests). */
  List<Balancer> ofSlot(int slot) {
    List<Balancer> out = new ArrayList<>();
    if (slot < bySlot.length && bySlot[slot] != null) {
      out.add(bySlot[slot]);
      Balancer @Nullable [] more = others[slot];
      if (more != null) {
        out.addAll(Arrays.asList(more));
      }
    }
    return out;
  }
}
