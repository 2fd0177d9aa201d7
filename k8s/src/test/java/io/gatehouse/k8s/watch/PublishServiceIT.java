package io.gatehouse.k8s.watch;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;
import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.k8s.watch.IngressWatcherIT.service;
import static io.gatehouse.k8s.watch.IngressWatcherIT.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.table.InMemoryRouteTable;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code kubernetes.publishService} against the real API server: Ingress status carries the
 * controller's own Service's address and follows it when it changes.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PublishServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void status_follows_the_load_balancer_of_the_publish_service(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("publish-lb");
    String ctl = server.createNamespace("publish-lb-ctl");
    String cls = ingressClass(admin, "publish-lb");
    service(admin, ns, "web");
    slice(admin, ns, "web", "192.0.2.1");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingress(ns, "ours", cls, "a.example.test", null)).execute();
    CoreV1Api core = new CoreV1Api(admin);
    core.createNamespacedService(ctl, controllerService("LoadBalancer")).execute();

    try (Running r = run(admin, ns, cls, ctl + "/gatehouse")) {
      setLoadBalancer(core, ctl, new V1LoadBalancerIngress().ip("203.0.113.7"));
      await("status from the load balancer's IP")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(addresses(net.readNamespacedIngress("ours", ns).execute()))
                      .containsExactly(new V1IngressLoadBalancerIngress().ip("203.0.113.7")));
      // the load balancer changes: the status follows without any Ingress change
      setLoadBalancer(core, ctl, new V1LoadBalancerIngress().hostname("lb.example.test"));
      await("status follows the Service")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(addresses(net.readNamespacedIngress("ours", ns).execute()))
                      .containsExactly(
                          new V1IngressLoadBalancerIngress().hostname("lb.example.test")));
    }
  }

  @Test
  void a_node_port_service_gives_its_external_ips_else_its_cluster_ip(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("publish-np");
    String ctl = server.createNamespace("publish-np-ctl");
    String cls = ingressClass(admin, "publish-np");
    service(admin, ns, "web");
    slice(admin, ns, "web", "192.0.2.1");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingress(ns, "ours", cls, "a.example.test", null)).execute();
    CoreV1Api core = new CoreV1Api(admin);
    V1Service created = core.createNamespacedService(ctl, controllerService("NodePort")).execute();
    String clusterIp = created.getSpec().getClusterIP();
    assertThat(clusterIp).isNotBlank();

    try (Running r = run(admin, ns, cls, ctl + "/gatehouse")) {
      await("status from the cluster IP")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(addresses(net.readNamespacedIngress("ours", ns).execute()))
                      .containsExactly(new V1IngressLoadBalancerIngress().ip(clusterIp)));
      V1Service svc = core.readNamespacedService("gatehouse", ctl).execute();
      svc.getSpec().externalIPs(List.of("198.51.100.5", "198.51.100.6"));
      core.replaceNamespacedService("gatehouse", ctl, svc).execute();
      await("status from the external IPs")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(addresses(net.readNamespacedIngress("ours", ns).execute()))
                      .containsExactly(
                          new V1IngressLoadBalancerIngress().ip("198.51.100.5"),
                          new V1IngressLoadBalancerIngress().ip("198.51.100.6")));
    }
  }

  @Test
  void a_headless_service_gives_its_ready_endpoints_the_nodes_under_host_network(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("publish-hl");
    String ctl = server.createNamespace("publish-hl-ctl");
    String cls = ingressClass(admin, "publish-hl");
    service(admin, ns, "web");
    slice(admin, ns, "web", "192.0.2.1");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingress(ns, "ours", cls, "a.example.test", null)).execute();
    V1Service headless = controllerService("ClusterIP");
    headless.getSpec().clusterIP("None");
    new CoreV1Api(admin).createNamespacedService(ctl, headless).execute();
    slice(admin, ctl, "gatehouse", "192.0.2.21", "192.0.2.20");

    try (Running r = run(admin, ns, cls, ctl + "/gatehouse")) {
      await("status from the ready endpoints")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(addresses(net.readNamespacedIngress("ours", ns).execute()))
                      .containsExactly(
                          new V1IngressLoadBalancerIngress().ip("192.0.2.20"),
                          new V1IngressLoadBalancerIngress().ip("192.0.2.21")));
    }
  }

  // --- fixtures ----------------------------------------------------------------------------

  private record Running(IngressWatcher watcher, PublishedService published)
      implements AutoCloseable {
    @Override
    public void close() {
      watcher.close();
      published.close();
    }
  }

  private static Running run(ApiClient admin, String ns, String cls, String publishService)
      throws Exception {
    InMemoryRouteTable table = new InMemoryRouteTable();
    IngressWatcher[] watcher = new IngressWatcher[1];
    PublishedService published =
        new PublishedService(
            admin,
            publishService,
            () -> {
              if (watcher[0] != null) {
                watcher[0].poke();
              }
            });
    IngressWatcherOptions o = IngressWatcherOptions.DEFAULTS;
    watcher[0] =
        new IngressWatcher(
            admin,
            new IngressWatcherOptions(
                List.of(ns), "", cls, o.holdOff(), o.maxDelay(), o.endpointMapper()),
            Clock.systemUTC(),
            () -> table.view().hostClaims(),
            List.of(
                new TableSink(table), new StatusWriter(admin, () -> true, published::addresses)));
    published.start();
    watcher[0].start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return new Running(watcher[0], published);
  }

  private static V1Service controllerService(String type) {
    return new V1Service()
        .metadata(
            new V1ObjectMeta()
                .name("gatehouse")
                .labels(Map.of("app.kubernetes.io/name", "gatehouse")))
        .spec(
            new V1ServiceSpec()
                .type(type)
                .selector(Map.of("app.kubernetes.io/name", "gatehouse"))
                .ports(List.of(new V1ServicePort().name("http").port(80))));
  }

  private static void setLoadBalancer(CoreV1Api core, String ns, V1LoadBalancerIngress lb)
      throws Exception {
    V1Service svc = core.readNamespacedService("gatehouse", ns).execute();
    svc.status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus().ingress(List.of(lb))));
    core.replaceNamespacedServiceStatus("gatehouse", ns, svc).execute();
  }

  private static List<V1IngressLoadBalancerIngress> addresses(V1Ingress i) {
    if (i.getStatus() == null
        || i.getStatus().getLoadBalancer() == null
        || i.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return i.getStatus().getLoadBalancer().getIngress();
  }
}
