package io.gatehouse.model;

import io.gatehouse.model.policy.PolicySpec;
import java.util.List;
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
 * @param filters policies applied only to the requests sent to this backend, after the route's own
 *     (Gateway API filters on a backendRef): {@code RequestHeaders}, {@code ResponseHeaders} and
 *     {@code URLRewrite} (what can run once the backend is chosen); empty for none. Written by the
 *     Kubernetes translator only
 */
public record RouteBackend(
    BackendRef ref, int weight, @Nullable CanaryRule canary, List<PolicySpec> filters) {
  /** The weight of a backend its source gave none. */
  public static final int DEFAULT_WEIGHT = 1;

  public RouteBackend {
    Objects.requireNonNull(ref, "ref");
    filters = filters == null ? List.of() : List.copyOf(filters);
  }

  /** A backend without filters of its own. */
  public RouteBackend(BackendRef ref, int weight, @Nullable CanaryRule canary) {
    this(ref, weight, canary, List.of());
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
