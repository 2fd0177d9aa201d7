package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-backend compatibility surface of {@link RouteSpec} over its list of backends. */
class RouteSpecBackendsTest {
  private static final BackendSpec A = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));
  private static final BackendSpec B = BackendSpec.http1(List.of(Endpoint.of("10.0.0.2", 80)));
  private static final RouteSpec ROUTE =
      RouteSpec.simple(RouteKey.of("t", "api", "r"), List.of(), List.of(), A);

  @Test
  void a_route_built_with_one_backend_holds_it_at_weight_1() {
    assertThat(ROUTE.backends()).containsExactly(new RouteBackend(A, 1));
    assertThat(ROUTE.backend()).isSameAs(A);
    assertThat(ROUTE.staticBackend()).isSameAs(A);
    assertThat(ROUTE).isEqualTo(ROUTE.withBackends(List.of(RouteBackend.of(A))));
  }

  @Test
  void backend_refuses_every_shape_the_data_plane_cannot_serve() {
    for (List<RouteBackend> shape :
        List.of(
            List.<RouteBackend>of(),
            List.of(RouteBackend.of(A), RouteBackend.of(B)),
            List.of(new RouteBackend(A, 0)),
            List.of(RouteBackend.of(new BackendRef.Named("shared"))),
            List.of(
                RouteBackend.of(
                    new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.HTTP1, null))))) {
      RouteSpec r = ROUTE.withBackends(shape);
      assertThat(r.staticBackend()).as("%s", shape).isNull();
      assertThatThrownBy(r::backend)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("t/api/r");
    }
  }

  @Test
  void a_lone_backend_at_another_weight_is_still_the_served_one() {
    assertThat(ROUTE.withBackends(List.of(new RouteBackend(A, 7))).backend()).isSameAs(A);
  }

  @Test
  void with_backend_keeps_a_lone_backends_weight_and_replaces_a_split() {
    RouteSpec weighted = ROUTE.withBackends(List.of(new RouteBackend(A, 7)));
    assertThat(weighted.withBackend(B).backends()).containsExactly(new RouteBackend(B, 7));
    RouteSpec split = ROUTE.withBackends(List.of(RouteBackend.of(A), RouteBackend.of(B)));
    assertThat(split.withBackend(B).backends()).containsExactly(new RouteBackend(B, 1));
  }

  @Test
  void null_backends_are_refused() {
    assertThatThrownBy(() -> ROUTE.withBackend(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new RouteBackend(null, 1)).isInstanceOf(NullPointerException.class);
  }
}
