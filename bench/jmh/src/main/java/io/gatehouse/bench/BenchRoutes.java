package io.gatehouse.bench;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.RequestView;
import io.gatehouse.table.TableView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A synthetic route table: about ten routes per exact host, one route in a hundred on a wildcard
 * host, Prefix paths of two to four segments, backends shared by ten routes each.
 */
final class BenchRoutes {
  static final RequestView GET =
      new RequestView() {
        @Override
        public String method() {
          return "GET";
        }

        @Override
        public String header(String lowerCaseName) {
          return null;
        }

        @Override
        public String queryParam(String name) {
          return null;
        }
      };

  private BenchRoutes() {}

  static int hostCount(int routes) {
    return Math.max(1, routes / 10);
  }

  static int wildcardCount(int routes) {
    return Math.max(1, routes / 1000);
  }

  static boolean isWildcard(int i) {
    return i % 100 == 0;
  }

  static String configuredHost(int i, int routes) {
    return isWildcard(i)
        ? "*.w" + (i / 100) % wildcardCount(routes) + ".bench.test"
        : "h" + i % hostCount(routes) + ".bench.test";
  }

  /** A host a request for route {@code i} carries. */
  static String requestHost(int i, int routes) {
    return isWildcard(i)
        ? "x" + i + ".w" + (i / 100) % wildcardCount(routes) + ".bench.test"
        : configuredHost(i, routes);
  }

  static String prefix(int i) {
    return switch (i % 3) {
      case 0 -> "/svc" + i + "/v1";
      case 1 -> "/svc" + i + "/v2/items";
      default -> "/svc" + i + "/api/v3/orders";
    };
  }

  static TableView table(int routes) {
    Map<RouteKey, RouteSpec> m = new HashMap<>(routes * 2);
    for (int i = 0; i < routes; i++) {
      RouteKey key = RouteKey.of("bench", "api", "r" + i);
      BackendSpec backend =
          BackendSpec.http1(List.of(Endpoint.of("b" + (i / 10) + ".internal", 8080)));
      m.put(
          key,
          RouteSpec.simple(
              key,
              List.of(configuredHost(i, routes)),
              List.of(PathMatch.prefix(prefix(i))),
              backend));
    }
    return new TableView(1, m);
  }
}
