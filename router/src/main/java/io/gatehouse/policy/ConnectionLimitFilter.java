package io.gatehouse.policy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.validate.Cidrs;

/**
 * A {@link ConnectionLimit}: at most {@code max} requests in flight per key value on this node (all
 * event loops together); one more is answered 429 with {@code Retry-After: 1}. The place is given
 * back through {@link RequestContext#onEnd} however the request ends, so a reset or a timeout never
 * leaks one. The counts live in the node's {@link RateLimits}, so a recompile keeps them.
 */
public final class ConnectionLimitFilter implements AdmissionFilter {
  private final LimitKey key;
  private final Cidrs exempt;
  private final ConnectionLimitSlots slots;

  public ConnectionLimitFilter(ConnectionLimit spec, RouteKey route, RateLimits limits) {
    if (spec.max() < 1) {
      throw new IllegalArgumentException("connection limit: max must be at least 1");
    }
    this.key = spec.key();
    this.exempt = Cidrs.parse(spec.exempt());
    String owner =
        spec.key().kind() == LimitKey.Kind.TENANT ? "tenant:" + route.tenant() : "route:" + route;
    this.slots =
        limits.slots(
            owner + "|connections|" + RateLimitFilter.keyName(spec.key()) + "|" + spec.max(),
            spec.max());
  }

  @Override
  public int admit(RequestContext request) {
    if (!exempt.isEmpty() && exempt.contains(request.clientAddress())) {
      return PROCEED;
    }
    String value = RateLimitFilter.keyValue(key, request);
    if (!slots.acquire(value)) {
      request.answerHeader("retry-after", "1");
      return 429;
    }
    request.onEnd(() -> slots.release(value));
    return PROCEED;
  }
}
