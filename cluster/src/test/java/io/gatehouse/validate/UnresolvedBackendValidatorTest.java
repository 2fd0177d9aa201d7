package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.RequestMirror;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #17: a backend that answers a fixed status ({@link BackendRef.Unresolved}) and a Service of
 * another namespace are written by the Kubernetes translator only; the routes file and REST cannot
 * name them, and neither can a mirror or an error page.
 */
@Timeout(10)
class UnresolvedBackendValidatorTest {
  private static final BackendRef.Unresolved NOT_FOUND =
      new BackendRef.Unresolved(500, "BackendNotFound: Service team-a/nowhere not found");
  private static final BackendRef.ServicePort WEB =
      new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.HTTP1, null);
  private static final BackendSpec STATIC = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));

  private static RouteSpec route(String source, RouteBackend... backends) {
    return RouteSpec.simple(
            RouteKey.of("team-a", source, "httproute_web.r0.m0"),
            List.of("app.example.com"),
            List.of(PathMatch.prefix("/")),
            STATIC)
        .withBackends(List.of(backends));
  }

  private static List<String> fields(RouteSpec spec) {
    Validated<RouteSpec> v = RouteValidator.validate(spec);
    return v.isValid() ? List.of() : v.violations().stream().map(Violation::field).toList();
  }

  @Test
  void a_kubernetes_route_may_have_an_unresolved_backend_beside_a_valid_one() {
    RouteSpec spec = route("k8s", new RouteBackend(WEB, 1), new RouteBackend(NOT_FOUND, 1));
    Validated<RouteSpec> v = RouteValidator.validate(spec);
    assertThat(v.isValid()).as(String.valueOf(v.violations())).isTrue();
    assertThat(v.value().backends().get(1).ref()).isEqualTo(NOT_FOUND);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "api"})
  void the_routes_file_and_rest_cannot_write_a_fixed_status_backend(String source) {
    assertThat(fields(route(source, RouteBackend.of(NOT_FOUND)))).containsExactly("backend");
    assertThat(fields(route(source, RouteBackend.of(STATIC), new RouteBackend(NOT_FOUND, 1))))
        .containsExactly("backends[1]");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 200, 404, 499, 600})
  void the_status_is_a_server_error(int status) {
    RouteSpec spec = route("k8s", RouteBackend.of(new BackendRef.Unresolved(status, "why")));
    assertThat(fields(spec)).containsExactly("backend.status");
  }

  @Test
  void the_reason_is_not_blank_nor_longer_than_a_value() {
    assertThat(fields(route("k8s", RouteBackend.of(new BackendRef.Unresolved(500, " ")))))
        .containsExactly("backend.reason");
    String tooLong = "x".repeat(RouteValidator.MAX_VALUE_LENGTH + 1);
    assertThat(fields(route("k8s", RouteBackend.of(new BackendRef.Unresolved(500, tooLong)))))
        .containsExactly("backend.reason");
  }

  @Test
  void a_mirror_or_an_error_page_never_gets_a_fixed_status_backend() {
    RouteSpec mirrored =
        route("k8s", RouteBackend.of(WEB)).withPolicies(List.of(RequestMirror.of(NOT_FOUND)));
    assertThat(fields(mirrored)).contains("policies[0].backendRef");
    RouteSpec pages =
        route("k8s", RouteBackend.of(WEB))
            .withPolicies(List.of(new ErrorPages(List.of(503), null, null, NOT_FOUND)));
    assertThat(fields(pages)).contains("policies[0].backend");
  }

  @Test
  void a_service_of_another_namespace_only_from_kubernetes() {
    BackendRef.ServicePort other = WEB.withNamespace("team-b");
    Validated<RouteSpec> k8s = RouteValidator.validate(route("k8s", RouteBackend.of(other)));
    assertThat(k8s.isValid()).as(String.valueOf(k8s.violations())).isTrue();
    assertThat(k8s.value().backends().get(0).ref()).isEqualTo(other);

    assertThat(fields(route("file", RouteBackend.of(other)))).containsExactly("backend.namespace");
    assertThat(fields(route("api", RouteBackend.of(other)))).containsExactly("backend.namespace");
    // nor as a mirror's target
    RouteSpec mirrored =
        route("file", RouteBackend.of(WEB)).withPolicies(List.of(RequestMirror.of(other)));
    assertThat(fields(mirrored)).containsExactly("policies[0].backendRef.namespace");
    // the route's own namespace is written as no namespace: that one is fine from any source
    assertThat(fields(route("file", RouteBackend.of(WEB)))).isEmpty();
  }

  @Test
  void the_namespace_is_a_namespace_name() {
    assertThat(fields(route("k8s", RouteBackend.of(WEB.withNamespace("Team_B")))))
        .containsExactly("backend.namespace");
  }
}
