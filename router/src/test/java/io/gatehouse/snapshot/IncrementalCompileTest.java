package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.matchName;
import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.TestPki;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.BalancerSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What an incremental compile shares with the snapshot it starts from, and what it rebuilds. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IncrementalCompileTest {
  private static final RouteSpec A1 = route("a1").host("a.test").prefix("/one").build();
  private static final RouteSpec A2 =
      route("a2").host("a.test").prefix("/two").backend("two.internal").build();
  private static final RouteSpec B = route("b").host("b.test").prefix("/").build();
  private static final RouteSpec W = route("w").host("*.w.test").exact("/w").build();
  private static final RouteSpec ANY = route("any").prefix("/any").build();

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private long generation;

  private RouteSnapshot put(RouteSpec... specs) {
    for (RouteSpec r : specs) {
      routes.put(r.key(), r);
    }
    return compiler.update(new TableView(++generation, routes));
  }

  private static RouteSpec withEndpoint(RouteSpec r, String host) {
    return r.withBackend(BackendSpec.http1(List.of(Endpoint.of(host, 9090))));
  }

  @Test
  void endpoint_only_change_keeps_every_level_and_compiled_route() {
    RouteSnapshot before = put(A1, A2, B, W, ANY);
    CompiledRoute a2 = before.route(A2.key());

    RouteSnapshot after = put(withEndpoint(A2, "moved.internal"));

    assertThat(after.hostIndex()).isSameAs(before.hostIndex());
    assertThat(after.routes()).isEqualTo(before.routes());
    assertThat(after.route(A2.key())).isSameAs(a2);
    assertThat(after.backends().get(a2.backendIndex()).endpoints())
        .containsExactly(Endpoint.of("moved.internal", 9090));
    assertThat(after.changedBackendsSince(before)).containsExactly(a2.backendIndex());
    assertThat(after.match("a.test", "/two", req("a.test", "/two"))).isSameAs(a2);
    IncrementalCompilePropertyTest.assertSameService(
        after, SnapshotCompiler.compile(new TableView(generation, routes)), "");
  }

  @Test
  void endpoint_change_of_a_shared_backend_rewrites_one_index_for_all_its_routes() {
    // A1, B, W and ANY share "backend.internal": a Service whose endpoints all of them follow.
    RouteSnapshot before = put(A1, A2, B, W, ANY);
    int shared = before.route(A1.key()).backendIndex();

    RouteSnapshot after =
        put(
            withEndpoint(A1, "pod2.internal"),
            withEndpoint(B, "pod2.internal"),
            withEndpoint(W, "pod2.internal"),
            withEndpoint(ANY, "pod2.internal"));

    assertThat(after.hostIndex()).isSameAs(before.hostIndex());
    assertThat(after.changedBackendsSince(before)).containsExactly(shared);
    assertThat(after.backends().get(shared).endpoints().get(0).host()).isEqualTo("pod2.internal");
  }

  @Test
  void endpoint_change_of_part_of_a_shared_backend_gives_that_route_its_own_index() {
    RouteSnapshot before = put(A1, A2, B);
    int shared = before.route(A1.key()).backendIndex();

    RouteSnapshot after = put(withEndpoint(B, "alone.internal"));

    CompiledRoute b = after.route(B.key());
    assertThat(b.backendIndex()).isNotEqualTo(shared);
    assertThat(after.backends().get(b.backendIndex()).endpoints().get(0).host())
        .isEqualTo("alone.internal");
    assertThat(after.route(A1.key())).isSameAs(before.route(A1.key()));
    assertThat(after.hostIndex().exact("a.test")).isSameAs(before.hostIndex().exact("a.test"));
  }

  @Test
  void endpoint_only_change_of_an_upstream_tls_backend_keeps_its_tls_setting() {
    UpstreamTls upstream = UpstreamTls.DEFAULT.withServerName("svc.internal");
    RouteSpec tlsRoute = A2.withBackend(A2.backend().withTls(upstream));
    RouteSnapshot before = put(A1, tlsRoute, B);
    CompiledRoute compiled = before.route(A2.key());
    BalancerSet balancers = BalancerSet.empty().forSnapshot(before);

    RouteSpec moved =
        tlsRoute.withBackend(
            new BackendSpec(
                tlsRoute.backend().protocol(),
                List.of(Endpoint.of("moved.internal", 443)),
                upstream));
    RouteSnapshot after = put(moved);

    // In place: the compiled route is kept, its index rewritten, and the balancer (which the proxy
    // asks for the TLS setting) follows with the setting.
    assertThat(after.route(A2.key())).isSameAs(compiled);
    assertThat(after.changedBackendsSince(before)).containsExactly(compiled.backendIndex());
    Balancer b = balancers.forSnapshot(after).get(compiled.backendIndex());
    assertThat(b.backend().tls()).isEqualTo(upstream);
    assertThat(b.backend().endpoints()).containsExactly(Endpoint.of("moved.internal", 443));
  }

  @Test
  void a_change_of_the_upstream_tls_setting_is_not_endpoint_only() {
    RouteSpec tlsRoute = A2.withBackend(A2.backend().withTls(UpstreamTls.DEFAULT));
    RouteSnapshot before = put(A1, tlsRoute, B);
    CompiledRoute compiled = before.route(A2.key());

    UpstreamTls other = UpstreamTls.DEFAULT.withServerName("other.internal");
    RouteSnapshot after = put(tlsRoute.withBackend(tlsRoute.backend().withTls(other)));

    CompiledRoute recompiled = after.route(A2.key());
    assertThat(recompiled).isNotSameAs(compiled);
    assertThat(recompiled.spec().backend().tls()).isEqualTo(other);
    assertThat(after.backends().get(recompiled.backendIndex()).tls()).isEqualTo(other);
    IncrementalCompilePropertyTest.assertSameService(
        after, SnapshotCompiler.compile(new TableView(generation, routes)), "");
  }

  @Test
  void client_certificate_checks_and_hosts_follow_added_changed_and_removed_routes() {
    String ca = TestPki.ca("incremental CA").caPem();
    RouteSpec m1 =
        route("m1")
            .host("m.test")
            .prefix("/one")
            .backend("m1.internal")
            .build()
            .withTls(TlsSpec.of(List.of("m.test"), "www").withClientAuth(ClientAuth.required(ca)));
    RouteSpec m2 =
        route("m2")
            .host("m.test")
            .prefix("/two")
            .build()
            .withTls(
                TlsSpec.of(List.of("m.test", "*.w.test"), "www")
                    .withClientAuth(ClientAuth.optional(ca)));
    RouteSnapshot s = put(A1, m1, m2);
    assertThat(s.route(m1.key()).clientCertificates().required()).isTrue();
    assertThat(s.route(m2.key()).clientCertificates().required()).isFalse();
    assertThat(s.asksForClientCertificate("m.test")).isTrue();
    assertThat(s.asksByWildcardOnly("x.w.test")).isTrue();

    // An endpoint-only change keeps the compiled route and its check.
    ClientCertificateCheck check = s.route(m1.key()).clientCertificates();
    s = put(withEndpoint(m1, "moved.internal"));
    assertThat(s.route(m1.key()).clientCertificates()).isSameAs(check);

    // m.test is still asked on while one of its two routes asks.
    routes.remove(m2.key());
    s = compiler.update(new TableView(++generation, routes));
    assertThat(s.asksForClientCertificate("m.test")).isTrue();
    assertThat(s.asksForClientCertificate("x.w.test")).isFalse();

    s = put(m1.withTls(m1.tls().withClientAuth(ClientAuth.NONE)));
    assertThat(s.route(m1.key()).clientCertificates()).isNull();
    assertThat(s.asksForClientCertificate("m.test")).isFalse();

    // A bundle that cannot be used drops the route, as a full compile does.
    s = put(m1.withTls(m1.tls().withClientAuth(ClientAuth.required("junk"))));
    assertThat(s.route(m1.key())).isNull();
    assertThat(s.asksForClientCertificate("m.test")).isFalse();
    IncrementalCompilePropertyTest.assertSameService(
        s, SnapshotCompiler.compile(new TableView(generation, routes)), "");
  }

  @Test
  void a_change_to_one_host_rebuilds_only_that_host() {
    RouteSnapshot before = put(A1, A2, B, W, ANY);

    RouteSnapshot after = put(route("a1").host("a.test").prefix("/uno").build());

    HostIndex b = before.hostIndex();
    HostIndex a = after.hostIndex();
    assertThat(a.exact("a.test")).isNotSameAs(b.exact("a.test"));
    assertThat(a.exact("b.test")).isSameAs(b.exact("b.test"));
    assertThat(a.wildcard("w.test")).isSameAs(b.wildcard("w.test"));
    assertThat(a.catchAll()).isSameAs(b.catchAll());
    assertThat(after.route(A2.key())).isSameAs(before.route(A2.key()));
    assertThat(matchName(after, req("a.test", "/uno/x"))).isEqualTo("a1");
    assertThat(matchName(after, req("a.test", "/one"))).isNull();
    assertThat(matchName(after, req("a.test", "/two"))).isEqualTo("a2");
  }

  @Test
  void removing_the_last_route_of_a_host_removes_the_host() {
    RouteSpec c = route("c").host("c.test").prefix("/").backend("c.internal").build();
    put(A1, A2, B, W, ANY, c);
    routes.remove(B.key());
    routes.remove(W.key());
    routes.remove(ANY.key());
    routes.remove(c.key());

    RouteSnapshot after = compiler.update(new TableView(++generation, routes));

    assertThat(after.hostIndex().exact("b.test")).isNull();
    assertThat(after.hostIndex().wildcard("w.test")).isNull();
    assertThat(after.hostIndex().catchAll()).isNull();
    assertThat(after.hostIndex().exact("c.test")).isNull();
    assertThat(after.hostIndex().exactHostCount()).isEqualTo(1);
    // The freed backend index holds null until a later compile reuses it.
    assertThat(after.backends()).hasSize(3).containsNull();
    RouteSnapshot reused = put(route("d").host("d.test").prefix("/").backend("d.internal").build());
    assertThat(reused.backends()).hasSize(3).doesNotContainNull();
  }

  @Test
  void publisher_falls_back_to_a_full_compile_when_the_incremental_one_fails() throws Exception {
    InMemoryRouteTable table = new InMemoryRouteTable();
    SnapshotHolder holder = new SnapshotHolder();
    AtomicInteger fullCompiles = new AtomicInteger();
    SnapshotCompiler real = new SnapshotCompiler();
    CompletableFuture<RouteSnapshot> published = new CompletableFuture<>();
    try (SnapshotPublisher publisher =
        new SnapshotPublisher(
            table,
            holder,
            Duration.ofMillis(1),
            Duration.ofMillis(10),
            v -> {
              throw new IllegalStateException("boom");
            },
            v -> {
              fullCompiles.incrementAndGet();
              return real.rebuild(v);
            })) {
      publisher.onPublish(
          s -> {
            if (s.generation() == 1) {
              published.complete(s);
            }
          });
      table.put(A1);
      publisher.start();

      RouteSnapshot s = published.get(10, TimeUnit.SECONDS);
      assertThat(matchName(s, req("a.test", "/one"))).isEqualTo("a1");
      assertThat(holder.get()).isSameAs(s);
      assertThat(publisher.fallbacks()).isEqualTo(1);
      assertThat(fullCompiles).hasValue(1);
    }
  }

  @Test
  void publisher_prepares_a_view_before_its_snapshot_is_published_and_publishes_if_that_fails()
      throws Exception {
    InMemoryRouteTable table = new InMemoryRouteTable();
    SnapshotHolder holder = new SnapshotHolder();
    // the generation of the snapshot the routers held while each view was prepared
    List<String> prepared = new CopyOnWriteArrayList<>();
    CompletableFuture<RouteSnapshot> published = new CompletableFuture<>();
    try (SnapshotPublisher publisher =
        new SnapshotPublisher(table, holder, Duration.ofMillis(1), Duration.ofMillis(10))) {
      publisher.beforePublish(
          v ->
              prepared.add(
                  v.generation()
                      + " while serving "
                      + (holder.get() == null ? "none" : holder.get().generation())));
      publisher.beforePublish(
          v -> {
            throw new IllegalStateException("a failed preparation");
          });
      publisher.onPublish(
          s -> {
            if (s.generation() == 1) {
              published.complete(s);
            }
          });
      table.put(A1);
      publisher.start();

      RouteSnapshot s = published.get(10, TimeUnit.SECONDS);
      assertThat(prepared).containsExactly("1 while serving none");
      assertThat(holder.get()).isSameAs(s);
      assertThat(matchName(s, req("a.test", "/one"))).isEqualTo("a1");
    }
  }
}
