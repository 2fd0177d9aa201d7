package io.gatehouse.table;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.util.Map;

/** An immutable view of the whole table at one generation. */
public record TableView(long generation, Map<RouteKey, RouteSpec> routes) {
  public static final TableView EMPTY = new TableView(0, Map.of());

  public TableView {
    routes = Map.copyOf(routes);
  }
}
