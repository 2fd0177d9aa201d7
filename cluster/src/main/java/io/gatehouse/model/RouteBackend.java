package io.gatehouse.model;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One backend of a route and its share of the route's requests. Weights are relative to the other
 * backends of the same route; weight 0 keeps a backend configured but sends it nothing, and a route
 * whose weights are all 0 answers 503.
 *
 * @param canary when set, this backend is the route's canary: requests the rule picks go to it
 *     whatever the weights say, and those it sends away go to the other backends (at most one per
 *     route); null for an ordinary backend
 */
public record RouteBackend(BackendRef ref, int weight, @Nullable CanaryRule canary) {
  /** The weight of a backend its source gave none. */
  public static final int DEFAULT_WEIGHT = 1;

  public RouteBackend {
    Objects.requireNonNull(ref, "ref");
  }

  /** An ordinary backend ({@code ref} at {@code weight}, no canary rule). */
  public RouteBackend(BackendRef ref, int weight) {
    this(ref, weight, null);
  }

  /** {@code ref} at the default weight. */
  public static RouteBackend of(BackendRef ref) {
    return new RouteBackend(ref, DEFAULT_WEIGHT);
  }
}
