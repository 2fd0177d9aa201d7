package io.gatehouse.snapshot;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.TestRoutes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures: the shared route builder ({@link TestRoutes}), a snapshot of routes and a request
 * stub.
 */
final class Routes {
  private Routes() {}

  static TestRoutes.Builder route(String name) {
    return TestRoutes.builder(name);
  }

  static Request req(String host, String path) {
    return new Request(host, path);
  }

  static RouteSnapshot snapshot(List<RouteSpec> routes) {
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    for (RouteSpec r : routes) {
      m.put(r.key(), r);
    }
    return SnapshotCompiler.compile(new TableView(7, m));
  }

  /** The name of the matched route, or null. */
  static String matchName(RouteSnapshot s, Request r) {
    CompiledRoute c = s.match(r.host, r.path, r);
    return c == null ? null : c.spec().key().name();
  }

  static final class Request implements RequestView {
    final String host;
    final String path;
    private String method = "GET";
    private final Map<String, String> headers = new HashMap<>();
    private final Map<String, String> query = new HashMap<>();

    Request(String host, String path) {
      this.host = host;
      this.path = path;
    }

    Request method(String m) {
      method = m;
      return this;
    }

    Request header(String lowerName, String value) {
      headers.put(lowerName, value);
      return this;
    }

    Request query(String name, String value) {
      query.put(name, value);
      return this;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public String queryParam(String name) {
      return query.get(name);
    }

    @Override
    public String toString() {
      return method + " " + host + path + " headers=" + headers + " query=" + query;
    }
  }
}
