package io.gatehouse.endpoint;

import io.gatehouse.model.Endpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The endpoints of one key at one moment. Immutable, so a reader that got it from the index can use
 * it without locks; a change is a new set.
 *
 * @param endpoints sorted by host, port, weight, so equal contents compare equal whatever the order
 *     a feeder listed them in, and balancers can carry state over by a merge
 * @param revision the index's write counter when this set was stored; 0 means the index never had
 *     endpoints for the key (unknown, which routes like empty)
 */
public record EndpointSet(EndpointsKey key, List<Endpoint> endpoints, long revision) {
  static final Comparator<Endpoint> ORDER =
      Comparator.comparing(Endpoint::host)
          .thenComparingInt(Endpoint::port)
          .thenComparingInt(Endpoint::weight);

  public EndpointSet {
    Objects.requireNonNull(key, "key");
    endpoints = sorted(endpoints);
  }

  /** A key the index holds nothing for. */
  public static EndpointSet unknown(EndpointsKey key) {
    return new EndpointSet(key, List.of(), 0);
  }

  public boolean isEmpty() {
    return endpoints.isEmpty();
  }

  /** An immutable sorted copy; returns an already sorted immutable list itself (no copy). */
  public static List<Endpoint> sorted(List<Endpoint> endpoints) {
    List<Endpoint> copy = List.copyOf(endpoints);
    for (int i = 1; i < copy.size(); i++) {
      if (ORDER.compare(copy.get(i - 1), copy.get(i)) > 0) {
        List<Endpoint> s = new ArrayList<>(copy);
        s.sort(ORDER);
        return List.copyOf(s);
      }
    }
    return copy;
  }
}
