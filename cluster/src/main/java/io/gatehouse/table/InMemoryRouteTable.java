package io.gatehouse.table;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The table of a single node that is not clustered; writes are serialised by one lock. */
public final class InMemoryRouteTable implements RouteTable {
  private final List<Consumer<TableView>> listeners = new CopyOnWriteArrayList<>();
  private volatile TableView view = TableView.EMPTY;

  @Override
  public TableView view() {
    return view;
  }

  @Override
  public long put(RouteSpec route) {
    Objects.requireNonNull(route, "route");
    synchronized (this) {
      if (route.equals(view.routes().get(route.key()))) {
        return view.generation();
      }
      Map<RouteKey, RouteSpec> next = new HashMap<>(view.routes());
      next.put(route.key(), route);
      return publish(next);
    }
  }

  @Override
  public long remove(RouteKey key) {
    synchronized (this) {
      if (!view.routes().containsKey(key)) {
        return view.generation();
      }
      Map<RouteKey, RouteSpec> next = new HashMap<>(view.routes());
      next.remove(key);
      return publish(next);
    }
  }

  @Override
  public long replaceSource(String source, Collection<RouteSpec> routes) {
    for (RouteSpec r : routes) {
      if (!r.key().source().equals(source)) {
        throw new IllegalArgumentException("route " + r.key() + " is not from source " + source);
      }
    }
    synchronized (this) {
      Map<RouteKey, RouteSpec> next = new HashMap<>(view.routes());
      next.keySet().removeIf(k -> k.source().equals(source));
      for (RouteSpec r : routes) {
        next.put(r.key(), r);
      }
      if (next.equals(view.routes())) {
        return view.generation();
      }
      return publish(next);
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<TableView> listener) {
    listeners.add(listener);
    listener.accept(view);
    return () -> listeners.remove(listener);
  }

  private long publish(Map<RouteKey, RouteSpec> routes) {
    TableView next = new TableView(view.generation() + 1, routes);
    view = next;
    for (Consumer<TableView> l : listeners) {
      l.accept(next);
    }
    return next.generation();
  }
}
