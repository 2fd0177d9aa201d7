package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.matchName;
import static io.gatehouse.snapshot.Routes.req;
import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.policy.ClientCertificateCheck;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.TestPki;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.Balancers;
import java.time.Duration;
import java.util.ArrayList;
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

  private final EndpointIndex index = new EndpointIndex();
  private final SnapshotCompiler compiler = new SnapshotCompiler(index);
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private long generation;

  /** Compiles and "publishes" (the publisher calls afterPublish right after the holder's set). */
  private RouteSnapshot put(RouteSpec... specs) {
    for (RouteSpec r : specs) {
      routes.put(r.key(), r);
    }
    RouteSnapshot s = compiler.update(new TableView(++generation, routes));
    compiler.afterPublish();
    return s;
  }

  private RouteSnapshot remove(RouteSpec... specs) {
    for (RouteSpec r : specs) {
      routes.remove(r.key());
    }
    RouteSnapshot s = compiler.update(new TableView(++generation, routes));
    compiler.afterPublish();
    return s;
  }

  private static RouteSpec withEndpoint(RouteSpec r, String host) {
    return r.withBackend(BackendSpec.http1(List.of(Endpoint.of(host, 9090))));
  }

  private EndpointSet endpointsOf(RouteSnapshot s, RouteSpec r) {
    return index.get(s.route(r.key()).target().slot());
  }

  @Test
  void endpoint_only_change_keeps_every_level_and_compiled_route_and_puts_once() {
    RouteSnapshot before = put(A1, A2, B, W, ANY);
    CompiledRoute a2 = before.route(A2.key());
    List<EndpointSet> puts = new ArrayList<>();
    index.onChange(puts::add);

    RouteSnapshot after = put(withEndpoint(A2, "moved.internal"));

    assertThat(after.hostIndex()).isSameAs(before.hostIndex());
    assertThat(after.routes()).isEqualTo(before.routes());
    assertThat(after.route(A2.key())).isSameAs(a2);
    assertThat(puts).hasSize(1);
    assertThat(puts.get(0).key()).isEqualTo(new EndpointsKey.Inline(A2.key(), 0));
    assertThat(index.get(a2.target().slot())).isSameAs(puts.get(0));
    assertThat(endpointsOf(after, A2).endpoints())
        .containsExactly(Endpoint.of("moved.internal", 9090));
    assertThat(after.match("a.test", "/two", req("a.test", "/two"))).isSameAs(a2);
    IncrementalCompilePropertyTest.assertSameService(
        after, index, SnapshotCompiler.compile(new TableView(generation, routes)), "");
  }

  @Test
  void endpoint_change_of_many_routes_is_one_put_per_route_key_and_no_recompile() {
    // A1, B, W and ANY list the same endpoints (a Service all of them follow): each has its own
    // key.
    RouteSnapshot before = put(A1, A2, B, W, ANY);
    List<EndpointSet> puts = new ArrayList<>();
    index.onChange(puts::add);

    RouteSnapshot after =
        put(
            withEndpoint(A1, "pod2.internal"),
            withEndpoint(B, "pod2.internal"),
            withEndpoint(W, "pod2.internal"),
            withEndpoint(ANY, "pod2.internal"));

    assertThat(after.hostIndex()).isSameAs(before.hostIndex());
    assertThat(after.routes()).isEqualTo(before.routes());
    assertThat(puts)
        .extracting(EndpointSet::key)
        .containsExactlyInAnyOrder(
            new EndpointsKey.Inline(A1.key(), 0),
            new EndpointsKey.Inline(B.key(), 0),
            new EndpointsKey.Inline(W.key(), 0),
            new EndpointsKey.Inline(ANY.key(), 0));
    for (RouteSpec r : List.of(A1, B, W, ANY)) {
      assertThat(endpointsOf(after, r).endpoints().get(0).host()).isEqualTo("pod2.internal");
    }
    assertThat(endpointsOf(after, A2).endpoints().get(0).host()).isEqualTo("two.internal");
  }

  @Test
  void endpoint_only_change_of_an_upstream_tls_backend_keeps_its_tls_setting() {
    UpstreamTls upstream = UpstreamTls.DEFAULT.withServerName("svc.internal");
    RouteSpec tlsRoute = A2.withBackend(A2.backend().withTls(upstream));
    RouteSnapshot before = put(A1, tlsRoute, B);
    CompiledRoute compiled = before.route(A2.key());
    Balancers balancers = new Balancers();
    Target t = compiled.target();
    Balancer first = balancers.forSlot(t.slot(), t.key(), index.get(t.slot()));

    RouteSpec moved =
        tlsRoute.withBackend(
            new BackendSpec(
                tlsRoute.backend().protocol(),
                List.of(Endpoint.of("moved.internal", 443)),
                upstream));
    RouteSnapshot after = put(moved);

    // The compiled route is kept with its target (which the proxy asks for the TLS setting), and
    // the balancer of its slot follows the new set.
    assertThat(after.route(A2.key())).isSameAs(compiled);
    assertThat(compiled.target().tls()).isEqualTo(upstream);
    assertThat(after.upstreamTlsSettings()).isSameAs(before.upstreamTlsSettings());
    Balancer b = balancers.forSlot(t.slot(), t.key(), index.get(t.slot()));
    assertThat(b).isNotSameAs(first);
    assertThat(b.next()).isEqualTo(Endpoint.of("moved.internal", 443));
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
    assertThat(recompiled.target().tls()).isEqualTo(other);
    // Same key, same slot: the balancer state of its endpoints survives the recompile.
    assertThat(recompiled.target().slot()).isEqualTo(compiled.target().slot());
    assertThat(after.upstreamTlsSettings()).containsExactly(other);
    IncrementalCompilePropertyTest.assertSameService(
        after, index, SnapshotCompiler.compile(new TableView(generation, routes)), "");
  }

  @Test
  void a_change_of_the_proxy_protocol_setting_is_not_endpoint_only() {
    RouteSnapshot before = put(A1, A2, B);
    CompiledRoute compiled = before.route(A2.key());

    RouteSnapshot after =
        put(A2.withBackend(A2.backend().withProxyProtocol(ProxyProtocolVersion.V1)));

    CompiledRoute recompiled = after.route(A2.key());
    assertThat(recompiled).isNotSameAs(compiled);
    assertThat(recompiled.target().proxyProtocol()).isEqualTo(ProxyProtocolVersion.V1);
    assertThat(recompiled.target().slot()).isEqualTo(compiled.target().slot());
    IncrementalCompilePropertyTest.assertSameService(
        after, index, SnapshotCompiler.compile(new TableView(generation, routes)), "");
  }

  @Test
  void a_removed_route_keeps_its_slot_until_after_the_publish_then_its_key_is_forgotten() {
    RouteSpec c = route("c").host("c.test").prefix("/").backend("c.internal").build();
    RouteSnapshot before = put(A1, c);
    int slot = before.route(c.key()).target().slot();
    EndpointsKey key = new EndpointsKey.Inline(c.key(), 0);

    routes.remove(c.key());
    RouteSnapshot after = compiler.update(new TableView(++generation, routes));
    // Not yet published: the routers may still serve c from the snapshot before.
    assertThat(after.route(c.key())).isNull();
    assertThat(index.get(slot).key()).isEqualTo(key);
    assertThat(index.get(slot).endpoints()).containsExactly(Endpoint.of("c.internal", 8080));

    compiler.afterPublish();
    assertThat(index.get(key).revision()).isZero();
    assertThat(index.size()).isEqualTo(1);
    // The freed slot is reused by the next new key.
    RouteSnapshot reused = put(route("d").host("d.test").prefix("/").backend("d.internal").build());
    assertThat(reused.route(RouteKey.of("t1", "api", "d")).target().slot()).isEqualTo(slot);
  }

  @Test
  void a_full_rebuild_keeps_each_keys_slot_and_gives_back_the_old_holds_after_the_publish() {
    RouteSnapshot before = put(A1, B);
    RouteSpec x = route("x").host("x.test").prefix("/").backend("x.internal").build();
    routes.put(x.key(), x);
    routes.remove(B.key());

    RouteSnapshot full = compiler.rebuild(new TableView(++generation, routes));
    // Before the publish, B's key is still held for the snapshot the routers serve.
    assertThat(index.get(new EndpointsKey.Inline(B.key(), 0)).revision()).isNotZero();
    compiler.afterPublish();

    assertThat(full.route(A1.key()).target().slot())
        .isEqualTo(before.route(A1.key()).target().slot());
    assertThat(index.get(new EndpointsKey.Inline(B.key(), 0)).revision()).isZero();
    assertThat(index.size()).isEqualTo(2);
    // A1 is held once (by the new snapshot): one more release frees nothing it still needs.
    RouteSnapshot next = remove(A1);
    assertThat(next.route(A1.key())).isNull();
    assertThat(index.size()).isEqualTo(1);
    IncrementalCompilePropertyTest.assertSameService(
        next, index, SnapshotCompiler.compile(new TableView(generation, routes)), "");
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
    s = remove(m2);
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
        s, index, SnapshotCompiler.compile(new TableView(generation, routes)), "");
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

    RouteSnapshot after = remove(B, W, ANY, c);

    assertThat(after.hostIndex().exact("b.test")).isNull();
    assertThat(after.hostIndex().wildcard("w.test")).isNull();
    assertThat(after.hostIndex().catchAll()).isNull();
    assertThat(after.hostIndex().exact("c.test")).isNull();
    assertThat(after.hostIndex().exactHostCount()).isEqualTo(1);
    // Only the two routes left hold keys in the index.
    assertThat(index.size()).isEqualTo(2);
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

  /**
   * A recompile that changes a route's endpoints with its protocol moves it to a fresh key: the old
   * compiled route, published until the new snapshot is, keeps reading its own endpoints.
   */
  @Test
  void a_recompile_that_also_moves_endpoints_leaves_the_published_route_its_own() {
    RouteSnapshot before = put(A1, A2);
    CompiledRoute old = before.route(A2.key());

    RouteSpec moved =
        A2.withBackend(
            new BackendSpec(
                io.gatehouse.model.UpstreamProtocol.H2C,
                List.of(Endpoint.of("h2.internal", 9090))));
    routes.put(moved.key(), moved);
    RouteSnapshot after = compiler.update(new TableView(++generation, routes));

    // compiled, not yet published: the old route still reads the old endpoints
    assertThat(index.get(old.target().slot()).endpoints())
        .containsExactly(Endpoint.of("two.internal", 8080));
    CompiledRoute now = after.route(A2.key());
    assertThat(now.target().key()).isNotEqualTo(old.target().key());
    assertThat(index.get(now.target().slot()).endpoints())
        .containsExactly(Endpoint.of("h2.internal", 9090));

    compiler.afterPublish();
    assertThat(index.get(old.target().key()).revision()).as("old key forgotten").isZero();
    assertThat(index.size()).isEqualTo(2);
  }

  @Test
  void a_recompile_with_the_same_endpoints_keeps_the_key_and_rotation() {
    RouteSnapshot before = put(A1, A2);
    CompiledRoute old = before.route(A2.key());

    RouteSnapshot after =
        put(A2.withPaths(List.of(io.gatehouse.model.PathMatch.prefix("/elsewhere"))));

    assertThat(after.route(A2.key())).isNotSameAs(old);
    assertThat(after.route(A2.key()).target().key()).isEqualTo(old.target().key());
    assertThat(after.route(A2.key()).target().slot()).isEqualTo(old.target().slot());
  }

  /** Views from one table name the keys they changed; the compile looks at those alone. */
  @Test
  void views_from_a_table_compile_from_their_delta() {
    InMemoryRouteTable table = new InMemoryRouteTable();
    for (RouteSpec r : List.of(A1, A2, B, W, ANY)) {
      table.put(r);
    }
    RouteSnapshot before = compiler.update(table.view());
    compiler.afterPublish();
    TableView v1 = table.view();

    table.put(withEndpoint(B, "b2.internal"));
    table.remove(W.key());
    table.put(A1.withPaths(List.of(io.gatehouse.model.PathMatch.prefix("/uno"))));
    TableView v2 = table.view();
    assertThat(v2.changesSince(v1).routes()).containsExactlyInAnyOrder(B.key(), W.key(), A1.key());

    RouteSnapshot after = compiler.update(v2);
    compiler.afterPublish();

    assertThat(after.route(B.key())).isSameAs(before.route(B.key()));
    assertThat(endpointsOf(after, B).endpoints()).containsExactly(Endpoint.of("b2.internal", 9090));
    assertThat(after.route(W.key())).isNull();
    assertThat(matchName(after, req("a.test", "/uno"))).isEqualTo("a1");
    IncrementalCompilePropertyTest.assertSameService(
        after, index, SnapshotCompiler.compile(v2), "");
  }

  // ---------------------------------------------------------------- Service port references

  private static final BackendRef.ServicePort WEB =
      new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.H2C, null);
  private static final EndpointsKey.Service WEB_KEY =
      new EndpointsKey.Service("t1", "web", 80, null);

  private static RouteSpec toService(RouteSpec r, BackendRef.ServicePort ref) {
    return r.withBackends(List.of(RouteBackend.of(ref)));
  }

  /** Whether the compiler still holds {@code key}: an unheld key is forgotten by a remove. */
  private boolean held(EndpointsKey key) {
    List<Endpoint> before = index.get(key).endpoints();
    index.remove(key);
    boolean held = index.get(key).revision() != 0;
    index.put(key, before);
    return held;
  }

  @Test
  void a_service_port_route_reads_its_key_empty_until_fed_then_each_put_without_a_recompile() {
    RouteSpec s = toService(B, WEB);
    RouteSnapshot snap = put(A1, s);

    CompiledRoute route = snap.route(s.key());
    assertThat(route).isNotNull();
    assertThat(snap.problems()).isEmpty();
    Target t = route.target();
    assertThat(t.key()).isEqualTo(WEB_KEY); // the route's tenant is its namespace
    assertThat(t.protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(t.tls()).isNull();
    Balancers balancers = new Balancers();
    // Nobody fed the key: empty, so the route answers 503.
    assertThat(index.get(t.slot()).isEmpty()).isTrue();
    assertThat(balancers.forSlot(t.slot(), t.key(), index.get(t.slot())).next()).isNull();

    index.put(WEB_KEY, List.of(Endpoint.of("10.0.0.7", 8080)));
    assertThat(balancers.forSlot(t.slot(), t.key(), index.get(t.slot())).next())
        .isEqualTo(Endpoint.of("10.0.0.7", 8080));
    index.put(WEB_KEY, List.of(Endpoint.of("10.0.0.8", 8080)));
    assertThat(balancers.forSlot(t.slot(), t.key(), index.get(t.slot())).next())
        .isEqualTo(Endpoint.of("10.0.0.8", 8080));
    // An unrelated change compiles nothing of this route and keeps its slot.
    RouteSnapshot later = put(withEndpoint(A1, "a1b.internal"));
    assertThat(later.route(s.key())).isSameAs(route);
  }

  @Test
  void a_service_key_nobody_fed_is_asked_of_its_resolver_and_never_put_by_the_compiler() {
    AtomicInteger asked = new AtomicInteger();
    index.resolver(
        EndpointsKey.Service.class,
        k -> {
          asked.incrementAndGet();
          return List.of(Endpoint.of("10.0.0.9", 8080));
        });
    RouteSpec s = toService(B, WEB);
    RouteSnapshot snap = put(s);

    assertThat(asked).hasValue(1);
    assertThat(endpointsOf(snap, s).endpoints()).containsExactly(Endpoint.of("10.0.0.9", 8080));
    // A full compile retains it again; the resolver is not asked once the key is known.
    RouteSnapshot full = compiler.rebuild(new TableView(++generation, routes));
    compiler.afterPublish();
    assertThat(full.route(s.key()).target().slot()).isEqualTo(snap.route(s.key()).target().slot());
    assertThat(asked).hasValue(1);
    assertThat(endpointsOf(full, s).endpoints()).containsExactly(Endpoint.of("10.0.0.9", 8080));
  }

  @Test
  void routes_sharing_a_service_port_share_its_slot_until_the_last_goes_and_the_feed_keeps_it() {
    index.put(WEB_KEY, List.of(Endpoint.of("10.0.0.7", 8080)));
    RouteSpec s1 = toService(B, WEB);
    RouteSpec s2 = toService(A2, WEB);
    RouteSnapshot both = put(s1, s2);
    assertThat(both.route(s1.key()).target().slot())
        .isEqualTo(both.route(s2.key()).target().slot());

    remove(s1);
    assertThat(held(WEB_KEY)).isTrue();

    remove(s2);
    // Released, and never removed by the compiler: the feed's put is still there.
    assertThat(index.get(WEB_KEY).endpoints()).containsExactly(Endpoint.of("10.0.0.7", 8080));
    assertThat(held(WEB_KEY)).isFalse();
  }

  @Test
  void a_route_moved_between_static_endpoints_and_a_service_port_swaps_its_key() {
    index.put(WEB_KEY, List.of(Endpoint.of("10.0.0.7", 8080)));
    RouteSnapshot first = put(B);
    EndpointsKey inline = first.route(B.key()).target().key();

    RouteSnapshot second = put(toService(B, WEB));
    assertThat(second.route(B.key()).target().key()).isEqualTo(WEB_KEY);
    assertThat(endpointsOf(second, B).endpoints()).containsExactly(Endpoint.of("10.0.0.7", 8080));
    assertThat(index.get(inline).revision()).isZero(); // the inline key is forgotten

    // Another protocol on the same Service port: recompiled, same slot, the feed's endpoints.
    RouteSpec h1 =
        toService(B, new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.HTTP1, null));
    RouteSnapshot third = put(h1);
    assertThat(third.route(B.key())).isNotSameAs(second.route(B.key()));
    assertThat(third.route(B.key()).target().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(third.route(B.key()).target().slot())
        .isEqualTo(second.route(B.key()).target().slot());

    RouteSnapshot back = put(B);
    assertThat(back.route(B.key()).target().key()).isInstanceOf(EndpointsKey.Inline.class);
    assertThat(endpointsOf(back, B).endpoints()).isEqualTo(B.backend().endpoints());
    assertThat(held(WEB_KEY)).isFalse();
    assertThat(index.get(WEB_KEY).endpoints()).containsExactly(Endpoint.of("10.0.0.7", 8080));
    IncrementalCompilePropertyTest.assertSameService(
        back, index, SnapshotCompiler.compile(new TableView(generation, routes)), "");
  }
}
