package io.gatehouse.proxy;

import io.gatehouse.model.Endpoint;
import io.gatehouse.upstream.Availability;
import io.gatehouse.upstream.Balancer;
import org.jspecify.annotations.Nullable;

/**
 * Health's stop-gap until the lb balancers filter unavailable endpoints themselves (their version
 * replaces this at merge): a pick that landed on an unavailable endpoint takes the balancer's next
 * ones, at most one round; when none is available it keeps the first pick (route to all, as Envoy's
 * panic mode). Costs one volatile read when nothing is unavailable.
 */
final class AvailableEndpoints {
  private AvailableEndpoints() {}

  static @Nullable Endpoint skipUnavailable(
      Balancer balancer, @Nullable Endpoint picked, Availability availability) {
    if (picked == null || availability.available(picked)) {
      return picked;
    }
    for (int i = 1; i < balancer.size(); i++) {
      Endpoint next = balancer.next();
      if (next != null && availability.available(next)) {
        return next;
      }
    }
    return picked;
  }
}
