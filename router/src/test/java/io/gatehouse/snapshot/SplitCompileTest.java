package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.table.TableView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route with several backends compiles to one target per backend, each on its own key, and a
 * {@link Split} that the compiler keeps across recompiles while the weights stay equal.
 */
@Timeout(30)
class SplitCompileTest {
  private static final BackendSpec A = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));
  private static final BackendSpec B =
      new BackendSpec(UpstreamProtocol.H2C, List.of(Endpoint.of("10.0.0.2", 80)), null);
  private static final RouteSpec BASE = route("canary").host("canary.test").prefix("/").build();
  private static final RouteSpec SPLIT =
      BASE.withBackends(List.of(new RouteBackend(A, 90), new RouteBackend(B, 10)));

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private long generation;

  private CompiledRoute compile(RouteSpec spec) {
    routes.put(spec.key(), spec);
    RouteSnapshot s = compiler.update(new TableView(++generation, Map.copyOf(routes)));
    compiler.afterPublish();
    return s.route(spec.key());
  }

  @Test
  void each_backend_is_a_target_on_its_own_key_with_its_weight() {
    CompiledRoute r = compile(SPLIT);

    assertThat(r.targets())
        .extracting(Target::key)
        .containsExactly(
            new EndpointsKey.Inline(SPLIT.key(), 0), new EndpointsKey.Inline(SPLIT.key(), 1));
    assertThat(r.targets()).extracting(Target::weight).containsExactly(90, 10);
    assertThat(r.targets())
        .extracting(Target::protocol)
        .containsExactly(UpstreamProtocol.HTTP1, UpstreamProtocol.H2C);
    assertThat(compiler.endpoints().get(r.targets().get(1).slot()).endpoints())
        .isEqualTo(B.endpoints());
    assertThat(r.split()).isNotNull();
    assertThat(r.split().total()).as("90/10 reduces to a window of 10").isEqualTo(10);
    assertThat(r.split().weight(0)).isEqualTo(9);
  }

  @Test
  void one_backend_above_weight_0_is_the_fast_path_without_a_split() {
    assertThat(compile(BASE).split()).isNull();
    CompiledRoute drained = compile(BASE.withBackends(List.of(new RouteBackend(A, 0))));
    assertThat(drained.split()).as("a lone backend at weight 0 answers 503").isNotNull();
    assertThat(drained.split().total()).isZero();
  }

  @Test
  void the_split_is_kept_across_a_recompile_with_equal_weights_and_renewed_when_they_change() {
    Split first = compile(SPLIT).split();

    Split samePaths = compile(SPLIT.withPaths(List.of(PathMatch.prefix("/v2")))).split();
    assertThat(samePaths).isSameAs(first);

    Split scaled =
        compile(SPLIT.withBackends(List.of(new RouteBackend(A, 9), new RouteBackend(B, 1))))
            .split();
    assertThat(scaled).as("9/1 is the same split as 90/10").isSameAs(first);

    Split changed =
        compile(SPLIT.withBackends(List.of(new RouteBackend(A, 50), new RouteBackend(B, 50))))
            .split();
    assertThat(changed).isNotSameAs(first);
    assertThat(changed.slot()).isEqualTo(first.slot());
  }

  @Test
  void a_split_slot_is_given_back_when_its_route_goes_and_reused_by_the_next() {
    int slot = compile(SPLIT).split().slot();
    RouteSpec other =
        SPLIT.withKey(RouteKey.of("t1", "api", "other")).withHosts(List.of("other.test"));
    int otherSlot = compile(other).split().slot();
    assertThat(otherSlot).isNotEqualTo(slot);

    compile(SPLIT.withBackends(List.of(RouteBackend.of(A)))); // no split any more
    RouteSpec third =
        SPLIT.withKey(RouteKey.of("t1", "api", "third")).withHosts(List.of("third.test"));
    assertThat(compile(third).split().slot()).isEqualTo(slot);
  }

  @Test
  void a_full_and_an_incremental_compile_give_a_split_route_the_same_targets() {
    RouteSpec service =
        SPLIT.withBackends(
            List.of(
                new RouteBackend(A, 3),
                new RouteBackend(
                    new BackendRef.ServicePort("web", 8080, null, UpstreamProtocol.HTTP1, null),
                    1)));
    CompiledRoute incremental = compile(service);
    RouteSnapshot full = SnapshotCompiler.compile(new TableView(1, Map.of(service.key(), service)));
    CompiledRoute f = full.route(service.key());

    assertThat(incremental.targets())
        .extracting(Target::key)
        .isEqualTo(f.targets().stream().map(Target::key).toList());
    assertThat(incremental.targets().get(1).key())
        .isEqualTo(new EndpointsKey.Service("t1", "web", 8080, null));
    assertThat(incremental.split().weight(0)).isEqualTo(f.split().weight(0));
    assertThat(incremental.split().total()).isEqualTo(4);
  }
}
