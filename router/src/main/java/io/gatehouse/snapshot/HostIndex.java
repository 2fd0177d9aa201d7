package io.gatehouse.snapshot;

import java.util.Map;

/**
 * Selects the one host level whose routes a request may use: the exact host if any route lists it,
 * else the wildcard {@code *.suffix} that covers the host's first label, else the catch-all (routes
 * without hosts). Selection never falls through: once a level is chosen, a request that matches
 * none of its paths matches nothing.
 */
final class HostIndex {
  static final HostIndex EMPTY = new HostIndex(Map.of(), Map.of(), null);

  private final RangeMap<PathIndex> exact;
  private final RangeMap<PathIndex> wildcard;
  private final PathIndex catchAll;

  /**
   * @param wildcards keyed by the suffix after {@code "*."}
   */
  HostIndex(Map<String, PathIndex> exact, Map<String, PathIndex> wildcards, PathIndex catchAll) {
    this.exact = new RangeMap<>(exact);
    this.wildcard = new RangeMap<>(wildcards);
    this.catchAll = catchAll;
  }

  /**
   * The level for a normalised request host (lower-case, no port, no trailing dot); null host means
   * the catch-all. The wildcard probe is the range after the first '.', the same string as {@code
   * Hostnames.wildcardSuffix(host)} without building it.
   */
  PathIndex select(String host) {
    if (host == null) {
      return catchAll;
    }
    int len = host.length();
    PathIndex p = exact.get(host, 0, len);
    if (p != null) {
      return p;
    }
    int dot = host.indexOf('.');
    if (dot >= 0 && dot < len - 1) {
      p = wildcard.get(host, dot + 1, len);
      if (p != null) {
        return p;
      }
    }
    return catchAll;
  }

  int exactHostCount() {
    return exact.size();
  }

  int wildcardCount() {
    return wildcard.size();
  }
}
