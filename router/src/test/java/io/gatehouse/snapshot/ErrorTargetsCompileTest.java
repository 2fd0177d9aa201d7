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
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.TableState;
import io.gatehouse.table.Versioned;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route's error backends are targets the compiler holds like its backends': one per error pages
 * policy with a backend, in policy order, their static endpoints put under an inline key past every
 * backend's, a named one fed from its object, and every slot given back when the route goes.
 */
@Timeout(30)
class ErrorTargetsCompileTest {
  private static final List<Endpoint> E1 = List.of(Endpoint.of("10.0.0.1", 80));
  private static final List<Endpoint> E2 = List.of(Endpoint.of("10.0.0.2", 80));
  private static final BackendKey ERRORS = new BackendKey(TenantId.of("t1"), "errors");

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final TableState state = new TableState();
  private long revision;
  private long generation;

  private static RouteSpec shop(ErrorPages... pages) {
    return route("shop").host("shop.test").prefix("/").build().withPolicies(List.of(pages));
  }

  private RouteSnapshot apply(Object value, Object deleteKey) {
    generation++;
    revision++;
    if (deleteKey != null) {
      state.apply(new Versioned((EntryKey) deleteKey, revision, generation, 1, null, true));
    } else {
      state.apply(new Versioned(EntryKey.of(value), revision, generation, 1, value, true));
    }
    state.generation(generation);
    RouteSnapshot s = compiler.update(state.view());
    compiler.afterPublish();
    return s;
  }

  private CompiledRoute shopIn(RouteSnapshot s) {
    return s.route(RouteKey.of("t1", "api", "shop"));
  }

  @Test
  void static_and_named_error_backends_are_targets_in_policy_order() {
    apply(new BackendObject(ERRORS, "rest", BackendSpec.http1(E2)), null);
    RouteSnapshot s =
        apply(
            shop(
                ErrorPages.page(List.of(404), "x", null),
                ErrorPages.backend(List.of(502), BackendSpec.http1(E1)),
                ErrorPages.backend(List.of(503), new BackendRef.Named("errors"))),
            null);
    CompiledRoute r = shopIn(s);
    assertThat(r.errorTargets()).hasSize(2);
    assertThat(r.policies().errorPages().forStatus(502).backend()).isZero();
    assertThat(r.policies().errorPages().forStatus(503).backend()).isEqualTo(1);
    Target inline = r.errorTargets().get(0);
    assertThat(inline.key())
        .isInstanceOfSatisfying(
            EndpointsKey.Inline.class,
            k -> assertThat(k.backend()).isEqualTo(SnapshotCompiler.ERROR_BACKEND_INDEX));
    assertThat(compiler.endpoints().get(inline.slot()).endpoints()).isEqualTo(E1);
    Target named = r.errorTargets().get(1);
    assertThat(compiler.endpoints().get(named.slot()).endpoints()).isEqualTo(E2);
    assertThat(r.allTargets()).hasSize(3).startsWith(r.target());

    // An endpoint change of the named error backend reaches the route's error target in place.
    RouteSnapshot after = apply(new BackendObject(ERRORS, "rest", BackendSpec.http1(E1)), null);
    Target now = shopIn(after).errorTargets().get(1);
    assertThat(compiler.endpoints().get(now.slot()).endpoints()).isEqualTo(E1);
  }

  @Test
  void a_changed_error_backend_is_served_and_a_removed_route_gives_its_keys_back() {
    RouteSpec first = shop(ErrorPages.backend(List.of(502), BackendSpec.http1(E1)));
    apply(first, null);
    RouteSnapshot s = apply(shop(ErrorPages.backend(List.of(502), BackendSpec.http1(E2))), null);
    Target t = shopIn(s).errorTargets().get(0);
    assertThat(compiler.endpoints().get(t.slot()).endpoints()).isEqualTo(E2);
    RouteSnapshot gone = apply(null, EntryKey.of(first));
    assertThat(shopIn(gone)).isNull();
    assertThat(compiler.endpoints().keys(EndpointsKey.Inline.class))
        .as("no inline key is left once the route is gone")
        .isEmpty();
  }

  @Test
  void a_route_without_error_backends_holds_only_its_backends() {
    CompiledRoute r = shopIn(apply(shop(ErrorPages.page(List.of(404), "x", "text/plain")), null));
    assertThat(r.errorTargets()).isEmpty();
    assertThat(r.allTargets()).isSameAs(r.targets());
    assertThat(r.policies().errorPages().forStatus(404).fetched()).isFalse();
    assertThat(UpstreamProtocol.HTTP1).isEqualTo(r.target().protocol());
  }
}
