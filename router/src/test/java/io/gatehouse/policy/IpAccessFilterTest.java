package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.RequestRedirect;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
class IpAccessFilterTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, allow, deny, client, verdict
        Arguments.of("no-lists-admit-all", List.of(), List.of(), "198.51.100.1", 0),
        Arguments.of("allowed", List.of("10.0.0.0/8"), List.of(), "10.1.2.3", 0),
        Arguments.of("not-in-allow", List.of("10.0.0.0/8"), List.of(), "11.1.2.3", 403),
        Arguments.of("denied", List.of(), List.of("10.0.0.0/8"), "10.1.2.3", 403),
        Arguments.of("not-denied", List.of(), List.of("10.0.0.0/8"), "11.1.2.3", 0),
        Arguments.of(
            "deny-wins-over-allow", List.of("10.0.0.0/8"), List.of("10.1.0.0/16"), "10.1.2.3", 403),
        Arguments.of(
            "allowed-beside-the-denied",
            List.of("10.0.0.0/8"),
            List.of("10.1.0.0/16"),
            "10.2.2.3",
            0),
        Arguments.of("v6-allowed", List.of("2001:db8::/32"), List.of(), "2001:db8:0:0:0:0:0:1", 0),
        Arguments.of("v6-not-allowed", List.of("2001:db8::/32"), List.of(), "2001:db9::1", 403),
        Arguments.of("v4-allow-does-not-admit-v6", List.of("0.0.0.0/0"), List.of(), "::1", 403),
        Arguments.of(
            "v4-mapped-client-is-v4", List.of("10.0.0.0/8"), List.of(), "::ffff:10.0.0.1", 0),
        Arguments.of(
            "v4-mapped-client-denied", List.of(), List.of("10.0.0.0/8"), "::ffff:10.0.0.1", 403),
        Arguments.of("unknown-client-refused", List.of(), List.of("10.0.0.0/8"), null, 403),
        Arguments.of("unparsable-client-refused", List.of(), List.of(), "unknown", 403));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void the_client_address_is_admitted_or_refused_with_403(
      String name, List<String> allow, List<String> deny, String client, int verdict) {
    FakeRequest r = new FakeRequest();
    r.clientAddress = client;
    assertThat(new IpAccessFilter(new IpAccess(allow, deny)).admit(r)).isEqualTo(verdict);
  }

  @Test
  void a_bad_cidr_fails_the_compile_naming_it() {
    assertThatThrownBy(() -> new IpAccessFilter(new IpAccess(List.of("10.0.0.0/33"), List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.0.0.0/33");
  }

  @Test
  void ip_rules_run_before_every_other_admission_filter_whatever_the_list_order() {
    RouteSpec route =
        RouteSpec.simple(
                RouteKey.of("t", "api", "r"),
                List.of("a.example"),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9000))))
            .withPolicies(
                List.of(
                    RequestRedirect.of("https", null, null, null, 302),
                    new Cors(List.of("*"), List.of(), List.of(), List.of(), List.of(), false, 5),
                    new IpAccess(List.of(), List.of("192.0.2.0/24"))));
    PolicyChain chain = PolicyCompiler.compile(route, null);
    assertThat(chain.filters().get(0)).isInstanceOf(IpAccessFilter.class);
    FakeRequest r = new FakeRequest(); // 192.0.2.7: denied before the redirect answers
    assertThat(chain.admitFrom(r, 0)).isEqualTo(403);
  }
}
