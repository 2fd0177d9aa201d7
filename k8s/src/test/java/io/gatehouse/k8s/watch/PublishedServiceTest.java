package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which addresses a publish Service gives, by type (as ingress-nginx's --publish-service). */
class PublishedServiceTest {
  @Test
  void load_balancer_gives_its_ingress_ip_or_hostname_then_external_ips() {
    V1Service svc =
        new V1Service()
            .spec(
                new V1ServiceSpec()
                    .type("LoadBalancer")
                    .clusterIP("10.96.0.9")
                    .externalIPs(List.of("198.51.100.1", "203.0.113.1")))
            .status(
                new V1ServiceStatus()
                    .loadBalancer(
                        new V1LoadBalancerStatus()
                            .ingress(
                                List.of(
                                    new V1LoadBalancerIngress().ip("203.0.113.1"),
                                    new V1LoadBalancerIngress().hostname("lb.example.com")))));
    assertThat(PublishedService.addresses(svc, List.of()))
        .containsExactly("203.0.113.1", "lb.example.com", "198.51.100.1");
  }

  @Test
  void load_balancer_without_an_address_yet_gives_none() {
    V1Service svc =
        new V1Service().spec(new V1ServiceSpec().type("LoadBalancer").clusterIP("10.96.0.9"));
    assertThat(PublishedService.addresses(svc, List.of())).isEmpty();
  }

  @Test
  void node_port_gives_external_ips_else_the_cluster_ip() {
    V1ServiceSpec spec = new V1ServiceSpec().type("NodePort").clusterIP("10.96.0.9");
    assertThat(PublishedService.addresses(new V1Service().spec(spec), List.of()))
        .containsExactly("10.96.0.9");
    spec.externalIPs(List.of("198.51.100.7"));
    assertThat(PublishedService.addresses(new V1Service().spec(spec), List.of()))
        .containsExactly("198.51.100.7");
  }

  @Test
  void headless_gives_the_ready_endpoints_sorted() {
    V1Service svc = new V1Service().spec(new V1ServiceSpec().type("ClusterIP").clusterIP("None"));
    V1EndpointSlice slice =
        new V1EndpointSlice()
            .endpoints(
                List.of(
                    endpoint("192.0.2.9", true),
                    endpoint("192.0.2.3", null),
                    endpoint("192.0.2.5", false)));
    assertThat(PublishedService.addresses(svc, List.of(slice)))
        .containsExactly("192.0.2.3", "192.0.2.9");
  }

  @Test
  void external_name_gives_the_name() {
    V1Service svc =
        new V1Service()
            .spec(new V1ServiceSpec().type("ExternalName").externalName("edge.example.com"));
    assertThat(PublishedService.addresses(svc, List.of())).containsExactly("edge.example.com");
  }

  private static V1Endpoint endpoint(String address, Boolean ready) {
    return new V1Endpoint()
        .addresses(List.of(address))
        .conditions(new V1EndpointConditions().ready(ready));
  }
}
