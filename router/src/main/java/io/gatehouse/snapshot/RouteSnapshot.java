package io.gatehouse.snapshot;

import io.gatehouse.model.BackendSpec;
import java.util.List;

/** PLACEHOLDER API: the real indexes land with SnapshotCompiler. */
public final class RouteSnapshot {
  private final long generation;
  private final List<CompiledRoute> routes;
  private final List<BackendSpec> backends;
  private final List<RouteProblem> problems;

  RouteSnapshot(
      long generation,
      List<CompiledRoute> routes,
      List<BackendSpec> backends,
      List<RouteProblem> problems) {
    this.generation = generation;
    this.routes = routes;
    this.backends = backends;
    this.problems = problems;
  }

  public static RouteSnapshot empty() {
    return new RouteSnapshot(0, List.of(), List.of(), List.of());
  }

  public long generation() {
    return generation;
  }

  public List<BackendSpec> backends() {
    return backends;
  }

  public List<RouteProblem> problems() {
    return problems;
  }

  public int routeCount() {
    return routes.size();
  }

  /**
   * The route for a request, or null. {@code host} is already normalised by {@code
   * Hostnames.normalizeRequestHost}; {@code path} is normalised and has no query.
   */
  public CompiledRoute match(String host, String path, RequestView request) {
    for (CompiledRoute r : routes) {
      if (r.spec().hosts().isEmpty() || r.spec().hosts().contains(host)) {
        return r;
      }
    }
    return null;
  }
}
