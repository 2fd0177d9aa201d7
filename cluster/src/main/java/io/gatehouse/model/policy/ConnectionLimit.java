package io.gatehouse.model.policy;

import java.util.List;
import java.util.Objects;

/**
 * At most {@code max} requests in flight at once per key value on each node (ingress-nginx {@code
 * limit-connections}, which counts connections per client address: over HTTP/2 a connection carries
 * many requests, so Gatehouse counts requests in flight, which bounds both). One more is answered
 * 429 with {@code Retry-After: 1}.
 *
 * @param key what the limit counts by
 * @param max requests in flight per key value (at least 1)
 * @param exempt client CIDRs never limited (ingress-nginx {@code limit-whitelist})
 */
public record ConnectionLimit(LimitKey key, int max, List<String> exempt) implements PolicySpec {
  public ConnectionLimit {
    Objects.requireNonNull(key, "key");
    exempt = exempt == null ? List.of() : List.copyOf(exempt);
  }
}
