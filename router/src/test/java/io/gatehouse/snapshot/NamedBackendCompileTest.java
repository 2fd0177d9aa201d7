package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.TableState;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Versioned;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routes that name a backend object of their tenant: the compiler feeds the object's endpoints to
 * the index under {@code EndpointsKey.Named}; an endpoint-only change of the object is one put and
 * recompiles nothing, and a change of its protocol (or its creation or deletion) recompiles exactly
 * the routes naming it, through the compiler's reverse map. Views come from a {@link TableState}
 * (the table names its changed keys) or are made by hand (the compiler diffs them in full): both
 * must give the same result.
 */
@Timeout(30)
class NamedBackendCompileTest {
  private static final TenantId T1 = TenantId.of("t1");
  private static final BackendKey WEB = new BackendKey(T1, "web");
  private static final BackendKey API = new BackendKey(T1, "api");
  private static final List<Endpoint> E1 = List.of(Endpoint.of("10.0.0.1", 80));
  private static final List<Endpoint> E2 = List.of(Endpoint.of("10.0.0.2", 80));

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final TableState state = new TableState();
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private final Map<BackendKey, BackendObject> backends = new HashMap<>();
  private boolean viaTable = true;
  private long revision;
  private long generation;
  private RouteSnapshot snapshot;

  private static RouteSpec naming(String name, String backend) {
    return route(name)
        .host(name + ".test")
        .prefix("/")
        .build()
        .withBackends(List.of(RouteBackend.of(new BackendRef.Named(backend))));
  }

  private static BackendObject object(BackendKey key, UpstreamProtocol protocol, List<Endpoint> e) {
    return new BackendObject(key, "rest", new BackendSpec(protocol, e, null));
  }

  private RouteSnapshot put(Object... values) {
    generation++;
    revision++;
    for (Object v : values) {
      if (v instanceof RouteSpec r) {
        routes.put(r.key(), r);
      } else {
        BackendObject b = (BackendObject) v;
        backends.put(b.key(), b);
      }
      state.apply(new Versioned(EntryKey.of(v), revision, generation, values.length, v, true));
    }
    return compile();
  }

  private RouteSnapshot deleteBackend(BackendKey key) {
    generation++;
    revision++;
    backends.remove(key);
    state.apply(new Versioned(EntryKey.backend(key), revision, generation, 1, null, true));
    return compile();
  }

  private RouteSnapshot compile() {
    state.generation(generation);
    TableView view =
        viaTable
            ? state.view()
            : new TableView(
                generation,
                Map.copyOf(routes),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.copyOf(backends),
                Map.of());
    snapshot = compiler.update(view);
    compiler.afterPublish();
    return snapshot;
  }

  private EndpointSet endpointsOf(RouteSnapshot s, String route, int target) {
    CompiledRoute r = s.route(RouteKey.of("t1", "api", route));
    return compiler.endpoints().get(r.targets().get(target).slot());
  }

  @ParameterizedTest(name = "via table delta: {0}")
  @ValueSource(booleans = {true, false})
  void a_route_naming_a_backend_targets_its_named_key_with_its_protocol_and_endpoints(
      boolean table) {
    viaTable = table;
    RouteSnapshot s = put(object(WEB, UpstreamProtocol.H2C, E1), naming("shop", "web"));

    Target t = s.route(RouteKey.of("t1", "api", "shop")).targets().get(0);
    assertThat(t.key()).isEqualTo(new EndpointsKey.Named(WEB));
    assertThat(t.protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(endpointsOf(s, "shop", 0).endpoints()).isEqualTo(E1);
    assertThat(s.problems()).isEmpty();
  }

  @ParameterizedTest(name = "via table delta: {0}")
  @ValueSource(booleans = {true, false})
  void an_endpoint_only_change_of_the_backend_is_one_put_and_recompiles_no_route(boolean table) {
    viaTable = table;
    RouteSnapshot before =
        put(object(WEB, UpstreamProtocol.HTTP1, E1), naming("shop", "web"), naming("blog", "web"));
    CompiledRoute shop = before.route(RouteKey.of("t1", "api", "shop"));
    long revisionBefore = endpointsOf(before, "shop", 0).revision();

    RouteSnapshot after = put(object(WEB, UpstreamProtocol.HTTP1, E2));

    assertThat(after.routeArray()).as("no route recompiled").isSameAs(before.routeArray());
    assertThat(after.hostIndex()).isSameAs(before.hostIndex());
    assertThat(after.route(RouteKey.of("t1", "api", "shop"))).isSameAs(shop);
    EndpointSet now = endpointsOf(after, "shop", 0);
    assertThat(now.endpoints()).isEqualTo(E2);
    assertThat(now.revision()).isGreaterThan(revisionBefore);
    assertThat(endpointsOf(after, "blog", 0)).isSameAs(now);
  }

  @ParameterizedTest(name = "via table delta: {0}")
  @ValueSource(booleans = {true, false})
  void a_protocol_change_recompiles_only_the_routes_naming_the_backend(boolean table) {
    viaTable = table;
    RouteSpec stat = route("static").host("static.test").prefix("/").build();
    RouteSnapshot before =
        put(
            object(WEB, UpstreamProtocol.HTTP1, E1),
            object(API, UpstreamProtocol.HTTP1, E1),
            naming("shop", "web"),
            naming("blog", "web"),
            naming("api", "api"),
            stat);
    EndpointsKey oldKey = before.route(RouteKey.of("t1", "api", "shop")).targets().get(0).key();

    RouteSnapshot after = put(object(WEB, UpstreamProtocol.H2C, E2));

    for (String name : List.of("shop", "blog")) {
      CompiledRoute r = after.route(RouteKey.of("t1", "api", name));
      assertThat(r).isNotSameAs(before.route(RouteKey.of("t1", "api", name)));
      assertThat(r.targets().get(0).protocol()).isEqualTo(UpstreamProtocol.H2C);
      assertThat(r.targets().get(0).key())
          .as("a fresh variant: the routes still published keep the old endpoints")
          .isNotEqualTo(oldKey);
      assertThat(endpointsOf(after, name, 0).endpoints()).isEqualTo(E2);
    }
    for (String name : List.of("api", "static")) {
      assertThat(after.route(RouteKey.of("t1", "api", name)))
          .isSameAs(before.route(RouteKey.of("t1", "api", name)));
    }
    // The old variant is gone from the index once the new snapshot was published.
    assertThat(compiler.endpoints().keys(EndpointsKey.Named.class))
        .containsExactlyInAnyOrder(
            (EndpointsKey.Named)
                after.route(RouteKey.of("t1", "api", "shop")).targets().get(0).key(),
            new EndpointsKey.Named(API));
  }

  @ParameterizedTest(name = "via table delta: {0}")
  @ValueSource(booleans = {true, false})
  void a_proxy_protocol_change_recompiles_the_routes_naming_the_backend(boolean table) {
    viaTable = table;
    RouteSnapshot before = put(object(WEB, UpstreamProtocol.HTTP1, E1), naming("shop", "web"));
    assertThat(before.route(RouteKey.of("t1", "api", "shop")).targets().get(0).proxyProtocol())
        .isNull();

    BackendObject sending =
        new BackendObject(
            WEB,
            "rest",
            new BackendSpec(UpstreamProtocol.HTTP1, E1, null)
                .withProxyProtocol(ProxyProtocolVersion.V2));
    RouteSnapshot after = put(sending);

    CompiledRoute shop = after.route(RouteKey.of("t1", "api", "shop"));
    assertThat(shop).isNotSameAs(before.route(RouteKey.of("t1", "api", "shop")));
    assertThat(shop.targets().get(0).proxyProtocol()).isEqualTo(ProxyProtocolVersion.V2);
  }

  @ParameterizedTest(name = "via table delta: {0}")
  @ValueSource(booleans = {true, false})
  void a_route_naming_an_absent_backend_is_served_empty_and_reported_until_it_exists(
      boolean table) {
    viaTable = table;
    RouteSnapshot s = put(naming("shop", "web"));

    assertThat(s.route(RouteKey.of("t1", "api", "shop"))).as("compiled, not dropped").isNotNull();
    assertThat(endpointsOf(s, "shop", 0).isEmpty()).isTrue();
    assertThat(s.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("backend \"web\" does not exist"));

    s = put(object(WEB, UpstreamProtocol.HTTP1, E1));
    assertThat(s.problems()).isEmpty();
    assertThat(endpointsOf(s, "shop", 0).endpoints()).isEqualTo(E1);

    s = deleteBackend(WEB);
    assertThat(endpointsOf(s, "shop", 0).isEmpty()).isTrue();
    assertThat(s.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.key().name()).isEqualTo("shop"));

    s = put(object(WEB, UpstreamProtocol.HTTP1, E2));
    assertThat(s.problems()).isEmpty();
    assertThat(endpointsOf(s, "shop", 0).endpoints()).isEqualTo(E2);
  }

  @Test
  void a_backend_of_another_tenant_is_never_used() {
    RouteSnapshot s =
        put(
            object(new BackendKey(TenantId.of("t2"), "web"), UpstreamProtocol.HTTP1, E1),
            naming("shop", "web"));

    assertThat(endpointsOf(s, "shop", 0).isEmpty()).isTrue();
    assertThat(s.problems()).hasSize(1);
  }

  /**
   * Random sequences of backend puts (endpoints alone, or protocol too) and deletes, and route puts
   * that name a backend, list static endpoints or split across both: after each step, every route
   * of the incremental compile serves what a fresh full compile of the same view serves (protocol,
   * endpoints, problems), and the index holds no variant of a backend that no route uses.
   */
  @Test
  void incremental_compiles_serve_what_a_full_compile_serves_over_random_changes() {
    List<String> names = List.of("b0", "b1", "b2");
    List<List<Endpoint>> sets = List.of(E1, E2, List.of());
    for (int seed = 0; seed < 200; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      NamedBackendCompileTest t = new NamedBackendCompileTest();
      for (int step = 0; step < 25; step++) {
        String name = names.get(random.nextInt(names.size()));
        BackendKey key = new BackendKey(T1, name);
        int what = random.nextInt(6);
        if (what == 0) {
          t.deleteBackend(key);
        } else if (what <= 2) {
          UpstreamProtocol protocol =
              random.nextInt(3) == 0 ? UpstreamProtocol.H2C : UpstreamProtocol.HTTP1;
          t.put(object(key, protocol, sets.get(random.nextInt(sets.size()))));
        } else {
          String route = "r" + random.nextInt(4);
          RouteSpec r = naming(route, name);
          if (what == 4) {
            r = route(route).host(route + ".test").prefix("/").build();
          } else if (what == 5) {
            r =
                r.withBackends(
                    List.of(
                        new RouteBackend(new BackendRef.Named(name), 1 + random.nextInt(3)),
                        new RouteBackend(BackendSpec.http1(E2), 1)));
          }
          t.put(r);
        }
        String context = "seed " + seed + " step " + step;
        SnapshotCompiler fresh = new SnapshotCompiler();
        RouteSnapshot full = fresh.rebuild(t.state.view());
        assertThat(t.snapshot.problems()).as(context).isEqualTo(full.problems());
        assertThat(t.snapshot.routes()).as(context).hasSameSizeAs(full.routes());
        for (CompiledRoute r : t.snapshot.routes()) {
          CompiledRoute f = full.route(r.spec().key());
          assertThat(f).as(context).isNotNull();
          for (int i = 0; i < r.targets().size(); i++) {
            Target a = r.targets().get(i);
            Target b = f.targets().get(i);
            assertThat(a.protocol()).as("%s %s#%d", context, r.id(), i).isEqualTo(b.protocol());
            assertThat(t.compiler.endpoints().get(a.slot()).endpoints())
                .as("%s %s#%d", context, r.id(), i)
                .isEqualTo(fresh.endpoints().get(b.slot()).endpoints());
          }
        }
        // Variants left behind are gone once the snapshot was published: one key per backend,
        // and a key no route uses belongs to a backend that exists.
        Map<BackendKey, Integer> perBackend = new HashMap<>();
        for (EndpointsKey.Named k : t.compiler.endpoints().keys(EndpointsKey.Named.class)) {
          perBackend.merge(k.backend(), 1, Integer::sum);
          boolean used =
              t.snapshot.routes().stream()
                  .anyMatch(r -> r.targets().stream().anyMatch(x -> x.key().equals(k)));
          assertThat(used || t.backends.containsKey(k.backend()))
              .as("%s stale key %s", context, k)
              .isTrue();
        }
        assertThat(perBackend.values()).as(context).allMatch(n -> n == 1);
      }
    }
  }

  @Test
  void a_full_compile_gives_the_same_targets_and_endpoints_as_the_incremental_ones() {
    put(object(WEB, UpstreamProtocol.HTTP1, E1), naming("shop", "web"));
    put(object(WEB, UpstreamProtocol.H2C, E2));
    RouteSnapshot incremental = put(object(WEB, UpstreamProtocol.H2C, E1));

    SnapshotCompiler fresh = new SnapshotCompiler();
    RouteSnapshot full = fresh.rebuild(state.view());
    Target a = incremental.route(RouteKey.of("t1", "api", "shop")).targets().get(0);
    Target b = full.route(RouteKey.of("t1", "api", "shop")).targets().get(0);
    assertThat(a.protocol()).isEqualTo(b.protocol());
    assertThat(compiler.endpoints().get(a.slot()).endpoints())
        .isEqualTo(fresh.endpoints().get(b.slot()).endpoints())
        .isEqualTo(E1);
  }
}
