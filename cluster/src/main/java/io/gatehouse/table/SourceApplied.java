package io.gatehouse.table;

import org.jspecify.annotations.Nullable;

/**
 * What {@link RouteTable#applySource} did.
 *
 * @param generation the generation that holds the source's new content
 * @param held the routes not written because some member cannot read the format they need, or null
 *     when none was held. A held route keeps its current entry, if it has one, as it is: it is
 *     neither rewritten nor deleted.
 */
public record SourceApplied(long generation, Outcome.@Nullable NotUpgraded held) {
  public static SourceApplied of(long generation) {
    return new SourceApplied(generation, null);
  }
}
