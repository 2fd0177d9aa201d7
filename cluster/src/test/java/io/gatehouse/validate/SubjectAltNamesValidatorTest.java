package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code tls.subjectAltNames} of a backend (Gateway API BackendTLSPolicy, issue #17): only the
 * Kubernetes translator writes them, each {@code DNS:<host name>} or {@code URI:<absolute URI>}.
 */
class SubjectAltNamesValidatorTest {
  private static UpstreamTls tls(String... names) {
    return UpstreamTls.DEFAULT
        .withServerName("backend.example.com")
        .withSubjectAltNames(List.of(names));
  }

  private static RouteSpec route(String source, UpstreamTls tls) {
    return RouteSpec.simple(
            RouteKey.of("apps", source, "web"),
            List.of("web.example.com"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 443))))
        .withBackends(
            List.of(
                RouteBackend.of(
                    new BackendRef.ServicePort("secure", 443, null, UpstreamProtocol.HTTP1, tls))));
  }

  @Test
  void a_kubernetes_route_keeps_its_names_host_names_lower_cased() {
    Validated<RouteSpec> v =
        RouteValidator.validate(route("k8s", tls("DNS:ABC.example.com", "URI:spiffe://a/b")));
    assertThat(v.violations()).isEmpty();
    BackendRef.ServicePort sp = (BackendRef.ServicePort) v.value().backends().get(0).ref();
    assertThat(sp.tls().subjectAltNames())
        .containsExactly("DNS:abc.example.com", "URI:spiffe://a/b");
  }

  @Test
  void the_file_and_rest_cannot_set_them() {
    Validated<RouteSpec> v = RouteValidator.validate(route("file", tls("DNS:abc.example.com")));
    assertThat(v.violations())
        .extracting(Violation::field)
        .containsExactly("backend.tls.subjectAltNames");
    BackendObject named =
        new BackendObject(
            new BackendKey(TenantId.of("apps"), "b"),
            "api",
            new BackendSpec(
                UpstreamProtocol.HTTP1,
                List.of(Endpoint.of("10.0.0.1", 443)),
                tls("DNS:abc.example.com")));
    assertThat(RouteValidator.validateBackend(named).violations())
        .extracting(Violation::field)
        .containsExactly("tls.subjectAltNames");
  }

  @Test
  void each_name_has_a_known_type_and_a_valid_value() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(
                "k8s",
                tls(
                    "DNS:*.example.com",
                    "DNS:bad name",
                    "URI:relative/path",
                    "IP:10.0.0.1",
                    "DNS:ok.example.com")));
    assertThat(v.violations())
        .extracting(Violation::field)
        .containsExactly(
            "backend.tls.subjectAltNames[0]",
            "backend.tls.subjectAltNames[1]",
            "backend.tls.subjectAltNames[2]",
            "backend.tls.subjectAltNames[3]");
  }

  @Test
  void at_most_five_names_and_never_with_insecure_skip_verify() {
    Validated<RouteSpec> many =
        RouteValidator.validate(
            route(
                "k8s",
                tls(
                    "DNS:a.example",
                    "DNS:b.example",
                    "DNS:c.example",
                    "DNS:d.example",
                    "DNS:e.example",
                    "DNS:f.example")));
    assertThat(many.violations())
        .extracting(Violation::field)
        .containsExactly("backend.tls.subjectAltNames");
    Validated<RouteSpec> insecure =
        RouteValidator.validate(
            route("k8s", new UpstreamTls(null, true, null, true, null, List.of("DNS:a.example"))));
    assertThat(insecure.violations())
        .extracting(Violation::field)
        .containsExactly("backend.tls.subjectAltNames");
  }

  @Test
  void to_string_names_them_and_never_a_key() {
    assertThat(tls("DNS:a.example").toString()).contains("subjectAltNames=[DNS:a.example]");
  }
}
