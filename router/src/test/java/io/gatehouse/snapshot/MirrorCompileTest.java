package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.policy.RequestMirrorFilter;
import io.gatehouse.table.TableView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route's mirrors compiled beside its targets: each gets a target of its own (a slot of the
 * endpoint index, retained and released like a backend's), the chain names it by position, the
 * compiled mirror (its in-flight count and outcomes) survives a recompile that leaves it equal, and
 * a mirror's upstream TLS setting is kept for the loops like a backend's.
 */
@Timeout(30)
class MirrorCompileTest {
  private static final RouteKey SHOP = RouteKey.of("t1", "api", "shop");
  private static final List<Endpoint> SHADOW = List.of(Endpoint.of("10.0.0.7", 9000));

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private final Map<BackendKey, BackendObject> backends = new HashMap<>();
  private long generation;

  private static RouteSpec shop(PolicySpec... policies) {
    return route("shop").host("shop.test").prefix("/").build().withPolicies(List.of(policies));
  }

  private RouteSnapshot compile(RouteSpec... specs) {
    routes.clear();
    for (RouteSpec r : specs) {
      routes.put(r.key(), r);
    }
    generation++;
    RouteSnapshot s =
        compiler.update(
            new TableView(
                generation,
                Map.copyOf(routes),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.copyOf(backends),
                Map.of()));
    compiler.afterPublish();
    return s;
  }

  @Test
  void each_mirror_gets_a_target_of_its_own_and_the_chain_names_it_by_position() {
    RouteSnapshot s =
        compile(
            shop(
                RequestMirror.of(BackendSpec.http1(SHADOW)),
                RequestMirror.of(
                    new BackendRef.ServicePort("shadow", 80, null, UpstreamProtocol.H2C, null))));
    CompiledRoute r = s.route(SHOP);
    assertThat(r.mirrors()).hasSize(2);
    Target inline = r.mirrors().get(0).target();
    assertThat(inline.key())
        .isEqualTo(new EndpointsKey.Inline(SHOP, SnapshotCompiler.MIRROR_BASE, 0));
    assertThat(compiler.endpoints().get(inline.slot()).endpoints()).isEqualTo(SHADOW);
    assertThat(r.mirrors().get(1).target().key())
        .isEqualTo(new EndpointsKey.Service("t1", "shadow", 80, null));
    assertThat(r.mirrors().get(1).target().protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(r.allTargets()).hasSize(3).startsWith(r.target());
    assertThat(r.split()).as("a mirror is no share of the split").isNull();
    assertThat(r.policies().filters())
        .filteredOn(f -> f instanceof RequestMirrorFilter)
        .extracting(Object::toString)
        .containsExactly("RequestMirrorFilter[0: 100/100]", "RequestMirrorFilter[1: 100/100]");
  }

  @Test
  void a_compiled_mirror_outlives_a_recompile_that_leaves_it_equal() {
    RequestMirror m = RequestMirror.of(BackendSpec.http1(SHADOW));
    Mirror first = compile(shop(m)).route(SHOP).mirrors().get(0);
    assertThat(first.tryAcquire()).isTrue();
    first.record(Mirror.Outcome.ANSWERED);
    RouteSpec wider = shop(m).withHosts(List.of("shop.test", "www.shop.test"));
    Mirror again = compile(wider).route(SHOP).mirrors().get(0);
    assertThat(again).as("same policy, same target").isSameAs(first);
    assertThat(again.inFlight()).isEqualTo(1);
    Mirror other =
        compile(shop(new RequestMirror(BackendSpec.http1(SHADOW), 1, 2, null, true, 1024, 5)))
            .route(SHOP)
            .mirrors()
            .get(0);
    assertThat(other).as("another share is another mirror").isNotSameAs(first);
    assertThat(other.count(Mirror.Outcome.ANSWERED)).isZero();
  }

  @Test
  void a_mirror_that_goes_releases_its_endpoints_and_a_changed_one_moves_to_the_new_ones() {
    RouteSnapshot s = compile(shop(RequestMirror.of(BackendSpec.http1(SHADOW))));
    EndpointsKey.Inline key = (EndpointsKey.Inline) s.route(SHOP).mirrors().get(0).target().key();
    List<Endpoint> moved = List.of(Endpoint.of("10.0.0.8", 9000));
    RouteSnapshot changed = compile(shop(RequestMirror.of(BackendSpec.http1(moved))));
    Target now = changed.route(SHOP).mirrors().get(0).target();
    assertThat(compiler.endpoints().get(now.slot()).endpoints()).isEqualTo(moved);
    assertThat(now.key())
        .as("new endpoints with the route recompiled: another variant")
        .isNotEqualTo(key);
    assertThat(compiler.endpoints().keys(EndpointsKey.Inline.class)).doesNotContain(key);
    compile(shop());
    assertThat(compiler.endpoints().keys(EndpointsKey.Inline.class))
        .as("no route holds a mirror's endpoints any more")
        .noneMatch(k -> k.backend() >= SnapshotCompiler.MIRROR_BASE);
  }

  @Test
  void a_mirror_naming_a_missing_backend_is_reported_and_compiled_empty() {
    RouteSnapshot s = compile(shop(RequestMirror.of(new BackendRef.Named("shadow-pool"))));
    assertThat(s.route(SHOP).mirrors()).hasSize(1);
    assertThat(s.problems())
        .extracting(RouteProblem::message)
        .anyMatch(
            m -> m.startsWith("policies[0].backendRef: backend \"shadow-pool\" does not exist"));
    backends.put(
        new BackendKey(TenantId.of("t1"), "shadow-pool"),
        new BackendObject(
            new BackendKey(TenantId.of("t1"), "shadow-pool"), "rest", BackendSpec.http1(SHADOW)));
    RouteSnapshot fed = compile(shop(RequestMirror.of(new BackendRef.Named("shadow-pool"))));
    Target t = fed.route(SHOP).mirrors().get(0).target();
    assertThat(compiler.endpoints().get(t.slot()).endpoints()).isEqualTo(SHADOW);
  }

  @Test
  void a_mirrors_upstream_tls_setting_is_kept_for_the_loops() {
    UpstreamTls tls = UpstreamTls.DEFAULT.withServerName("shadow.example");
    RouteSnapshot s =
        compile(shop(RequestMirror.of(new BackendSpec(UpstreamProtocol.HTTP1, SHADOW, tls))));
    assertThat(s.upstreamTlsSettings()).containsExactly(tls);
    assertThat(compile(shop()).upstreamTlsSettings()).isEmpty();
  }

  @Test
  void a_mirror_that_could_not_connect_rests_for_ten_seconds_and_counts_its_places() {
    Mirror m =
        new Mirror(
            new RequestMirror(BackendSpec.http1(SHADOW), 1, 1, null, true, 1024, 2),
            compile(shop(RequestMirror.of(BackendSpec.http1(SHADOW))))
                .route(SHOP)
                .mirrors()
                .get(0)
                .target());
    long t0 = 1_000_000_000L;
    assertThat(m.resting(t0)).isFalse();
    m.rest(t0);
    assertThat(m.resting(t0 + Mirror.REST.toNanos() - 1)).isTrue();
    assertThat(m.resting(t0 + Mirror.REST.toNanos())).isFalse();
    assertThat(m.resting(t0)).as("a rest that ended is over").isFalse();
    assertThat(m.tryAcquire()).isTrue();
    assertThat(m.tryAcquire()).isTrue();
    assertThat(m.tryAcquire()).as("maxInFlight 2").isFalse();
    m.release();
    assertThat(m.tryAcquire()).isTrue();
    assertThat(m.inFlight()).isEqualTo(2);
  }
}
