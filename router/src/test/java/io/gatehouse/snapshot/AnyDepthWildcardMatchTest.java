package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.TableView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #17: a Gateway API wildcard hostname covers any number of labels ({@code *.example.com}
 * serves {@code a.b.example.com}); an Ingress or REST wildcard covers exactly one. The most
 * specific level wins: the exact host, then a one-label wildcard, then the longest any-depth
 * suffix, then the catch-all. The same cases hold after a full compile, after incremental compiles,
 * on the node's own listeners and on a Gateway listener.
 */
class AnyDepthWildcardMatchTest {
  private static final ListenerKey GW = ListenerKey.of("team-a", "k8s", "gateway/team-a/web/80");
  private static final Map<ListenerKey, ListenerSpec> LISTENERS =
      Map.of(GW, new ListenerSpec(GW, "127.0.1.1", 80, ListenerProtocol.HTTP));

  private static List<RouteSpec> routes(@Nullable ListenerKey on) {
    String p = on == null ? "own-" : "gw-";
    return List.of(
        deep(route(p + "deep").host("*.deep.test").prefix("/").build(), on),
        deep(route(p + "deep-sub").host("*.sub.deep.test").prefix("/").build(), on),
        on(route(p + "exact").host("x.sub.deep.test").prefix("/").build(), on),
        on(route(p + "one-label").host("*.one.test").prefix("/").build(), on),
        deep(route(p + "deep-under-one").host("*.b.one.test").prefix("/").build(), on),
        on(route(p + "catch-all").prefix("/").build(), on));
  }

  private static RouteSpec on(RouteSpec r, @Nullable ListenerKey listener) {
    return listener == null ? r : r.withListener(listener);
  }

  private static RouteSpec deep(RouteSpec r, @Nullable ListenerKey listener) {
    return on(r, listener).withWildcardsAnyDepth(true);
  }

  private static List<RouteSpec> all() {
    List<RouteSpec> out = new ArrayList<>(routes(null));
    out.addAll(routes(GW));
    return out;
  }

  private static TableView view(long generation, List<RouteSpec> routes) {
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    for (RouteSpec r : routes) {
      m.put(r.key(), r);
    }
    return new TableView(
        generation, m, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), LISTENERS, Map.of(), null);
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String on : List.of("own", "gw")) {
      out.add(Arguments.of(on, "a.deep.test", on + "-deep"));
      out.add(Arguments.of(on, "a.b.c.deep.test", on + "-deep"));
      out.add(Arguments.of(on, "a.sub.deep.test", on + "-deep-sub"));
      out.add(Arguments.of(on, "a.b.sub.deep.test", on + "-deep-sub"));
      out.add(Arguments.of(on, "x.sub.deep.test", on + "-exact"));
      out.add(Arguments.of(on, "sub.deep.test", on + "-deep"));
      out.add(Arguments.of(on, "deep.test", on + "-catch-all"));
      out.add(Arguments.of(on, "a.one.test", on + "-one-label"));
      out.add(Arguments.of(on, "b.one.test", on + "-one-label"));
      out.add(Arguments.of(on, "a.b.one.test", on + "-deep-under-one"));
      out.add(Arguments.of(on, "a.c.b.one.test", on + "-deep-under-one"));
      out.add(Arguments.of(on, "a.c.d.one.test", on + "-catch-all"));
      out.add(Arguments.of(on, "other.test", on + "-catch-all"));
    }
    return out.stream();
  }

  private static @Nullable String matched(RouteSnapshot s, String on, String host) {
    int slot = on.equals("own") ? RouteSnapshot.OWN_LISTENERS : s.listenerSlot(GW);
    CompiledRoute c = s.match(slot, host, "/", req(host, "/"));
    return c == null ? null : c.spec().key().name();
  }

  @ParameterizedTest(name = "full: {0} {1}")
  @MethodSource("cases")
  void full_compile(String on, String host, String expected) {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, all()));
    assertThat(matched(s, on, host)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "incremental: {0} {1}")
  @MethodSource("cases")
  void incremental_compile(String on, String host, String expected) {
    SnapshotCompiler compiler = new SnapshotCompiler();
    RouteSnapshot s = compiler.update(view(1, List.of()));
    compiler.afterPublish();
    List<RouteSpec> so = new ArrayList<>();
    long g = 1;
    for (RouteSpec r : all()) {
      so.add(r);
      s = compiler.update(view(++g, so));
      compiler.afterPublish();
    }
    assertThat(matched(s, on, host)).isEqualTo(expected);
  }

  @Test
  void a_route_that_loses_any_depth_or_leaves_gives_the_names_back() {
    SnapshotCompiler compiler = new SnapshotCompiler();
    List<RouteSpec> routes = new ArrayList<>(all());
    RouteSnapshot s = compiler.update(view(1, routes));
    compiler.afterPublish();
    assertThat(matched(s, "gw", "a.b.sub.deep.test")).isEqualTo("gw-deep-sub");

    // the same route, now one label deep: its deeper names fall to the wider wildcard
    routes.replaceAll(
        r -> r.key().name().equals("gw-deep-sub") ? r.withWildcardsAnyDepth(false) : r);
    s = compiler.update(view(2, routes));
    compiler.afterPublish();
    assertThat(matched(s, "gw", "a.b.sub.deep.test")).isEqualTo("gw-deep");
    assertThat(matched(s, "gw", "a.sub.deep.test")).isEqualTo("gw-deep-sub");

    // every any-depth wildcard leaves: the catch-all again
    routes.removeIf(RouteSpec::wildcardsAnyDepth);
    s = compiler.update(view(3, routes));
    compiler.afterPublish();
    assertThat(matched(s, "gw", "a.b.c.deep.test")).isEqualTo("gw-catch-all");
    assertThat(matched(s, "own", "a.b.c.deep.test")).isEqualTo("own-catch-all");
    assertThat(matched(s, "gw", "a.sub.deep.test")).isEqualTo("gw-deep-sub");
  }

  @Test
  void the_admin_trace_names_the_any_depth_level() {
    RouteSnapshot s = new SnapshotCompiler().rebuild(view(1, all()));
    MatchTrace t = s.trace("a.b.sub.deep.test", "/", req("a.b.sub.deep.test", "/"));
    assertThat(t.level()).isEqualTo(MatchTrace.HostLevel.WILDCARD);
    assertThat(t.levelHost()).isEqualTo("*.sub.deep.test");
    assertThat(t.route().spec().key().name()).isEqualTo("own-deep-sub");
  }
}
