package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.table.TableView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #17 phase 2: each Gateway listener has its own host index; a request is matched only among
 * the routes of the listener that accepted it, and the node's own listeners only among the routes
 * that name none. The same cases hold after a full compile and after the same table built up by
 * incremental compiles.
 */
class ListenerMatchTest {
  private static final ListenerKey WEB = ListenerKey.of("team-a", "k8s", "gateway/team-a/web/80");
  private static final ListenerKey SHOP = ListenerKey.of("team-b", "k8s", "gateway/team-b/shop/80");
  private static final ListenerKey GONE = ListenerKey.of("team-c", "k8s", "gateway/team-c/gone/80");

  private static final Map<ListenerKey, ListenerSpec> LISTENERS =
      Map.of(
          WEB, new ListenerSpec(WEB, "127.0.1.1", 80, ListenerProtocol.HTTP),
          SHOP, new ListenerSpec(SHOP, "127.0.1.2", 80, ListenerProtocol.HTTP));

  /** Every route's host is app.test, or none: only the listener tells them apart. */
  private static final List<RouteSpec> ROUTES =
      List.of(
          route("own").host("app.test").prefix("/").build(),
          route("own-api").host("app.test").prefix("/api").build(),
          route("web").host("app.test").prefix("/").build().withListener(WEB),
          route("web-wild").host("*.web.test").prefix("/").build().withListener(WEB),
          route("shop-any").prefix("/").build().withListener(SHOP),
          route("gone").host("app.test").prefix("/").build().withListener(GONE));

  private static TableView view(long generation, List<RouteSpec> routes, boolean listeners) {
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    for (RouteSpec r : routes) {
      m.put(r.key(), r);
    }
    return new TableView(
        generation,
        m,
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        listeners ? LISTENERS : Map.of(),
        Map.of(),
        null);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("own-listeners-see-their-own-route", null, "app.test", "/", "own"),
        Arguments.of("own-listeners-longest-prefix", null, "app.test", "/api/x", "own-api"),
        Arguments.of("own-listeners-never-see-a-catch-all-of-a-gateway", null, "x.test", "/", null),
        Arguments.of("own-listeners-never-see-a-gateway-wildcard", null, "a.web.test", "/", null),
        Arguments.of(
            "a-gateway-sees-its-route-for-the-same-host", WEB, "app.test", "/api/x", "web"),
        Arguments.of("a-gateway-sees-its-wildcard", WEB, "a.web.test", "/", "web-wild"),
        Arguments.of(
            "a-gateway-does-not-fall-to-another-gateways-catch-all", WEB, "x.test", "/", null),
        Arguments.of("another-gateway-sees-only-its-catch-all", SHOP, "app.test", "/", "shop-any"),
        Arguments.of("a-listener-not-in-the-table-serves-nothing", GONE, "app.test", "/", null));
  }

  private static String matched(RouteSnapshot s, ListenerKey listener, String host, String path) {
    int slot = listener == null ? RouteSnapshot.OWN_LISTENERS : s.listenerSlot(listener);
    CompiledRoute c = s.match(slot, host, path, req(host, path));
    return c == null ? null : c.spec().key().name();
  }

  @ParameterizedTest(name = "full: {0}")
  @MethodSource("cases")
  void full_compile(String name, ListenerKey listener, String host, String path, String expected) {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, ROUTES, true));
    assertThat(matched(s, listener, host, path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "incremental: {0}")
  @MethodSource("cases")
  void incremental_compile(
      String name, ListenerKey listener, String host, String path, String expected) {
    SnapshotCompiler compiler = new SnapshotCompiler();
    RouteSnapshot s = compiler.update(view(1, List.of(), false));
    List<RouteSpec> so = new ArrayList<>();
    long g = 1;
    for (RouteSpec r : ROUTES) { // one route at a time, listeners arriving last
      so.add(r);
      s = compiler.update(view(++g, so, false));
      compiler.afterPublish();
    }
    s = compiler.update(view(++g, so, true));
    compiler.afterPublish();
    assertThat(matched(s, listener, host, path)).isEqualTo(expected);
  }

  @Test
  void the_plain_match_is_the_node_own_listeners() {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, ROUTES, true));
    assertThat(Routes.matchName(s, req("app.test", "/"))).isEqualTo("own");
    assertThat(s.match(99, "app.test", "/", req("app.test", "/"))).isNull();
    assertThat(s.match(-1, "app.test", "/", req("app.test", "/"))).isNull();
  }

  @Test
  void slots_are_stable_and_a_removed_listener_serves_nothing() {
    SnapshotCompiler compiler = new SnapshotCompiler();
    RouteSnapshot first = compiler.update(view(1, ROUTES, true));
    compiler.afterPublish();
    int web = first.listenerSlot(WEB);
    assertThat(web).isPositive();
    assertThat(first.listenerSlot(SHOP)).isPositive().isNotEqualTo(web);
    assertThat(first.listeners()).isEqualTo(LISTENERS);

    // the listeners leave the table; a socket still draining keeps its slot and matches nothing
    RouteSnapshot without = compiler.update(view(2, ROUTES, false));
    compiler.afterPublish();
    assertThat(without.listenerSlot(WEB)).isEqualTo(-1);
    assertThat(without.match(web, "app.test", "/", req("app.test", "/"))).isNull();
    assertThat(without.listeners()).isEmpty();

    // back again: the same slot
    RouteSnapshot again = compiler.update(view(3, ROUTES, true));
    assertThat(again.listenerSlot(WEB)).isEqualTo(web);
    assertThat(again.match(web, "app.test", "/", req("app.test", "/")).spec().key().name())
        .isEqualTo("web");
  }

  @Test
  void a_route_naming_a_missing_listener_is_reported_and_served_nowhere() {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, ROUTES, true));
    assertThat(s.problems())
        .filteredOn(p -> p.key().name().equals("gone"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains(GONE.toString()).contains("not served"));
    RouteSnapshot none = new SnapshotCompiler().rebuild(view(1, ROUTES, false));
    assertThat(none.problems()).extracting(p -> p.key().name()).contains("web", "shop-any", "gone");
  }

  @Test
  void a_passthrough_route_on_a_gateway_listener_is_dropped_not_passed_through_the_nodes_own() {
    RouteSpec pass =
        route("pass")
            .host("tls.test")
            .build()
            .withTls(TlsSpec.passthrough(List.of("tls.test")))
            .withListener(WEB);
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, List.of(pass), true));
    assertThat(s.routeCount()).isZero();
    assertThat(s.passthrough().isEmpty()).isTrue();
    assertThat(s.problems())
        .extracting(RouteProblem::message)
        .anyMatch(m -> m.contains("passthrough"));
  }
}
