package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.URLRewrite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A backend's own filters (issue #17, Gateway API filters on a backendRef): the Kubernetes
 * translator's only, of the kinds that can run once the backend is chosen, each checked as a route
 * policy is, under {@code backends[i].filters[j]}.
 */
class BackendFiltersValidatorTest {
  private static final BackendSpec A = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));
  private static final BackendSpec B = BackendSpec.http1(List.of(Endpoint.of("10.0.0.2", 80)));

  private static RouteSpec route(String source, PathMatch path, List<PolicySpec> filters) {
    return RouteSpec.simple(
            RouteKey.of("team-a", source, "r"), List.of("a.example"), List.of(path), A)
        .withBackends(List.of(new RouteBackend(A, 1, null, filters), new RouteBackend(B, 1)));
  }

  private static List<String> violations(RouteSpec r) {
    return RouteValidator.validate(r).violations().stream().map(Violation::message).toList();
  }

  private static RequestHeaders set(String name, String value) {
    return new RequestHeaders(Map.of(name, value), Map.of(), List.of());
  }

  @Test
  void kubernetes_routes_keep_them_names_lower_cased() {
    Validated<RouteSpec> v =
        RouteValidator.validate(route("k8s", PathMatch.prefix("/"), List.of(set("Backend", "a"))));
    assertThat(v.violations()).isEmpty();
    RouteSpec r = v.value();
    assertThat(r.backends().get(0).filters())
        .containsExactly(new RequestHeaders(Map.of("backend", "a"), Map.of(), List.of()));
    assertThat(r.backends().get(1).filters()).isEmpty();
  }

  @Test
  void the_file_and_rest_cannot_set_them() {
    assertThat(violations(route("api", PathMatch.prefix("/"), List.of(set("backend", "a")))))
        .singleElement()
        .asString()
        .startsWith("backends[0].filters")
        .contains("a backend's own filters are Gateway API's");
  }

  @Test
  void only_kinds_that_run_after_the_pick_and_each_checked_as_a_policy() {
    Cors cors =
        new Cors(
            List.of("https://a.example"), List.of(), List.of(), List.of(), List.of(), false, 5);
    assertThat(violations(route("k8s", PathMatch.prefix("/"), List.of(cors))))
        .anySatisfy(
            m ->
                assertThat(m)
                    .startsWith("backends[0].filters[0].type")
                    .contains(RouteValidator.BACKEND_FILTER_KINDS));
    assertThat(violations(route("k8s", PathMatch.prefix("/"), List.of(set("bad name", "a")))))
        .anySatisfy(m -> assertThat(m).startsWith("backends[0].filters[0]."));
    // a prefix replacement needs prefix paths, as on the route
    assertThat(
            violations(
                route(
                    "k8s",
                    PathMatch.exact("/x"),
                    List.of(URLRewrite.of(null, PathModifier.prefixMatch("/y"))))))
        .anySatisfy(m -> assertThat(m).startsWith("backends[0].filters[0].path.type"));
  }
}
