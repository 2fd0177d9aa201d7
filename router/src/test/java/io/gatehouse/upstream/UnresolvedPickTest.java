package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.TableView;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #17: an unresolved backend compiles to a target that answers its status, and a split counts
 * it as live at its weight, so exactly its share gets the status; a backend without endpoints is
 * still skipped.
 */
@Timeout(30)
class UnresolvedPickTest {
  private static final BackendSpec A = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));
  private static final BackendSpec EMPTY = BackendSpec.http1(List.of());
  private static final BackendRef.Unresolved INVALID =
      new BackendRef.Unresolved(500, "InvalidKind: example.com/Bucket");
  private static final RouteKey KEY = RouteKey.of("team-a", "k8s", "httproute_split.r0.m0");

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final SplitPicker picker = new SplitPicker(new SplittableRandom(7));
  private final Balancers balancers = new Balancers();
  private long generation;

  private CompiledRoute compile(RouteBackend... backends) {
    RouteSpec spec =
        RouteSpec.simple(KEY, List.of("a.test"), List.of(PathMatch.prefix("/")), A)
            .withBackends(List.of(backends));
    CompiledRoute r = compiler.update(new TableView(++generation, Map.of(KEY, spec))).route(KEY);
    compiler.afterPublish();
    return r;
  }

  @Test
  void an_unresolved_backend_compiles_to_a_target_with_its_status_and_no_endpoints() {
    CompiledRoute r = compile(RouteBackend.of(INVALID));
    Target t = r.target();
    assertThat(t.fixed()).isTrue();
    assertThat(t.status()).isEqualTo(500);
    assertThat(t.key()).isInstanceOf(EndpointsKey.Inline.class);
    assertThat(compiler.endpoints().get(t.slot()).endpoints()).isEmpty();
    assertThat(r.split()).isNull();
  }

  @Test
  void in_a_split_the_unresolved_share_is_kept_and_an_empty_backend_is_skipped() {
    CompiledRoute r =
        compile(new RouteBackend(A, 3), new RouteBackend(INVALID, 1), new RouteBackend(EMPTY, 4));
    int[] counts = new int[3];
    for (int i = 0; i < 4_000; i++) {
      Target t = picker.pick(r, balancers, compiler.endpoints(), CanaryMatcher.FALL_THROUGH);
      counts[r.targets().indexOf(t)]++;
    }
    // A and the unresolved backend share by their weights (3:1); the empty one gives its share
    assertThat(counts).containsExactly(3_000, 1_000, 0);
    assertThat(r.targets().get(1).fixed()).isTrue();
    assertThat(r.targets().get(0).fixed()).isFalse();
  }

  @Test
  void a_recompile_that_changes_only_weights_keeps_the_unresolved_targets_key() {
    CompiledRoute before = compile(new RouteBackend(A, 1), new RouteBackend(INVALID, 1));
    CompiledRoute after = compile(new RouteBackend(A, 2), new RouteBackend(INVALID, 1));
    assertThat(after.targets().get(1).key()).isEqualTo(before.targets().get(1).key());
    assertThat(after.targets().get(0).key()).isEqualTo(before.targets().get(0).key());
  }
}
