package io.gatehouse.upstream;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.snapshot.RouteSnapshot;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The balancers of one event loop for one snapshot, indexed like {@link RouteSnapshot#backends()}.
 * A backend that is unchanged in the next snapshot keeps its balancer, and so its rotation. When
 * the next snapshot was compiled incrementally from this set's, only its changed indexes are
 * visited (an endpoint change costs O(changed backends), not O(backends)).
 */
public final class BalancerSet {
  private final RouteSnapshot snapshot;
  private final Balancer[] balancers;
  private final RandomGenerator start;

  private BalancerSet(RouteSnapshot snapshot, Balancer[] balancers, RandomGenerator start) {
    this.snapshot = snapshot;
    this.balancers = balancers;
    this.start = start;
  }

  /** New balancers start at a random point of their rotation (one set per event loop). */
  public static BalancerSet empty() {
    return empty(Balancer.THREAD_RANDOM);
  }

  /** As {@link #empty()}, with the random starts from {@code start} (seeded in tests). */
  public static BalancerSet empty(RandomGenerator start) {
    return new BalancerSet(null, new Balancer[0], start);
  }

  public RouteSnapshot snapshot() {
    return snapshot;
  }

  /** Null only for an index that no route of the snapshot uses. */
  public Balancer get(int backendIndex) {
    return balancers[backendIndex];
  }

  /** This set if it already serves {@code next}, else a new one that reuses equal backends. */
  public BalancerSet forSnapshot(RouteSnapshot next) {
    if (next == snapshot) {
      return this;
    }
    List<BackendSpec> specs = next.backends();
    int[] changed = next.changedBackendsSince(snapshot);
    if (changed != null) {
      Balancer[] fresh = Arrays.copyOf(balancers, specs.size());
      for (int i : changed) {
        BackendSpec spec = specs.get(i);
        Balancer old = i < balancers.length ? balancers[i] : null;
        fresh[i] =
            spec == null
                ? null
                : old == null ? new Balancer(spec, start) : old.withBackend(spec, start);
      }
      return new BalancerSet(next, fresh, start);
    }
    Map<BackendSpec, Balancer> old = new HashMap<>();
    for (Balancer b : balancers) {
      if (b != null) {
        old.put(b.backend(), b);
      }
    }
    Balancer[] fresh = new Balancer[specs.size()];
    for (int i = 0; i < fresh.length; i++) {
      BackendSpec spec = specs.get(i);
      Balancer reuse = spec == null ? null : old.get(spec);
      fresh[i] = reuse != null || spec == null ? reuse : new Balancer(spec, start);
    }
    return new BalancerSet(next, fresh, start);
  }
}
