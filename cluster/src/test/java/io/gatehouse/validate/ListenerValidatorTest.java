package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.FrontendValidation;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #17 phase 2: a listener is an IP literal and a port, written by the Kubernetes translator
 * only; a route names one only from that translator; a node binds only what its pool and ports
 * allow.
 */
class ListenerValidatorTest {
  private static final ListenerKey KEY = ListenerKey.of("team-a", "k8s", "gateway/team-a/web/80");

  private static ListenerSpec listener(ListenerKey key, String address, int port) {
    return new ListenerSpec(key, address, port, ListenerProtocol.HTTP);
  }

  private static List<String> fields(ListenerSpec spec) {
    Validated<ListenerSpec> v = ListenerValidator.validate(spec);
    return v.isValid() ? List.of() : v.violations().stream().map(Violation::field).toList();
  }

  static Stream<Arguments> listeners() {
    return Stream.of(
        Arguments.of("ipv4-is-valid", listener(KEY, "127.0.1.10", 80), List.of()),
        Arguments.of("ipv6-is-valid", listener(KEY, "2001:db8::a", 443), List.of()),
        Arguments.of(
            "a-name-is-not-an-address", listener(KEY, "gw.example", 80), List.of("address")),
        Arguments.of("brackets-are-refused", listener(KEY, "[::1]", 80), List.of("address")),
        Arguments.of(
            "leading-zeros-are-refused", listener(KEY, "127.0.1.010", 80), List.of("address")),
        Arguments.of("port-0-is-refused", listener(KEY, "127.0.1.10", 0), List.of("port")),
        Arguments.of("port-65536-is-refused", listener(KEY, "127.0.1.10", 65536), List.of("port")),
        Arguments.of(
            "the-routes-file-cannot-write-one",
            listener(ListenerKey.of("team-a", "file", "gw"), "127.0.1.10", 80),
            List.of("source")),
        Arguments.of(
            "rest-cannot-write-one",
            listener(ListenerKey.of("team-a", "api", "gw"), "127.0.1.10", 80),
            List.of("source")),
        Arguments.of(
            "a-bad-tenant-and-name",
            listener(ListenerKey.of("Team_A", "k8s", "/gw/"), "127.0.1.10", 80),
            List.of("tenant", "name")),
        Arguments.of(
            "an-https-listener-names-its-default-certificate",
            https(CertificateKey.of("team-a", "k8s.gateway.certs.web")),
            List.of()),
        Arguments.of(
            "the-default-certificate-is-of-the-listeners-tenant",
            https(CertificateKey.of("certs", "k8s.gateway.certs.web")),
            List.of("defaultCertificate")),
        Arguments.of(
            "only-a-kubernetes-secret-can-be-the-default-certificate",
            https(CertificateKey.of("team-a", "web")),
            List.of("defaultCertificate")),
        Arguments.of(
            "an-http-listener-has-no-certificate",
            new ListenerSpec(
                KEY,
                "127.0.1.10",
                80,
                ListenerProtocol.HTTP,
                CertificateKey.of("team-a", "k8s.gateway.team-a.web")),
            List.of("defaultCertificate")));
  }

  private static ListenerSpec https(CertificateKey cert) {
    return new ListenerSpec(KEY, "127.0.1.10", 443, ListenerProtocol.HTTPS, cert);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("listeners")
  void listener_cases(String name, ListenerSpec spec, List<String> violated) {
    assertThat(fields(spec)).containsExactlyElementsOf(violated);
  }

  @Test
  void an_ipv6_address_is_lower_cased() {
    assertThat(ListenerValidator.validate(listener(KEY, "2001:DB8::A", 80)).value().address())
        .isEqualTo("2001:db8::a");
  }

  private static RouteSpec route(String source) {
    return RouteSpec.simple(
        RouteKey.of("team-b", source, "httproute_web.r0.m0"),
        List.of("app.example.com"),
        List.of(PathMatch.prefix("/")),
        BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80))));
  }

  @Test
  void a_kubernetes_route_keeps_its_listener_even_of_another_tenants_gateway() {
    Validated<RouteSpec> v = RouteValidator.validate(route("k8s").withListener(KEY));
    assertThat(v.isValid()).as(String.valueOf(v.violations())).isTrue();
    assertThat(v.value().listener()).isEqualTo(KEY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "api", "flags"})
  void the_routes_file_and_rest_cannot_put_a_route_on_a_gateway_listener(String source) {
    Validated<RouteSpec> v = RouteValidator.validate(route(source).withListener(KEY));
    assertThat(v.violations()).extracting(Violation::field).containsExactly("listener");
    assertThat(RouteValidator.validate(route(source)).isValid()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "api", "flags"})
  void only_a_kubernetes_route_has_wildcards_of_any_depth(String source) {
    RouteSpec wild = route(source).withHosts(List.of("*.Example.com")).withWildcardsAnyDepth(true);
    assertThat(RouteValidator.validate(wild).violations())
        .extracting(Violation::field)
        .containsExactly("wildcardsAnyDepth");
    RouteSpec k8s = route("k8s").withHosts(List.of("*.Example.com")).withWildcardsAnyDepth(true);
    Validated<RouteSpec> v = RouteValidator.validate(k8s);
    assertThat(v.isValid()).as(String.valueOf(v.violations())).isTrue();
    // kept through normalisation
    assertThat(v.value().wildcardsAnyDepth()).isTrue();
    assertThat(v.value().hosts()).containsExactly("*.example.com");
  }

  @Test
  void a_route_naming_a_listener_of_another_source_is_refused() {
    Validated<RouteSpec> v =
        RouteValidator.validate(route("k8s").withListener(ListenerKey.of("team-a", "api", "gw")));
    assertThat(v.violations()).extracting(Violation::field).containsExactly("listener.source");
  }

  @Test
  void a_node_refuses_an_address_outside_its_pool_or_a_port_it_does_not_allow() {
    Cidrs pool = Cidrs.parse(List.of("127.0.1.0/24"));
    List<Integer> ports = List.of(80, 443);
    assertThat(ListenerValidator.refusal(listener(KEY, "127.0.1.10", 80), pool, ports)).isNull();
    assertThat(ListenerValidator.refusal(listener(KEY, "127.0.2.10", 80), pool, ports))
        .contains("127.0.2.10")
        .contains("kubernetes.gatewayAddresses");
    assertThat(ListenerValidator.refusal(listener(KEY, "127.0.1.10", 8080), pool, ports))
        .contains("8080")
        .contains("kubernetes.gatewayPorts");
    assertThat(ListenerValidator.refusal(listener(KEY, "127.0.1.10", 80), Cidrs.NONE, ports))
        .contains("(empty)");
    // a pool of every address still never binds the wildcard address
    assertThat(
            ListenerValidator.refusal(
                listener(KEY, "0.0.0.0", 80), Cidrs.parse(List.of("0.0.0.0/0")), ports))
        .contains("not one address");
    assertThat(
            ListenerValidator.refusal(listener(KEY, "::", 80), Cidrs.parse(List.of("::/0")), ports))
        .contains("not one address");
  }

  private static ListenerSpec https(FrontendValidation v, List<String> hostnames) {
    return new ListenerSpec(KEY, "127.0.1.10", 443, ListenerProtocol.HTTPS, null, v, hostnames);
  }

  @Test
  void client_validation_and_hostnames_belong_to_https_listeners_with_a_valid_bundle() {
    String ca = io.gatehouse.testing.TestPki.ca("clients").caPem();
    FrontendValidation v = new FrontendValidation(ca, false);
    ListenerSpec https = https(v, List.of("", "App.Example.COM", "*.example.com"));
    ListenerSpec valid = ListenerValidator.validate(https).value();
    assertThat(valid).isNotNull();
    assertThat(valid.clientValidation()).isEqualTo(v);
    assertThat(valid.hostnames()).containsExactly("", "app.example.com", "*.example.com");

    ListenerSpec http =
        new ListenerSpec(KEY, "127.0.1.10", 80, ListenerProtocol.HTTP, null, v, List.of("a.b"));
    assertThat(fields(http)).containsExactlyInAnyOrder("clientValidation", "hostnames");
    ListenerSpec badBundle =
        https(new FrontendValidation("not a certificate", true), List.of("a..b"));
    assertThat(fields(badBundle))
        .containsExactlyInAnyOrder("clientValidation.caBundlePem", "hostnames[0]");
  }
}
