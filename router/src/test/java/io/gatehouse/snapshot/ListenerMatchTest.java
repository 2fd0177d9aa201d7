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
import io.gatehouse.validate.RouteValidator;
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
  private static final ListenerKey WEB_TLS =
      ListenerKey.of("team-a", "k8s", "gateway/team-a/web/443");
  private static final ListenerKey SHOP_TLS =
      ListenerKey.of("team-b", "k8s", "gateway/team-b/shop/443");
  private static final ListenerKey GONE_TLS =
      ListenerKey.of("team-c", "k8s", "gateway/team-c/gone/443");

  private static final Map<ListenerKey, ListenerSpec> LISTENERS =
      Map.of(
          WEB, new ListenerSpec(WEB, "127.0.1.1", 80, ListenerProtocol.HTTP),
          SHOP, new ListenerSpec(SHOP, "127.0.1.2", 80, ListenerProtocol.HTTP),
          WEB_TLS, new ListenerSpec(WEB_TLS, "127.0.1.1", 443, ListenerProtocol.HTTPS),
          SHOP_TLS, new ListenerSpec(SHOP_TLS, "127.0.1.2", 443, ListenerProtocol.HTTPS));

  /**
   * Every route's host is app.test, or none, and every passthrough name db.test or a wildcard: only
   * the listener tells them apart.
   */
  private static final List<RouteSpec> ROUTES =
      List.of(
          route("own").host("app.test").prefix("/").build(),
          route("own-api").host("app.test").prefix("/api").build(),
          route("web").host("app.test").prefix("/").build().withListener(WEB),
          route("web-wild").host("*.web.test").prefix("/").build().withListener(WEB),
          route("shop-any").prefix("/").build().withListener(SHOP),
          route("gone").host("app.test").prefix("/").build().withListener(GONE),
          passthrough("pt-own", "db.test", null),
          passthrough("pt-web", "db.test", WEB_TLS),
          route("web-tls").host("app.test").prefix("/").build().withListener(WEB_TLS),
          passthrough("pt-shop", "db.test", SHOP_TLS),
          passthrough("pt-shop-wild", "*.shop.test", SHOP_TLS),
          passthrough("pt-gone", "db.test", GONE_TLS));

  /** A validated TLS passthrough route for {@code host}, on {@code listener} (null: the node's). */
  private static RouteSpec passthrough(String name, String host, ListenerKey listener) {
    RouteSpec spec =
        RouteValidator.validate(
                route(name).host(host).prefix("/").build().withTls(TlsSpec.passthrough(List.of())))
            .value();
    return listener == null ? spec : spec.withListener(listener);
  }

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

  /** TLS passthrough by SNI name on each socket: (case, listener, SNI name, route expected). */
  static Stream<Arguments> passthroughCases() {
    return Stream.of(
        Arguments.of("own-listener-passes-its-own-route", null, "db.test", "pt-own"),
        Arguments.of("a-gateway-passes-its-route-for-the-same-name", WEB_TLS, "db.test", "pt-web"),
        Arguments.of("another-gateway-passes-its-own", SHOP_TLS, "DB.TEST.", "pt-shop"),
        Arguments.of("a-gateway-wildcard-one-label", SHOP_TLS, "a.shop.test", "pt-shop-wild"),
        Arguments.of("own-listener-never-sees-a-gateway-name", null, "a.shop.test", null),
        Arguments.of("a-gateway-never-sees-another-gateways-name", WEB_TLS, "a.shop.test", null),
        Arguments.of("a-gateway-http-socket-passes-nothing", SHOP, "db.test", null),
        Arguments.of("a-listener-not-in-the-table-passes-nothing", GONE_TLS, "db.test", null));
  }

  private static String matched(RouteSnapshot s, ListenerKey listener, String host, String path) {
    CompiledRoute c = s.match(slot(s, listener), host, path, req(host, path));
    return c == null ? null : c.spec().key().name();
  }

  private static int slot(RouteSnapshot s, ListenerKey listener) {
    return listener == null ? RouteSnapshot.OWN_LISTENERS : s.listenerSlot(listener);
  }

  private static String passedTo(RouteSnapshot s, ListenerKey listener, String sni) {
    CompiledRoute c = s.passthrough(slot(s, listener)).lookup(sni);
    return c == null ? null : c.spec().key().name();
  }

  /** The table of {@link #ROUTES} built up one route at a time, the listeners arriving last. */
  private static RouteSnapshot builtUp(SnapshotCompiler compiler) {
    RouteSnapshot s = compiler.update(view(1, List.of(), false));
    List<RouteSpec> so = new ArrayList<>();
    long g = 1;
    for (RouteSpec r : ROUTES) {
      so.add(r);
      s = compiler.update(view(++g, so, false));
      compiler.afterPublish();
    }
    s = compiler.update(view(++g, so, true));
    compiler.afterPublish();
    return s;
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
    RouteSnapshot s = builtUp(new SnapshotCompiler());
    assertThat(matched(s, listener, host, path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "full: {0}")
  @MethodSource("passthroughCases")
  void full_compile_passthrough(String name, ListenerKey listener, String sni, String expected) {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, ROUTES, true));
    assertThat(passedTo(s, listener, sni)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "incremental: {0}")
  @MethodSource("passthroughCases")
  void incremental_compile_passthrough(
      String name, ListenerKey listener, String sni, String expected) {
    RouteSnapshot s = builtUp(new SnapshotCompiler());
    assertThat(passedTo(s, listener, sni)).isEqualTo(expected);
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
  void a_passthrough_route_on_a_gateway_listener_is_never_passed_through_the_nodes_own() {
    RouteSnapshot s =
        new SnapshotCompiler().rebuild(view(1, List.of(ROUTES.get(7), ROUTES.get(9)), true));
    assertThat(s.routeCount()).isEqualTo(2);
    assertThat(s.passthrough().isEmpty()).isTrue();
    assertThat(s.passthrough(RouteSnapshot.OWN_LISTENERS).isEmpty()).isTrue();
    assertThat(s.problems()).isEmpty();
    // nor served as HTTP on its socket
    assertThat(matched(s, WEB_TLS, "db.test", "/")).isNull();
    assertThat(s.passthrough(99).isEmpty()).isTrue();
    assertThat(s.passthrough(-1).isEmpty()).isTrue();
  }

  @Test
  void terminated_names_are_per_socket_for_the_gate() {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, ROUTES, true));
    int web = s.listenerSlot(WEB_TLS);
    int shop = s.listenerSlot(SHOP_TLS);
    assertThat(s.servesTerminated(web, "app.test")).isTrue();
    assertThat(s.servesTerminatedExactly(web, "APP.test.")).isTrue();
    assertThat(s.servesTerminated(web, null)).isFalse();
    // only passthrough routes on the shop socket: nothing else is served there
    assertThat(s.servesTerminated(shop, "app.test")).isFalse();
    assertThat(s.servesTerminated(shop, null)).isFalse();
    assertThat(s.servesTerminated(RouteSnapshot.OWN_LISTENERS, "app.test")).isTrue();
    assertThat(s.servesTerminated(99, "app.test")).isFalse();
  }

  @Test
  void conflicts_are_per_socket() {
    RouteSpec clash = route("web-tls-db").host("db.test").prefix("/").build().withListener(WEB_TLS);
    RouteSpec late = passthrough("pt-web-late", "db.test", WEB_TLS);
    List<RouteSpec> routes = new ArrayList<>(ROUTES);
    routes.add(clash);
    routes.add(late);
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, routes, true));
    // pt-web passes db.test through on its socket: the terminated route there answers plain HTTP
    // only, and the later passthrough route for the same name there is not served
    assertThat(s.problems())
        .filteredOn(p -> p.message().startsWith("tls.passthrough"))
        .extracting(p -> p.key().name())
        .containsExactlyInAnyOrder("pt-web", "pt-web-late");
    assertThat(passedTo(s, WEB_TLS, "db.test")).isEqualTo("pt-web");
    // the same name on other sockets is no conflict: pt-own, pt-shop are served without a problem
    assertThat(s.problems()).extracting(p -> p.key().name()).doesNotContain("pt-own", "pt-shop");
  }

  @Test
  void an_incremental_change_on_one_socket_leaves_the_others() {
    SnapshotCompiler compiler = new SnapshotCompiler();
    RouteSnapshot before = builtUp(compiler);
    List<RouteSpec> without = new ArrayList<>(ROUTES);
    without.remove(ROUTES.get(7)); // pt-web
    RouteSnapshot after = compiler.update(view(100, without, true));
    compiler.afterPublish();
    assertThat(passedTo(after, WEB_TLS, "db.test")).isNull();
    assertThat(passedTo(after, SHOP_TLS, "db.test")).isEqualTo("pt-shop");
    assertThat(passedTo(after, null, "db.test")).isEqualTo("pt-own");
    assertThat(after.passthrough(after.listenerSlot(SHOP_TLS)))
        .isSameAs(before.passthrough(before.listenerSlot(SHOP_TLS)));
    assertThat(after.passthrough()).isSameAs(before.passthrough());
    // and back: every case as after a full compile
    RouteSnapshot again = compiler.update(view(101, ROUTES, true));
    passthroughCases()
        .forEach(
            c -> {
              Object[] a = c.get();
              assertThat(passedTo(again, (ListenerKey) a[1], (String) a[2]))
                  .as((String) a[0])
                  .isEqualTo(a[3]);
            });
  }

  @Test
  void a_passthrough_route_on_a_plain_http_listener_is_reported_and_never_passed() {
    RouteSnapshot s =
        new SnapshotCompiler()
            .rebuild(view(1, List.of(passthrough("pt-plain", "db.test", SHOP)), true));
    assertThat(s.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.key().name()).isEqualTo("pt-plain");
              assertThat(p.message()).contains(SHOP.toString()).contains("plain HTTP");
            });
    assertThat(s.passthrough(RouteSnapshot.OWN_LISTENERS).lookup("db.test")).isNull();
    assertThat(matched(s, SHOP, "db.test", "/")).isNull();
  }

  @Test
  void a_passthrough_route_naming_a_missing_listener_is_reported() {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, ROUTES, true));
    assertThat(s.problems())
        .filteredOn(p -> p.key().name().equals("pt-gone"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains(GONE_TLS.toString()));
  }
}
