package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorPageFetchTest {
  @Test
  void the_ingress_name_is_the_ingress_of_a_kubernetes_route_and_the_route_name_otherwise() {
    record Case(String source, String name, String expected) {}
    List<Case> cases =
        List.of(
            new Case("k8s", "web.r0.p0", "web"),
            new Case("k8s", "web.api.r12.p3", "web.api"),
            new Case("k8s", "web.r1.www", "web"),
            new Case("k8s", "web.r0.default", "web"),
            new Case("k8s", "web.default", "web"),
            new Case("k8s", "web.r0.px", "web.r0.px"),
            new Case("file", "web.r0.p0", "web.r0.p0"),
            new Case("api", "main", "main"));
    for (Case c : cases) {
      assertThat(ErrorPageFetch.ingressName(RouteKey.of("shop", c.source(), c.name())))
          .as("%s %s", c.source(), c.name())
          .isEqualTo(c.expected());
    }
  }
}
