package io.gatehouse.upstream;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import java.util.List;

/**
 * Smooth weighted round-robin (nginx's algorithm): over any window of sum(weights) picks, each
 * endpoint is chosen in proportion to its weight, interleaved rather than in bursts. One instance
 * per event loop, so no synchronisation.
 */
public final class Balancer {
  private final BackendSpec backend;
  private final Endpoint[] endpoints;
  private final int[] weights;
  private final int[] current;
  private final int total;

  public Balancer(BackendSpec backend) {
    this(backend, null);
  }

  /** {@code previous}: an endpoint present in both keeps its place in the rotation. */
  private Balancer(BackendSpec backend, Balancer previous) {
    this.backend = backend;
    List<Endpoint> live = backend.endpoints().stream().filter(e -> e.weight() > 0).toList();
    this.endpoints = live.toArray(new Endpoint[0]);
    this.weights = new int[endpoints.length];
    int sum = 0;
    for (int i = 0; i < endpoints.length; i++) {
      weights[i] = endpoints[i].weight();
      sum += weights[i];
    }
    this.total = sum;
    this.current = new int[endpoints.length];
    if (previous != null) {
      for (int i = 0; i < endpoints.length; i++) {
        for (int j = 0; j < previous.endpoints.length; j++) {
          Endpoint p = previous.endpoints[j];
          if (p.port() == endpoints[i].port() && p.host().equals(endpoints[i].host())) {
            current[i] = previous.current[j];
            break;
          }
        }
      }
    }
  }

  /**
   * A balancer for {@code next} (the same backend with other endpoints) that keeps the rotation of
   * the endpoints both have, so an endpoint change does not restart the whole backend's rotation.
   */
  public Balancer withBackend(BackendSpec next) {
    return new Balancer(next, this);
  }

  public BackendSpec backend() {
    return backend;
  }

  /** Number of endpoints that can take requests. */
  public int size() {
    return endpoints.length;
  }

  /** The next endpoint, or null when none can take requests. */
  public Endpoint next() {
    return next(null);
  }

  /**
   * The next endpoint other than {@code avoid} when another exists (for a retry after a connect
   * failure), or null when none can take requests.
   */
  public Endpoint next(Endpoint avoid) {
    int n = endpoints.length;
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      return endpoints[0];
    }
    int best = -1;
    for (int i = 0; i < n; i++) {
      current[i] += weights[i];
      // By value: a retry may hold an equal Endpoint from an older snapshot's balancer.
      boolean avoided = avoid != null && endpoints[i].equals(avoid);
      if (!avoided && (best < 0 || current[i] > current[best])) {
        best = i;
      }
    }
    current[best] -= total;
    return endpoints[best];
  }
}
