package io.gatehouse.snapshot;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Why {@link RouteSnapshot#match} picks what it picks, for the admin API's explain operation: the
 * host level chosen, the path rule of the winner, and the candidates tried before it whose
 * conditions failed. Built by {@link RouteSnapshot#trace}, off the serving path.
 *
 * @param levelHost the exact host or {@code *.suffix} that selected the level; null for the
 *     catch-all and for no level
 * @param route the winner, or null (the request goes to the default backend)
 * @param pathType {@code Exact}, {@code Prefix} (also ImplementationSpecific) or {@code
 *     RegularExpression}; null without a winner
 * @param pathValue the path, prefix or expression that matched
 */
public record MatchTrace(
    HostLevel level,
    @Nullable String levelHost,
    @Nullable CompiledRoute route,
    @Nullable String pathType,
    @Nullable String pathValue,
    List<PassedOver> passedOver) {
  public MatchTrace {
    passedOver = List.copyOf(passedOver);
  }

  /** The host level a request selects; never more than one (no fall-through). */
  public enum HostLevel {
    EXACT,
    WILDCARD,
    CATCH_ALL,
    /** No route lists the host and there is no catch-all. */
    NONE
  }

  /** A candidate whose path matched but whose {@code failed} condition did not hold. */
  public record PassedOver(CompiledRoute route, String pathType, String pathValue, String failed) {}
}
