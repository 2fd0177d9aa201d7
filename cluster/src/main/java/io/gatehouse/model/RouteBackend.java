package io.gatehouse.model;

import java.util.Objects;

/**
 * One backend of a route and its share of the route's requests. Weights are relative to the other
 * backends of the same route; weight 0 keeps a backend configured but sends it nothing, and a route
 * whose weights are all 0 answers 503.
 */
public record RouteBackend(BackendRef ref, int weight) {
  /** The weight of a backend its source gave none. */
  public static final int DEFAULT_WEIGHT = 1;

  public RouteBackend {
    Objects.requireNonNull(ref, "ref");
  }

  /** {@code ref} at the default weight. */
  public static RouteBackend of(BackendRef ref) {
    return new RouteBackend(ref, DEFAULT_WEIGHT);
  }
}
