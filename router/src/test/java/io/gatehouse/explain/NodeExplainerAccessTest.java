package io.gatehouse.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.document.DocumentWriter;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.testing.TestAccess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * explain lists a route's access policies in the order they run; the admin API writes them without
 * secrets (issue #15).
 */
class NodeExplainerAccessTest {
  private static RouteSpec route(List<PolicySpec> policies) {
    return RouteSpec.simple(
            RouteKey.of("t", "api", "r"),
            List.of("a.example"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8080))))
        .withPolicies(policies);
  }

  @Test
  void access_policies_come_in_run_order_without_hashes_or_key_material() {
    List<PolicySpec> listed = new ArrayList<>();
    listed.add(TestAccess.rateLimit());
    listed.add(TestAccess.jwtInline());
    listed.add(
        new Cors(
            List.of("https://a.example"), List.of(), List.of(), List.of(), List.of(), false, 60));
    listed.add(TestAccess.basicAuth());
    listed.add(TestAccess.ipAccess());
    List<PolicySpec> access = NodeExplainer.access(route(listed));

    assertThat(access)
        .containsExactly(
            TestAccess.ipAccess(),
            TestAccess.jwtInline(),
            TestAccess.basicAuth(),
            TestAccess.rateLimit());
    StringBuilder written = new StringBuilder();
    access.forEach(p -> written.append(DocumentWriter.accessPolicy(p)));
    String shown = written.toString();
    assertThat(shown)
        .doesNotContain(TestAccess.SECRET_HASH)
        .doesNotContain(TestAccess.ARGON2_HASH)
        .doesNotContain("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA")
        .contains("alice", "hmac-1");
    assertThat(NodeExplainer.access(route(List.of()))).isEmpty();
  }
}
