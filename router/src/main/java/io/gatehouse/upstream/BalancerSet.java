package io.gatehouse.upstream;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.snapshot.RouteSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The balancers of one event loop for one snapshot, indexed like {@link RouteSnapshot#backends()}.
 * A backend that is unchanged in the next snapshot keeps its balancer, and so its rotation.
 */
public final class BalancerSet {
  private final RouteSnapshot snapshot;
  private final Balancer[] balancers;

  private BalancerSet(RouteSnapshot snapshot, Balancer[] balancers) {
    this.snapshot = snapshot;
    this.balancers = balancers;
  }

  public static BalancerSet empty() {
    return new BalancerSet(null, new Balancer[0]);
  }

  public RouteSnapshot snapshot() {
    return snapshot;
  }

  public Balancer get(int backendIndex) {
    return balancers[backendIndex];
  }

  /** This set if it already serves {@code next}, else a new one that reuses equal backends. */
  public BalancerSet forSnapshot(RouteSnapshot next) {
    if (next == snapshot) {
      return this;
    }
    Map<BackendSpec, Balancer> old = new HashMap<>();
    for (Balancer b : balancers) {
      old.put(b.backend(), b);
    }
    List<BackendSpec> specs = next.backends();
    Balancer[] fresh = new Balancer[specs.size()];
    for (int i = 0; i < fresh.length; i++) {
      Balancer reuse = old.get(specs.get(i));
      fresh[i] = reuse != null ? reuse : new Balancer(specs.get(i));
    }
    return new BalancerSet(next, fresh);
  }
}
