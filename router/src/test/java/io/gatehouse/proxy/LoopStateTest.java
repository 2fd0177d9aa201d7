package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.TableView;
import io.gatehouse.upstream.Balancers;
import io.gatehouse.upstream.SplitPicker;
import io.gatehouse.upstream.UpstreamClients;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A loop's state across adopted snapshots: the split rotation goes on while the compiler keeps a
 * route's weights, restarts when they change, and the upstream TLS clients of a setting no route
 * uses any more are retired at adoption, not on the next request.
 */
@Timeout(30)
class LoopStateTest {
  private static final BackendSpec A = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));
  private static final BackendSpec B = BackendSpec.http1(List.of(Endpoint.of("10.0.0.2", 80)));
  private static final UpstreamTls TLS = UpstreamTls.DEFAULT.withServerName("svc.internal");

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private final List<Set<UpstreamTls>> retained = new ArrayList<>();
  private long generation;
  private Vertx vertx;

  /** Random starts that play nothing ahead, counted: each one is a rotation started afresh. */
  private int starts;

  private final RandomGenerator countingStart =
      new RandomGenerator() {
        @Override
        public long nextLong() {
          return 0;
        }

        @Override
        public int nextInt(int bound) {
          starts++;
          return 0;
        }
      };

  private final LoopState empty =
      new LoopState(new SplitPicker(countingStart), new Balancers(), retained::add);

  @AfterEach
  void closeVertx() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static RouteSpec route(String name, BackendSpec backend) {
    return RouteSpec.simple(
        RouteKey.of("t1", "api", name),
        List.of(name + ".test"),
        List.of(PathMatch.prefix("/")),
        backend);
  }

  private static RouteSpec split(int a, int b) {
    return route("canary", A).withBackends(List.of(new RouteBackend(A, a), new RouteBackend(B, b)));
  }

  private RouteSnapshot put(RouteSpec r) {
    routes.put(r.key(), r);
    RouteSnapshot s = compiler.update(new TableView(++generation, Map.copyOf(routes)));
    compiler.afterPublish();
    return s;
  }

  private RouteSnapshot remove(RouteSpec r) {
    routes.remove(r.key());
    RouteSnapshot s = compiler.update(new TableView(++generation, Map.copyOf(routes)));
    compiler.afterPublish();
    return s;
  }

  /** The index of the target the loop picks for the split route of its snapshot. */
  private int pick(LoopState loop) {
    CompiledRoute r = loop.snapshot().route(split(1, 1).key());
    Target t = loop.splits().pick(r, loop.balancers(), compiler.endpoints());
    return r.targets().indexOf(t);
  }

  @Test
  void the_split_rotation_goes_on_across_snapshots_while_the_weights_are_equal() {
    // 2:1 from zero picks 0 1 0, 0 1 0, ...
    LoopState loop = empty.adopt(put(split(2, 1)));
    assertThat(pick(loop)).isEqualTo(0);
    assertThat(pick(loop)).isEqualTo(1);

    // Another route changes, then this one's paths: the same weights, so the same rotation.
    loop = loop.adopt(put(route("other", B)));
    assertThat(pick(loop)).isEqualTo(0);
    loop = loop.adopt(put(split(2, 1).withPaths(List.of(PathMatch.prefix("/v2")))));
    assertThat(pick(loop)).isEqualTo(0);
    assertThat(pick(loop)).isEqualTo(1);
    assertThat(starts).as("rotations started").isEqualTo(1);
  }

  @Test
  void the_split_rotation_restarts_when_the_weights_change() {
    LoopState loop = empty.adopt(put(split(2, 1)));
    assertThat(pick(loop)).isEqualTo(0);
    assertThat(pick(loop)).isEqualTo(1);

    loop = loop.adopt(put(split(1, 2)));

    // 1:2 from zero picks 1 0 1; the kept state of 2:1 after two picks would pick 0 first.
    assertThat(pick(loop)).isEqualTo(1);
    assertThat(starts).as("rotations started").isEqualTo(2);
    assertThat(pick(loop)).isEqualTo(0);
    assertThat(pick(loop)).isEqualTo(1);
  }

  @Test
  void the_upstream_tls_settings_are_retained_at_adoption_only_when_the_set_changes() {
    LoopState first = empty.adopt(put(route("secure", A.withTls(TLS))));
    assertThat(retained).hasSize(1);
    assertThat(retained.get(0)).containsExactly(TLS);

    // Another route and an endpoint change of the secure one: the compiler keeps the set.
    LoopState second = first.adopt(put(route("plain", B)));
    BackendSpec moved = BackendSpec.http1(List.of(Endpoint.of("10.0.0.9", 80))).withTls(TLS);
    LoopState third = second.adopt(put(route("secure", moved)));
    assertThat(retained).as("unchanged set: nothing rescanned").hasSize(1);
    assertThat(third.snapshot().generation()).isEqualTo(3);

    third.adopt(remove(route("secure", A)));
    assertThat(retained).hasSize(2);
    assertThat(retained.get(1)).isEmpty();
  }

  @Test
  void an_older_or_the_same_snapshot_is_not_adopted() {
    RouteSnapshot older = put(route("a", A));
    RouteSnapshot newer = put(route("b", B));
    LoopState loop = empty.adopt(newer);

    assertThat(loop.adopt(newer)).isSameAs(loop);
    assertThat(loop.adopt(older)).as("a delivery that crossed the loop's start").isSameAs(loop);
    assertThat(loop.adopt(null)).isSameAs(loop);
    assertThat(empty.adopt(null).snapshot()).isNull();
    assertThat(retained).hasSize(1);
  }

  @Test
  void the_clients_of_a_setting_no_route_uses_any_more_are_retired_when_the_loop_adopts() {
    vertx = Vertx.vertx();
    UpstreamClients clients = new UpstreamClients(vertx, 8192);
    try {
      LoopState loop =
          new LoopState(new SplitPicker(), new Balancers(), clients::retain)
              .adopt(put(route("secure", A.withTls(TLS))));
      clients.client(UpstreamProtocol.HTTP1, TLS);
      assertThat(clients.tlsSettings()).isEqualTo(1);

      loop = loop.adopt(put(route("plain", B)));
      assertThat(clients.tlsSettings()).as("still used").isEqualTo(1);

      loop.adopt(remove(route("secure", A)));
      assertThat(clients.tlsSettings()).as("retired at adoption").isZero();
    } finally {
      clients.close();
    }
  }
}
