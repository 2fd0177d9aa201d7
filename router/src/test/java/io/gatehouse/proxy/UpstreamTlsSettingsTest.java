package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.table.TableView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which upstream TLS settings a router keeps clients for, with the incremental compile: freed
 * backend indexes hold null, and an endpoint change of plain backends does not rescan every
 * backend.
 */
class UpstreamTlsSettingsTest {
  private static final UpstreamTls TLS = UpstreamTls.DEFAULT.withServerName("svc.internal");

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
    return compiler.update(new TableView(++generation, routes));
  }

  private RouteSnapshot remove(RouteSpec r) {
    routes.remove(r.key());
    return compiler.update(new TableView(++generation, routes));
  }

  @Test
  void a_freed_backend_index_is_skipped_and_a_removed_setting_is_no_longer_live() {
    RouteSpec secure = route("secure", "s.internal", TLS);
    put(route("plain", "p.internal", null));
    RouteSnapshot before = put(secure);
    assertThat(RouterVerticle.upstreamTlsSettings(before)).containsExactly(TLS);

    RouteSnapshot after = remove(secure);

    assertThat(after.backends()).containsNull();
    assertThat(RouterVerticle.upstreamTlsMayDiffer(before, after)).isTrue();
    assertThat(RouterVerticle.upstreamTlsSettings(after)).isEmpty();
  }

  @Test
  void an_endpoint_change_of_a_plain_backend_keeps_the_settings_without_a_rescan() {
    put(route("secure", "s.internal", TLS));
    RouteSnapshot before = put(route("plain", "p.internal", null));

    RouteSnapshot plainMoved = put(route("plain", "p2.internal", null));
    assertThat(plainMoved.changedBackendsSince(before)).hasSize(1);
    assertThat(RouterVerticle.upstreamTlsMayDiffer(before, plainMoved)).isFalse();

    RouteSnapshot secureMoved = put(route("secure", "s2.internal", TLS));
    assertThat(RouterVerticle.upstreamTlsMayDiffer(plainMoved, secureMoved)).isTrue();
    assertThat(RouterVerticle.upstreamTlsSettings(secureMoved)).containsExactly(TLS);

    // Not compiled from it: every index must be compared.
    assertThat(RouterVerticle.upstreamTlsMayDiffer(before, secureMoved)).isTrue();
  }
}
