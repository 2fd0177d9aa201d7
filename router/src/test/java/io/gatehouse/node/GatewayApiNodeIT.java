package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.k8s.watch.testing.GatewayCrds;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kubernetes.gatewayApi} in a whole node: on a control plane of its own (the shared one of
 * the other node tests never gets the CRDs), first without the Gateway API CRDs, then with them.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewayApiNodeIT {
  @Test
  void auto_follows_the_installed_crds_and_true_refuses_to_start_without_them() throws Exception {
    try (ApiServerHarness server = ApiServerHarness.start();
        KubeNodeFixture fixture = new KubeNodeFixture()) {
      try (KubeNodeFixture.Running node = fixture.node(server, "", "")) {
        assertThat(gatewayApi(node)).isEmpty();
      }
      assertThatThrownBy(() -> fixture.node(server, "", "", c -> gatewayApi(c, "true")))
          .hasMessageContaining("kubernetes.gatewayApi is true")
          .hasMessageContaining("standard-install.yaml");

      GatewayCrds.installStandard(server, Duration.ofSeconds(90));
      try (KubeNodeFixture.Running node = fixture.node(server, "", "")) {
        assertThat(gatewayApi(node))
            .contains("GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "ReferenceGrant");
      }
      try (KubeNodeFixture.Running node =
          fixture.node(server, "", "", c -> gatewayApi(c, "true"))) {
        assertThat(gatewayApi(node)).contains("Gateway");
      }
      try (KubeNodeFixture.Running node =
          fixture.node(server, "", "", c -> gatewayApi(c, "false"))) {
        assertThat(gatewayApi(node)).isEmpty();
      }
    }
  }

  private static NodeConfig gatewayApi(NodeConfig c, String mode) {
    return c.withKubernetes(c.kubernetes().withGatewayApi(mode, 80, 443));
  }

  private static List<Object> gatewayApi(KubeNodeFixture.Running node) {
    JsonArray kinds =
        node.node().statusJson().getJsonObject("kubernetes").getJsonArray("gatewayApi");
    return kinds.getList();
  }
}
