package io.gatehouse.upstream;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Smooth weighted round-robin (nginx's algorithm): over any window of sum(weights) picks, each
 * endpoint is chosen in proportion to its weight, interleaved rather than in bursts. One instance
 * per event loop, so no synchronisation.
 *
 * <p>A fresh balancer starts at a random point of the rotation (as Envoy's round robin does per
 * worker), so N event loops do not all send their first requests to the first endpoints. The start
 * is a random rotation of the endpoint order plus a random number of picks played ahead; both give
 * a state the algorithm reaches from zero, so every window of sum(weights) picks stays exactly
 * proportional.
 */
public final class Balancer {
  /** Bound on endpoint visits spent playing ahead, so a large backend builds in O(n) time. */
  private static final int START_BUDGET = 1 << 16;

  /**
   * The calling thread's random numbers. Not {@code ThreadLocalRandom.current()} kept in a field:
   * used from a thread that never called {@code current()} it repeats the same numbers.
   */
  static final RandomGenerator THREAD_RANDOM = () -> ThreadLocalRandom.current().nextLong();

  private final BackendSpec backend;
  private final Endpoint[] endpoints;
  private final int[] weights;
  private final int[] current;
  private final int total;

  /** A balancer that starts at a random point of the rotation. */
  public Balancer(BackendSpec backend) {
    this(backend, null, THREAD_RANDOM);
  }

  /** A balancer whose random start comes from {@code start} (tests pass a seeded generator). */
  public Balancer(BackendSpec backend, RandomGenerator start) {
    this(backend, null, start);
  }

  /**
   * {@code previous}: an endpoint present in both keeps its place in the rotation; when none is,
   * the rotation starts at random as for a fresh balancer.
   */
  private Balancer(BackendSpec backend, Balancer previous, RandomGenerator start) {
    this.backend = backend;
    List<Endpoint> live = backend.endpoints().stream().filter(e -> e.weight() > 0).toList();
    int n = live.size();
    this.endpoints = new Endpoint[n];
    this.weights = new int[n];
    this.current = new int[n];
    int carried = 0;
    if (previous != null) {
      live.toArray(endpoints);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < previous.endpoints.length; j++) {
          Endpoint p = previous.endpoints[j];
          if (p.port() == endpoints[i].port() && p.host().equals(endpoints[i].host())) {
            current[i] = previous.current[j];
            carried++;
            break;
          }
        }
      }
    }
    boolean randomStart = carried == 0 && n > 1;
    int rotation = randomStart ? start.nextInt(n) : 0;
    int sum = 0;
    for (int i = 0; i < n; i++) {
      endpoints[i] = live.get((i + rotation) % n);
      weights[i] = endpoints[i].weight();
      sum += weights[i];
    }
    this.total = sum;
    if (randomStart) {
      int ahead = start.nextInt(Math.min(total, Math.max(1, START_BUDGET / n)));
      for (int k = 0; k < ahead; k++) {
        next(null);
      }
    }
  }

  /**
   * A balancer for {@code next} (the same backend with other endpoints) that keeps the rotation of
   * the endpoints both have, so an endpoint change does not restart the whole backend's rotation.
   */
  public Balancer withBackend(BackendSpec next) {
    return withBackend(next, THREAD_RANDOM);
  }

  /** As {@link #withBackend(BackendSpec)}, with the random start (if any) from {@code start}. */
  public Balancer withBackend(BackendSpec next, RandomGenerator start) {
    return new Balancer(next, this, start);
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
