package io.gatehouse.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A route's client-certificate check, and which SNI names the compiled snapshot asks on. */
@Timeout(30)
class ClientCertificateCheckTest {
  private static final TestPki CA = TestPki.ca("check CA");

  private static RouteSpec mtls(String name, String host, ClientAuth auth) {
    return NodeFixture.valid(
        NodeFixture.route(name, host, "127.0.0.1:1")
            .withTls(TlsSpec.of(List.of(), "www").withClientAuth(auth)));
  }

  private static RouteSnapshot compile(RouteSpec... routes) {
    return SnapshotCompiler.compile(
        new TableView(1, Stream.of(routes).collect(Collectors.toMap(RouteSpec::key, r -> r))));
  }

  @Test
  void the_snapshot_asks_on_exact_and_wildcard_hosts_only() {
    RouteSnapshot s =
        compile(
            mtls("a", "mtls.example", ClientAuth.optional(CA.caPem())),
            mtls("b", "*.wild.example", ClientAuth.required(CA.caPem())),
            NodeFixture.route("c", "open.example", "127.0.0.1:1"));
    assertThat(s.asksForClientCertificate("mtls.example")).isTrue();
    assertThat(s.asksForClientCertificate("MTLS.example.")).isTrue();
    assertThat(s.asksForClientCertificate("x.wild.example")).isTrue();
    assertThat(s.asksByWildcardOnly("x.wild.example")).isTrue();
    assertThat(s.asksByWildcardOnly("mtls.example")).isFalse();
    assertThat(s.asksForClientCertificate("a.b.wild.example")).isFalse();
    assertThat(s.asksForClientCertificate("open.example")).isFalse();
    assertThat(s.asksForClientCertificate(null)).isFalse();
  }

  @Test
  void a_route_whose_bundle_cannot_be_used_is_dropped_not_served_without_it() {
    // The table holds validated specs, but the compiler trusts nothing it cannot use.
    RouteSpec broken =
        NodeFixture.route("bad", "bad.example", "127.0.0.1:1")
            .withTls(
                TlsSpec.of(List.of("bad.example"), "www")
                    .withClientAuth(ClientAuth.required("junk")));
    RouteSnapshot s = SnapshotCompiler.compile(new TableView(1, Map.of(broken.key(), broken)));
    assertThat(s.routes()).isEmpty();
    assertThat(s.problems())
        .extracting(RouteProblem::toString)
        .anyMatch(p -> p.contains("client CA bundle"));
  }
}
