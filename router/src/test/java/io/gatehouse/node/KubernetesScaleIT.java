package io.gatehouse.node;

import static io.gatehouse.watch.IngressWatcherIT.ingress;
import static io.gatehouse.watch.IngressWatcherIT.ingressClass;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Endpoint;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.watch.testing.ApiServerExtension;
import io.gatehouse.watch.testing.ApiServerHarness;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scale figures for docs/benchmarks.md, not a regular test: run with {@code
 * -Dgatehouse.k8s.scale=true} (and optionally {@code -Dgatehouse.k8s.scale.ingresses=5000}).
 * Creates that many Ingresses (all on one Service, so one EndpointSlice change touches every
 * route), measures the node's start until the first sync is served, then the time from an
 * EndpointSlice write until traffic reaches the new endpoint.
 */
@ExtendWith(ApiServerExtension.class)
@EnabledIfSystemProperty(named = "gatehouse.k8s.scale", matches = "true")
class KubernetesScaleIT {
  private static final int ROUNDS = 30;

  @Test
  @Timeout(value = 900, unit = TimeUnit.SECONDS)
  void initialSyncAndEndpointChangeToTraffic(ApiServerHarness server) throws Exception {
    int n = Integer.getInteger("gatehouse.k8s.scale.ingresses", 5000);
    Vertx vertx = Vertx.vertx();
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("scale");
    String cls = ingressClass(admin, "scale");
    TestUpstream one = TestUpstream.named(vertx, "one");
    TestUpstream two = TestUpstream.named(vertx, "two");
    Map<String, Integer> backends =
        Map.of("192.0.2.1:8080", one.port(), "192.0.2.2:8080", two.port());
    UnaryOperator<Endpoint> mapper =
        e -> {
          Integer p = backends.get(e.authority());
          return p == null ? e : new Endpoint("127.0.0.1", p, e.weight());
        };
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name("web"))
                .spec(
                    new V1ServiceSpec().ports(List.of(new V1ServicePort().name("http").port(80)))))
        .execute();
    DiscoveryV1Api discovery = new DiscoveryV1Api(admin);
    discovery.createNamespacedEndpointSlice(ns, slice(ns, "192.0.2.1")).execute();
    NetworkingV1Api net = new NetworkingV1Api(admin);
    long createStart = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> creates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      creates.add(
          pool.submit(
              () ->
                  net.createNamespacedIngress(
                          ns, ingress(ns, "ing-" + k, cls, "h" + k + ".scale.example.test", null))
                      .execute()));
    }
    for (Future<?> f : creates) {
      f.get(10, TimeUnit.MINUTES);
    }
    pool.shutdown();
    Duration created = Duration.ofNanos(System.nanoTime() - createStart);

    NodeConfig.Kubernetes k =
        new NodeConfig.Kubernetes(
            true, server.kubeconfig().toString(), List.of(ns), cls, "", List.of(), false, "", "");
    long startAt = System.nanoTime();
    GatehouseNode node =
        GatehouseNode.start(NodeFixture.testConfig().withKubernetes(k), List.of(), mapper)
            .await(600, TimeUnit.SECONDS);
    Duration initialSync = Duration.ofNanos(System.nanoTime() - startAt);
    try {
      assertThat(node.table().view().routes()).hasSize(n);
      List<Long> micros = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        String address = round % 2 == 0 ? "192.0.2.2" : "192.0.2.1";
        String expected = round % 2 == 0 ? "two" : "one";
        V1EndpointSlice current = discovery.readNamespacedEndpointSlice("web-scale", ns).execute();
        V1EndpointSlice next = slice(ns, address);
        next.getMetadata().resourceVersion(current.getMetadata().getResourceVersion());
        long t0 = System.nanoTime();
        discovery.replaceNamespacedEndpointSlice("web-scale", ns, next).execute();
        String host = "h" + (round * 97 % n) + ".scale.example.test";
        while (true) {
          RawHttp.Response r =
              RawHttp.exchange(
                  node.httpPort(),
                  "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
          if (r.status() == 200 && r.body().equals(expected)) {
            break;
          }
          if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
            throw new AssertionError("round " + round + ": no traffic to " + expected + " in 60 s");
          }
        }
        micros.add((System.nanoTime() - t0) / 1000);
      }
      Collections.sort(micros);
      System.out.printf(
          "k8s scale: %d Ingresses created in %d ms; node start to first sync served: %d ms;"
              + " EndpointSlice write to traffic over %d rounds: p50 %d ms, p99 %d ms, max %d ms%n",
          n,
          created.toMillis(),
          initialSync.toMillis(),
          ROUNDS,
          micros.get(micros.size() / 2) / 1000,
          micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000,
          micros.get(micros.size() - 1) / 1000);
    } finally {
      node.stop().await();
      one.close();
      two.close();
      vertx.close().await();
    }
  }

  private static V1EndpointSlice slice(String ns, String address) {
    return new V1EndpointSlice()
        .metadata(
            new V1ObjectMeta()
                .name("web-scale")
                .namespace(ns)
                .labels(Map.of("kubernetes.io/service-name", "web")))
        .addressType("IPv4")
        .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
        .endpoints(
            List.of(
                new V1Endpoint()
                    .addresses(List.of(address))
                    .conditions(new V1EndpointConditions().ready(true))));
  }
}
