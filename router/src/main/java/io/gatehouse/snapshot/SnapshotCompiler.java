package io.gatehouse.snapshot;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.TableView;
import java.util.ArrayList;
import java.util.List;

/** PLACEHOLDER: compiles a table view into a snapshot. */
public final class SnapshotCompiler {
  private SnapshotCompiler() {}

  public static RouteSnapshot compile(TableView view) {
    List<CompiledRoute> routes = new ArrayList<>();
    List<BackendSpec> backends = new ArrayList<>();
    for (RouteSpec r : view.routes().values()) {
      backends.add(r.backend());
      routes.add(new CompiledRoute(r, r.key().toString(), backends.size() - 1));
    }
    return new RouteSnapshot(view.generation(), routes, backends, List.of());
  }
}
