package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;
import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deleting an Ingress and its TLS Secret, under a steady stream of TLS handshakes for its host: the
 * route and its certificate must leave the served state together. The invariant checked across all
 * client threads: once any handshake for the host got the default certificate, no request started
 * later is still answered by the backend (the route outlived its certificate), and no handshake for
 * the host got the default certificate while the host was still routed (the node's fallback counter
 * stays at zero).
 *
 * <p>Same test seam as {@link KubernetesNodeIT}: slices hold documentation addresses that the node
 * maps to a loopback backend.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KubernetesTlsDeletionIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String HOST = "gone.example.test";
  private static final String BACKEND_ADDRESS = "192.0.2.77";
  private static final int CLIENTS = 4;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void deleting_an_ingress_and_its_secret_never_serves_the_default_certificate_for_a_routed_host(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("tls-delete");
    String cls = ingressClass(admin, "tls-delete");
    TestUpstream web = TestUpstream.named(vertx, "secure");
    Map<String, Integer> backends = Map.of(BACKEND_ADDRESS + ":8080", web.port());
    service(admin, ns, "web");
    slice(admin, ns, "web");
    TestCertificates.Pair pair = TestCertificates.selfSigned(List.of(HOST));
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("gone-tls"))
                .type("kubernetes.io/tls")
                .data(
                    Map.of(
                        "tls.crt", pair.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        "tls.key", pair.keyPem().getBytes(StandardCharsets.US_ASCII))))
        .execute();
    V1Ingress ing = ingress(ns, "web", cls, HOST, null);
    ing.getSpec()
        .getRules()
        .get(0)
        .getHttp()
        .getPaths()
        .get(0)
        .getBackend()
        .getService()
        .name("web");
    ing.getSpec().tls(List.of(new V1IngressTLS().hosts(List.of(HOST)).secretName("gone-tls")));
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ing).execute();

    NodeConfig.Kubernetes k =
        new NodeConfig.Kubernetes(
            true,
            server.kubeconfig().toString(),
            List.of(ns),
            cls,
            "",
            List.of("192.0.2.250"),
            false,
            "gatehouse",
            "gatehouse-leader");
    NodeConfig config =
        NodeFixture.testConfig()
            .withKubernetes(k)
            .withTls(
                new NodeConfig.Tls(
                    true, "", 0, "", "", NodeConfig.Tls.Engine.JDK, Duration.ofSeconds(2)));
    GatehouseNode node =
        GatehouseNode.start(
                config,
                List.of(),
                e -> {
                  Integer port = backends.get(e.authority());
                  return port == null ? e : new Endpoint("127.0.0.1", port, e.weight());
                })
            .await(60, TimeUnit.SECONDS);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS + 1);
    try {
      X509Certificate defaultCert = node.certificates().defaultCertificate().chain()[0];
      await("the Secret's certificate is served")
          .atMost(WAIT)
          .until(() -> !exchange(node, defaultCert).defaultCertificate());

      AtomicBoolean running = new AtomicBoolean(true);
      // nanoTime of the first handshake that got the default certificate
      AtomicLong firstDefault = new AtomicLong(Long.MAX_VALUE);
      AtomicInteger served = new AtomicInteger();
      AtomicInteger gone = new AtomicInteger();
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        loops.add(
            clients.submit(
                () -> {
                  while (running.get()) {
                    long started = System.nanoTime();
                    Exchange x = exchange(node, defaultCert);
                    if (x.defaultCertificate()) {
                      firstDefault.accumulateAndGet(x.handshaken(), Math::min);
                    }
                    if (x.fromBackend()) {
                      served.incrementAndGet();
                      if (x.defaultCertificate()) {
                        violations.add("the backend answered over the default certificate");
                      } else if (started > firstDefault.get()) {
                        violations.add(
                            "the backend answered a request started "
                                + (started - firstDefault.get()) / 1000
                                + " µs after a handshake got the default certificate");
                      }
                    } else {
                      gone.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      // white box, the same invariant at every instant: while the routers' snapshot routes the
      // host, the certificate index must not answer its SNI with the default certificate
      List<String> states = Collections.synchronizedList(new ArrayList<>());
      loops.add(
          clients.submit(
              () -> {
                while (running.get()) {
                  RouteSnapshot s1 = node.snapshots().get();
                  CertificateIndex index = node.certificates();
                  RouteSnapshot s2 = node.snapshots().get();
                  if (s1 == s2
                      && routes(s1)
                      && index.lookup(HOST) == index.defaultCertificate()
                      && states.size() < 10) {
                    states.add(
                        "generation " + s1.generation() + " routes the host, SNI gets the default");
                  }
                  Thread.onSpinWait();
                }
                return null;
              }));
      // and in the table every node reads: no view has a route naming a certificate it lost
      List<String> tableStates = Collections.synchronizedList(new ArrayList<>());
      AutoCloseable subscription =
          node.table()
              .subscribe(
                  view -> {
                    for (RouteSpec r : view.routes().values()) {
                      if (r.tls() != null
                          && r.hosts().contains(HOST)
                          && !view.certificates()
                              .containsKey(r.tls().certificateKey(r.key().tenant()))) {
                        tableStates.add(
                            "generation "
                                + view.generation()
                                + ": route "
                                + r.key()
                                + " names a certificate the table no longer holds");
                      }
                    }
                  });
      int before = served.get();
      await("steady load").atMost(WAIT).until(() -> served.get() >= before + 40);

      net.deleteNamespacedIngress("web", ns).execute();
      new CoreV1Api(admin).deleteNamespacedSecret("gone-tls", ns).execute();

      await("the host is no longer routed").atMost(WAIT).until(() -> gone.get() >= 1);
      int goneAt = gone.get();
      await("more handshakes after it left").atMost(WAIT).until(() -> gone.get() >= goneAt + 40);
      running.set(false);
      for (Future<?> f : loops) {
        f.get(30, TimeUnit.SECONDS);
      }
      System.out.printf(
          "tls deletion: %d answered by the backend, %d after the route left, violations %d%n",
          served.get(), gone.get(), violations.size());
      subscription.close();
      assertThat(tableStates).as("a table state with the route but not its certificate").isEmpty();
      assertThat(states).as("a routed host served with the default certificate").isEmpty();
      assertThat(violations).as("the route outlived its certificate").isEmpty();
      String metrics =
          RawHttp.exchange(
                  node.statusPort(),
                  "GET /metrics HTTP/1.1\r\nHost: status\r\nConnection: close\r\n\r\n")
              .body();
      assertThat(metrics.lines())
          .as("no handshake for a routed HTTPS host fell back to the default certificate")
          .noneMatch(
              l ->
                  l.startsWith("gatehouse_tls_default_certificate_fallbacks_total")
                      && l.contains("\"" + HOST + "\""));
    } finally {
      clients.shutdownNow();
      node.stop().await();
      web.close();
    }
  }

  private static boolean routes(RouteSnapshot s) {
    if (s == null) {
      return false;
    }
    for (CompiledRoute r : s.routes()) {
      if (r.spec().hosts().contains(HOST)) {
        return true;
      }
    }
    return false;
  }

  /** One connection: handshake, then one request. */
  private record Exchange(boolean defaultCertificate, long handshaken, boolean fromBackend) {}

  private static Exchange exchange(GatehouseNode node, X509Certificate defaultCert)
      throws Exception {
    try (SSLSocket s = TlsSockets.open(node.httpsPort(), HOST)) {
      long handshaken = System.nanoTime();
      boolean dflt = defaultCert.equals(s.getSession().getPeerCertificates()[0]);
      s.getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return new Exchange(
          dflt, handshaken, response.startsWith("HTTP/1.1 200") && response.endsWith("secure"));
    }
  }

  private static void service(ApiClient admin, String ns, String name) throws Exception {
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name(name))
                .spec(
                    new V1ServiceSpec().ports(List.of(new V1ServicePort().name("http").port(80)))))
        .execute();
  }

  private static void slice(ApiClient admin, String ns, String svc) throws Exception {
    new DiscoveryV1Api(admin)
        .createNamespacedEndpointSlice(
            ns,
            new V1EndpointSlice()
                .metadata(
                    new V1ObjectMeta()
                        .name(svc + "-slice")
                        .namespace(ns)
                        .labels(Map.of("kubernetes.io/service-name", svc)))
                .addressType("IPv4")
                .ports(
                    List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
                .endpoints(
                    List.of(
                        new V1Endpoint()
                            .addresses(List.of(BACKEND_ADDRESS))
                            .conditions(new V1EndpointConditions().ready(true)))))
        .execute();
  }
}
