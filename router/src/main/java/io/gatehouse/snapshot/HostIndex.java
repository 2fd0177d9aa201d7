package io.gatehouse.snapshot;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Selects the one host level whose routes a request may use: the exact host if any route lists it,
 * else the wildcard {@code *.suffix} that covers the host's first label, else the longest suffix of
 * a wildcard that covers any number of labels (Gateway API hostnames: {@code *.example.com} covers
 * {@code a.b.example.com}), else the catch-all (routes without hosts). Selection never falls
 * through: once a level is chosen, a request that matches none of its paths matches nothing.
 */
final class HostIndex {
  static final HostIndex EMPTY = new HostIndex(Map.of(), Map.of(), Map.of(), null);

  private final RangeMap<PathIndex> exact;
  private final RangeMap<PathIndex> wildcard;
  private final RangeMap<PathIndex> anyDepth;
  private final @Nullable PathIndex catchAll;

  /**
   * @param wildcards keyed by the suffix after {@code "*."}
   * @param anyDepthWildcards the same, of wildcards that cover any number of labels
   */
  HostIndex(
      Map<String, PathIndex> exact,
      Map<String, PathIndex> wildcards,
      Map<String, PathIndex> anyDepthWildcards,
      @Nullable PathIndex catchAll) {
    this(
        new RangeMap<>(exact),
        new RangeMap<>(wildcards),
        new RangeMap<>(anyDepthWildcards),
        catchAll);
  }

  private HostIndex(
      RangeMap<PathIndex> exact,
      RangeMap<PathIndex> wildcard,
      RangeMap<PathIndex> anyDepth,
      @Nullable PathIndex catchAll) {
    this.exact = exact;
    this.wildcard = wildcard;
    this.anyDepth = anyDepth;
    this.catchAll = catchAll;
  }

  /**
   * A copy with the given levels replaced (a null value removes a host or suffix); the levels not
   * named are shared with this index, not copied.
   */
  HostIndex with(
      Map<String, @Nullable PathIndex> exactChanges,
      Map<String, @Nullable PathIndex> wildcardChanges,
      Map<String, @Nullable PathIndex> anyDepthChanges,
      @Nullable PathIndex nextCatchAll) {
    return new HostIndex(
        exact.with(exactChanges),
        wildcard.with(wildcardChanges),
        anyDepthChanges.isEmpty() ? anyDepth : anyDepth.with(anyDepthChanges),
        nextCatchAll);
  }

  /** The level of one configured exact host, or null. */
  @Nullable PathIndex exact(String host) {
    return exact.get(host);
  }

  /** The level of one configured wildcard, keyed by the suffix after {@code "*."}, or null. */
  @Nullable PathIndex wildcard(String suffix) {
    return wildcard.get(suffix);
  }

  /** The level of one wildcard of any depth, keyed by the suffix after {@code "*."}, or null. */
  @Nullable PathIndex anyDepthWildcard(String suffix) {
    return anyDepth.get(suffix);
  }

  @Nullable PathIndex catchAll() {
    return catchAll;
  }

  /**
   * The suffix of the wildcard of any depth that covers {@code host} (the longest: the most
   * specific), or null.
   */
  @Nullable String anyDepthSuffix(String host) {
    if (anyDepth.size() == 0) {
      return null;
    }
    int len = host.length();
    for (int dot = host.indexOf('.'); dot >= 0 && dot < len - 1; dot = host.indexOf('.', dot + 1)) {
      if (anyDepth.get(host, dot + 1, len) != null) {
        return host.substring(dot + 1);
      }
    }
    return null;
  }

  /**
   * The level for a normalised request host (lower-case, no port, no trailing dot); null host means
   * the catch-all. The wildcard probe is the range after the first '.', the same string as {@code
   * Hostnames.wildcardSuffix(host)} without building it.
   */
  @Nullable PathIndex select(@Nullable String host) {
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
      if (anyDepth.size() != 0) {
        // longest suffix first: the most specific wildcard wins
        for (; dot >= 0 && dot < len - 1; dot = host.indexOf('.', dot + 1)) {
          p = anyDepth.get(host, dot + 1, len);
          if (p != null) {
            return p;
          }
        }
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

  int anyDepthWildcardCount() {
    return anyDepth.size();
  }
}
