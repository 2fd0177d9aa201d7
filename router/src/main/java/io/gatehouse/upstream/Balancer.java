package io.gatehouse.upstream;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.model.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

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

  /**
   * No endpoint: for a request whose slot no longer holds its key's set, or whose split has no
   * backend to take it (answered 503).
   */
  public static final Balancer EMPTY = new Balancer(null, List.of(), null, THREAD_RANDOM);

  /** The set this balancer was built for, or null for a fixed list (the default backend). */
  private final @Nullable EndpointSet set;

  private final Endpoint[] endpoints;
  private final int[] weights;
  private final int[] current;
  private final int total;

  /** {@code endpoints[i]} is the live endpoint {@code (i + rotation) % n} in sorted order. */
  private final int rotation;

  /** A balancer over a fixed list that starts at a random point of the rotation. */
  public Balancer(List<Endpoint> endpoints) {
    this(null, endpoints, null, THREAD_RANDOM);
  }

  /** As {@link #Balancer(List)}, with the random start from {@code start} (seeded in tests). */
  public Balancer(List<Endpoint> endpoints, RandomGenerator start) {
    this(null, endpoints, null, start);
  }

  /** A balancer over {@code set} whose random start comes from {@code start}. */
  public Balancer(EndpointSet set, RandomGenerator start) {
    this(set, set.endpoints(), null, start);
  }

  /**
   * {@code previous}: an endpoint present in both keeps its place in the rotation; when none is,
   * the rotation starts at random as for a fresh balancer. Both sets are sorted by host and port,
   * so the endpoints in common are found by one merge, O(n + m), not O(n·m): a set of 1024
   * endpoints is rebuilt on an event loop.
   */
  private Balancer(
      @Nullable EndpointSet set,
      List<Endpoint> all,
      @Nullable Balancer previous,
      RandomGenerator start) {
    this.set = set;
    List<Endpoint> live = all.stream().filter(e -> e.weight() > 0).toList();
    int n = live.size();
    this.endpoints = new Endpoint[n];
    this.weights = new int[n];
    this.current = new int[n];
    int carried = previous == null ? 0 : carry(live, previous, current);
    boolean randomStart = carried == 0 && n > 1;
    int r = randomStart ? start.nextInt(n) : 0;
    this.rotation = r;
    int sum = 0;
    for (int i = 0; i < n; i++) {
      endpoints[i] = live.get((i + r) % n);
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
   * Copies into {@code into} (indexed like {@code live}) the rotation state of every endpoint of
   * {@code live} that {@code previous} also has, matched by host and port; returns how many. Both
   * lists are walked in sorted order, so only a balancer built for a set (sorted) carries state.
   */
  private static int carry(List<Endpoint> live, Balancer previous, int[] into) {
    if (previous.set == null) {
      return 0;
    }
    Endpoint[] old = previous.endpoints;
    int m = old.length;
    int carried = 0;
    int i = 0;
    int j = 0;
    while (i < live.size() && j < m) {
      int k = (j + m - previous.rotation) % m; // the j-th of previous in sorted order
      Endpoint a = live.get(i);
      Endpoint b = old[k];
      int c = a.host().compareTo(b.host());
      if (c == 0) {
        c = Integer.compare(a.port(), b.port());
      }
      if (c == 0) {
        into[i++] = previous.current[k];
        j++;
        carried++;
      } else if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return carried;
  }

  /**
   * A balancer for {@code next} (the same key with other endpoints) that keeps the rotation of the
   * endpoints both have, so an endpoint change does not restart the whole rotation.
   */
  public Balancer withEndpoints(EndpointSet next) {
    return withEndpoints(next, THREAD_RANDOM);
  }

  /** As {@link #withEndpoints(EndpointSet)}, with the random start (if any) from {@code start}. */
  public Balancer withEndpoints(EndpointSet next, RandomGenerator start) {
    return new Balancer(next, next.endpoints(), this, start);
  }

  /** The set this balancer serves (compared by identity), or null for a fixed list. */
  public @Nullable EndpointSet set() {
    return set;
  }

  /** The rotation state of {@code e} (matched by host and port), or null if it is not live. */
  @Nullable Integer current(Endpoint e) {
    for (int i = 0; i < endpoints.length; i++) {
      if (endpoints[i].port() == e.port() && endpoints[i].host().equals(e.host())) {
        return current[i];
      }
    }
    return null;
  }

  /** Number of endpoints that can take requests. */
  public int size() {
    return endpoints.length;
  }

  /** The next endpoint, or null when none can take requests. */
  public @Nullable Endpoint next() {
    return next(null);
  }

  /**
   * The next endpoint other than {@code avoid} when another exists (for a retry after a connect
   * failure), or null when none can take requests.
   */
  public @Nullable Endpoint next(@Nullable Endpoint avoid) {
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
