package io.gatehouse.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.table.TableView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The upstream TLS settings a snapshot's targets use, which the routers keep clients for: counted
 * per route by the compiler, and the same instance while the set is unchanged, so a router compares
 * it by identity and rescans nothing on an endpoint change.
 */
class UpstreamTlsSettingsTest {
  private static final UpstreamTls TLS = UpstreamTls.DEFAULT.withServerName("svc.internal");
  private static final UpstreamTls OTHER = UpstreamTls.DEFAULT.withServerName("other.internal");

  private final SnapshotCompiler compiler = new SnapshotCompiler();
  private final Map<RouteKey, RouteSpec> routes = new HashMap<>();
  private long generation;

  private static RouteSpec route(String name, String endpoint, UpstreamTls tls) {
    return RouteSpec.simple(
        RouteKey.of("t1", "api", name),
        List.of(name + ".test"),
        List.of(PathMatch.prefix("/")),
        BackendSpec.http1(List.of(Endpoint.of(endpoint, 8080))).withTls(tls));
  }

  private RouteSnapshot put(RouteSpec r) {
    routes.put(r.key(), r);
    RouteSnapshot s = compiler.update(new TableView(++generation, routes));
    compiler.afterPublish();
    return s;
  }

  private RouteSnapshot remove(RouteSpec r) {
    routes.remove(r.key());
    RouteSnapshot s = compiler.update(new TableView(++generation, routes));
    compiler.afterPublish();
    return s;
  }

  @Test
  void a_removed_setting_is_no_longer_used() {
    RouteSpec secure = route("secure", "s.internal", TLS);
    put(route("plain", "p.internal", null));
    RouteSnapshot before = put(secure);
    assertThat(before.upstreamTlsSettings()).containsExactly(TLS);

    RouteSnapshot after = remove(secure);

    assertThat(after.upstreamTlsSettings()).isEmpty();
  }

  @Test
  void endpoint_changes_keep_the_same_set_instance() {
    put(route("secure", "s.internal", TLS));
    RouteSnapshot before = put(route("plain", "p.internal", null));

    RouteSnapshot plainMoved = put(route("plain", "p2.internal", null));
    assertThat(plainMoved.upstreamTlsSettings()).isSameAs(before.upstreamTlsSettings());

    RouteSnapshot secureMoved = put(route("secure", "s2.internal", TLS));
    assertThat(secureMoved.upstreamTlsSettings()).isSameAs(before.upstreamTlsSettings());
    assertThat(secureMoved.upstreamTlsSettings()).containsExactly(TLS);
  }

  @Test
  void a_second_route_on_a_setting_counts_and_the_set_changes_only_with_its_members() {
    RouteSnapshot one = put(route("a", "a.internal", TLS));
    RouteSnapshot two = put(route("b", "b.internal", TLS));
    assertThat(two.upstreamTlsSettings()).isSameAs(one.upstreamTlsSettings());

    // One of two users goes: the setting stays.
    RouteSnapshot left = remove(route("a", "a.internal", TLS));
    assertThat(left.upstreamTlsSettings()).isSameAs(one.upstreamTlsSettings());

    RouteSnapshot changed = put(route("b", "b.internal", OTHER));
    assertThat(changed.upstreamTlsSettings()).containsExactly(OTHER);
    assertThat(changed.upstreamTlsSettings()).isNotSameAs(one.upstreamTlsSettings());

    // A full compile (the publisher's fallback) of the same settings keeps the instance too.
    RouteSnapshot full = compiler.rebuild(new TableView(++generation, routes));
    assertThat(full.upstreamTlsSettings()).isSameAs(changed.upstreamTlsSettings());
  }
}
