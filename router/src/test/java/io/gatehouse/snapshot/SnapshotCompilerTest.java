package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.matchName;
import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Named.named;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.policy.PolicyChain;
import io.gatehouse.policy.PolicyCompiler;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the compiler builds: backends, problems as data, empty snapshots, lookup cost. */
class SnapshotCompilerTest {

  @Test
  void empty_snapshot_matches_nothing() {
    RouteSnapshot s = RouteSnapshot.empty();
    assertThat(s.match("a.example.com", "/", req("a.example.com", "/"))).isNull();
    assertThat(s.match(null, "/", req(null, "/"))).isNull();
    assertThat(s.routeCount()).isZero();
    assertThat(s.generation()).isZero();
    assertThat(s.upstreamTlsSettings()).isEmpty();
    assertThat(s.problems()).isEmpty();
  }

  @Test
  void empty_table_compiles_to_a_snapshot_that_matches_nothing() {
    RouteSnapshot s = SnapshotCompiler.compile(new TableView(3, java.util.Map.of()));
    assertThat(s.generation()).isEqualTo(3);
    assertThat(s.match("a.example.com", "/", req("a.example.com", "/"))).isNull();
  }

  @Test
  void each_route_has_its_own_endpoints_key_even_with_equal_backends() {
    SnapshotCompiler compiler = new SnapshotCompiler();
    RouteSnapshot s =
        compiler.rebuild(
            new TableView(
                7,
                Stream.of(
                        route("a").prefix("/a").backend("one.internal").build(),
                        route("b").prefix("/b").backend("two.internal").build(),
                        route("c").prefix("/c").backend("one.internal").build())
                    .collect(Collectors.toMap(RouteSpec::key, r -> r))));
    CompiledRoute a = s.match("h", "/a", req("h", "/a"));
    CompiledRoute b = s.match("h", "/b", req("h", "/b"));
    CompiledRoute c = s.match("h", "/c", req("h", "/c"));
    assertThat(a.target().key()).isEqualTo(new EndpointsKey.Inline(a.spec().key(), 0));
    assertThat(List.of(a.target().slot(), b.target().slot(), c.target().slot()))
        .doesNotHaveDuplicates();
    assertThat(compiler.endpoints().get(a.target().slot()).endpoints().get(0).host())
        .isEqualTo("one.internal");
    assertThat(compiler.endpoints().get(c.target().slot()).endpoints())
        .isEqualTo(compiler.endpoints().get(a.target().slot()).endpoints());
    assertThat(a.target().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(a.id()).isEqualTo("t1/api/a");
  }

  @Test
  void each_route_carries_its_policy_chain_and_routes_without_policies_share_one() {
    TestPki ca = TestPki.ca("chain CA");
    RouteSpec plain = route("plain").prefix("/plain").build();
    RouteSpec u = route("unlimited").prefix("/unlimited").build();
    RouteSpec unlimited =
        new RouteSpec(
            u.key(),
            u.hosts(),
            u.paths(),
            u.methods(),
            u.headers(),
            u.queries(),
            u.backends(),
            u.timeouts(),
            new Limits(0),
            u.priority(),
            u.tls());
    RouteSpec secure =
        route("secure")
            .prefix("/secure")
            .build()
            .withTls(
                new TlsSpec(
                    List.of(),
                    "www",
                    HttpsRedirect.DEFAULT,
                    Hsts.of(Duration.ofDays(365), false, false),
                    ClientAuth.optional(ca.caPem())));
    RouteSnapshot s = Routes.snapshot(List.of(plain, unlimited, secure));
    assertThat(s.match("h", "/unlimited", req("h", "/unlimited")).policies())
        .isSameAs(PolicyChain.NONE);
    assertThat(s.match("h", "/plain", req("h", "/plain")).policies())
        .as("the default body limit only: one chain for every such route")
        .isSameAs(PolicyCompiler.defaultBackend());
    CompiledRoute r = s.match("h", "/secure", req("h", "/secure"));
    assertThat(r.policies().filters())
        .extracting(f -> f.getClass().getSimpleName())
        .containsExactly(
            "HttpsRedirectFilter", "ClientCertificateFilter", "BodyLimitFilter", "HstsFilter");
    assertThat(r.clientCertificates()).isNotNull();
  }

  @Test
  void compilation_is_deterministic() {
    List<RouteSpec> routes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      routes.add(route("r" + i).prefix("/p" + i).backend("b" + (i % 7) + ".internal").build());
    }
    RouteSnapshot one = Routes.snapshot(routes);
    List<RouteSpec> reversed = new ArrayList<>(routes);
    java.util.Collections.reverse(reversed);
    RouteSnapshot two = Routes.snapshot(reversed);
    assertThat(one.routes()).isEqualTo(two.routes());
    assertThat(one.routeCount()).isEqualTo(50);
  }

  record Bad(RouteSpec bad, String servedPath, String problemContains, boolean routeDropped) {}

  static Stream<Arguments> problems() {
    return Stream.of(
        Arguments.of(
            named(
                "bad-regex-path-drops-only-that-path",
                new Bad(
                    route("bad").prefix("/kept").regex("(").raw(),
                    "/kept",
                    "paths[1].value: \"(\"",
                    false))),
        Arguments.of(
            named(
                "route-whose-only-path-is-bad-is-dropped",
                new Bad(route("bad").regex("a(").raw(), null, "route dropped", true))),
        Arguments.of(
            named(
                "relative-path-is-dropped",
                new Bad(
                    route("bad").exact("nope").prefix("/kept").raw(),
                    "/kept",
                    "(expected: starts with '/')",
                    false))),
        Arguments.of(
            named(
                "bad-header-regex-drops-the-whole-route",
                new Bad(
                    route("bad")
                        .prefix("/bad")
                        .header("x", ValueMatchType.REGULAR_EXPRESSION, "[")
                        .raw(),
                    null,
                    "headers[0].value",
                    true))),
        Arguments.of(
            named(
                "bad-query-regex-drops-the-whole-route",
                new Bad(
                    route("bad")
                        .prefix("/bad")
                        .query("q", ValueMatchType.REGULAR_EXPRESSION, "(?<=x)")
                        .raw(),
                    null,
                    "queries[0].value",
                    true))),
        Arguments.of(
            named(
                "bad-host-drops-only-that-host",
                new Bad(
                    route("bad").host("ok.test", "bad host!").prefix("/kept").raw(),
                    "/kept",
                    "hosts[1]",
                    false))),
        Arguments.of(
            named(
                "route-without-usable-hosts-never-becomes-a-catch-all",
                new Bad(
                    route("bad").host("*.*.test").prefix("/bad").raw(),
                    null,
                    "none of its hosts",
                    true))));
  }

  @ParameterizedTest
  @MethodSource("problems")
  void problems_are_data_and_the_rest_ships(Bad c) {
    RouteSpec good = route("good").host("good.test").prefix("/").build();
    RouteSpec other = route("other").host("ok.test").prefix("/other").build();
    RouteSnapshot s = Routes.snapshot(List.of(good, c.bad(), other));

    assertThat(s.problems()).isNotEmpty();
    assertThat(s.problems()).allMatch(p -> p.key().equals(c.bad().key()));
    assertThat(s.problems()).anySatisfy(p -> assertThat(p.message()).contains(c.problemContains()));
    assertThat(matchName(s, req("good.test", "/x"))).isEqualTo("good");
    assertThat(matchName(s, req("ok.test", "/other"))).isEqualTo("other");
    assertThat(s.routeCount()).isEqualTo(c.routeDropped() ? 2 : 3);
    if (c.servedPath() != null) {
      String host = c.bad().hosts().isEmpty() ? "any.test" : c.bad().hosts().get(0);
      assertThat(matchName(s, req(host, c.servedPath()))).isEqualTo("bad");
    }
    if (c.routeDropped()) {
      assertThat(matchName(s, req("any.test", "/bad"))).isNull();
    }
  }

  @Test
  void regex_routes_never_backtrack() {
    // (a+)+b would take exponential time in a backtracking engine; RE2 is linear in the input.
    RouteSnapshot s =
        Routes.snapshot(
            List.of(
                route("evil").regex("/(a+)+b").build(),
                route("evil-header")
                    .prefix("/h")
                    .header("x", ValueMatchType.REGULAR_EXPRESSION, "(a+)+b")
                    .build()));
    String as = "a".repeat(50_000);
    // A hang guard, not a timing assertion: a backtracking engine would never finish.
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          assertThat(matchName(s, req("h.test", "/" + as))).isNull();
          assertThat(matchName(s, req("h.test", "/h").header("x", as))).isNull();
          assertThat(matchName(s, req("h.test", "/" + as + "b"))).isEqualTo("evil");
        });
  }

  @Test
  void prefix_lookup_work_depends_on_request_segments_not_on_route_count() {
    RouteSnapshot small = Routes.snapshot(manyRoutes(10));
    RouteSnapshot large = Routes.snapshot(manyRoutes(5_000));
    String path = "/svc3/v1/items/42/detail";

    int smallProbes = small.prefixProbes("h.test", path);
    int largeProbes = large.prefixProbes("h.test", path);

    assertThat(matchName(small, req("h.test", path))).isEqualTo("r3");
    assertThat(matchName(large, req("h.test", path))).isEqualTo("r3");
    assertThat(largeProbes).isEqualTo(smallProbes);
    // root + one child lookup per configured segment walked (svc3, v1, items) + the failed one.
    assertThat(largeProbes).isLessThanOrEqualTo(1 + 5);
  }

  private static List<RouteSpec> manyRoutes(int n) {
    List<RouteSpec> routes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      routes.add(route("r" + i).host("h.test").prefix("/svc" + i + "/v1/items").build());
      if (i % 10 == 0) {
        routes.add(route("x" + i).host("h.test").exact("/svc" + i + "/exact").build());
      }
    }
    return routes;
  }
}
