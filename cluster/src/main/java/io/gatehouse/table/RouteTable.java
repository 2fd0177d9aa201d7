package io.gatehouse.table;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * The table of validated routes. Every write that changes something advances the generation by one;
 * a write that changes nothing leaves it alone and notifies no one.
 */
public interface RouteTable {
  TableView view();

  /** Puts or replaces one route; returns the generation that contains it. */
  long put(RouteSpec route);

  /** Removes one route if present; returns the generation without it. */
  long remove(RouteKey key);

  /**
   * Makes {@code routes} the whole content of {@code source} in one generation (what a file or a
   * Kubernetes resync needs). Every route must have that source.
   */
  long replaceSource(String source, Collection<RouteSpec> routes);

  /** Calls {@code listener} with the current view now and after every change. */
  AutoCloseable subscribe(Consumer<TableView> listener);
}
