package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.node.KubeNodeFixture.createSlice;
import static io.gatehouse.node.KubeNodeFixture.ingressTo;
import static io.gatehouse.node.KubeNodeFixture.replaceSlice;
import static io.gatehouse.node.KubeNodeFixture.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.node.KubeNodeFixture.Running;
import io.gatehouse.proxy.CanaryIT;
import io.gatehouse.proxy.WeightedSplitIT;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A whole node with {@code kubernetes.enabled} against the real API server, serving real traffic.
 *
 * <p>Test seam: the API server refuses loopback addresses in EndpointSlices, so slices hold
 * documentation addresses ({@code 192.0.2.N:8080}) and the node is started with an endpoint mapper
 * that sends each one to a loopback backend. The mapper is a parameter of {@code
 * GatehouseNode.start} only: no configuration key or Kubernetes object can set it.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KubernetesNodeIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static KubeNodeFixture fx;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    fx = new KubeNodeFixture();
    vertx = fx.vertx();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void without_an_ingress_every_request_gets_the_default_404(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("node-empty");
    String cls = ingressClass(server.adminClient(), "node-empty");
    try (Running node = fx.node(server, ns, cls)) {
      RawHttp.Response r =
          RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: nothing.example.test\r\n\r\n");
      assertThat(r.status()).isEqualTo(404);
    }
  }

  @Test
  void two_services_by_host_and_status_carries_the_address(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-hosts");
    String cls = ingressClass(admin, "node-hosts");
    TestUpstream a = fx.backendFor(admin, ns, "svc-a", "a");
    TestUpstream b = fx.backendFor(admin, ns, "svc-b", "b");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingressTo(ns, "a", cls, "a.example.test", "svc-a")).execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "b", cls, "b.example.test", "svc-b")).execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "c", "unknown-class", "c.example.test", "svc-a"))
        .execute();
    try (Running node = fx.node(server, ns, cls)) {
      assertThat(node.get("a.example.test", "/").body()).isEqualTo("a");
      assertThat(node.get("b.example.test", "/").body()).isEqualTo("b");
      // another class: neither served nor given an address
      assertThat(node.get("c.example.test", "/").status()).isEqualTo(404);
      await("status")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(lb(net.readNamespacedIngress("a", ns).execute()))
                      .containsExactly(new V1IngressLoadBalancerIngress().ip("192.0.2.250")));
      assertThat(lb(net.readNamespacedIngress("c", ns).execute())).isEmpty();
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void an_endpoint_removed_under_steady_load_fails_no_request(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-load");
    String cls = ingressClass(admin, "node-load");
    TestUpstream one = fx.backend("one");
    TestUpstream two = fx.backend("two");
    String oneAddress = fx.address(one);
    String twoAddress = fx.address(two);
    service(admin, ns, "web");
    String slice = "web-slice";
    createSlice(admin, ns, "web", slice, Map.of(oneAddress, true, twoAddress, true));
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingressTo(ns, "web", cls, "load.example.test", "web"))
        .execute();
    try (Running node = fx.node(server, ns, cls)) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger afterRemoval = new AtomicInteger();
      AtomicBoolean removed = new AtomicBoolean();
      Map<String, Integer> bodies = new ConcurrentHashMap<>();
      Thread load =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    RawHttp.Response r = node.get("load.example.test", "/");
                    if (r.status() == 200) {
                      ok.incrementAndGet();
                      if (removed.get()) {
                        afterRemoval.incrementAndGet();
                        bodies.merge(r.body(), 1, Integer::sum);
                      }
                    } else {
                      failed.incrementAndGet();
                    }
                  } catch (Exception e) {
                    failed.incrementAndGet();
                  }
                }
              },
              "load");
      load.start();
      try {
        await("load flows to both").atMost(WAIT).until(() -> one.count() > 20 && two.count() > 20);
        // the pod starts terminating: not ready, still serving, then gone
        replaceSlice(admin, ns, "web", slice, Map.of(oneAddress, true, twoAddress, false));
        // the route refers to the Service port; the node serves what its index holds for it
        EndpointsKey key = new EndpointsKey.Service(ns, "web", 80, null);
        await("endpoint gone from the node's index")
            .atMost(WAIT)
            .until(() -> node.node().endpoints().get(key).endpoints().size() == 1);
        two.close();
        removed.set(true);
        await("load goes on").atMost(WAIT).until(() -> afterRemoval.get() >= 200);
      } finally {
        running.set(false);
        load.join(10_000);
      }
      assertThat(failed).hasValue(0);
      assertThat(bodies).containsOnlyKeys("one");
    } finally {
      one.close();
    }
  }

  /**
   * The Lease (3 s) is far shorter than the outage, so this node certainly loses leadership while
   * the API server is away, whatever the machine's speed; the test waits until it has, then keeps
   * the load on for a while longer. The upstream only counts: recorded requests would fill the heap
   * the node shares and trip its overload guard on a fast machine (the cause of the failures in
   * issue 11).
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void an_api_server_outage_longer_than_the_lease_fails_no_request_and_the_watch_resumes(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-outage");
    String cls = ingressClass(admin, "node-outage");
    TestUpstream web = TestUpstream.counting(vertx, "steady");
    service(admin, ns, "web");
    createSlice(admin, ns, "web", "web-slice", Map.of(fx.address(web), true));
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingressTo(ns, "before", cls, "before.example.test", "web"))
        .execute();
    Duration lease = Duration.ofSeconds(3);
    try (Running node =
            fx.node(server, ns, cls, c -> c.withKubernetes(withLease(c.kubernetes(), lease)));
        Load load = new Load(node, "before.example.test")) {
      await("load flows").atMost(WAIT).until(() -> load.ok() > 50);
      await("leader").atMost(WAIT).until(() -> leader(node));
      server.stopApiServer();
      await("leadership lost during the outage").atMost(WAIT).until(() -> !leader(node));
      int lost = load.ok();
      // three more leases without the API server or the Lease; the informers retry every second
      Duration without = lease.multipliedBy(3);
      await("no request fails without the API server and the Lease")
          .during(without)
          .atMost(without.plus(WAIT))
          .untilAsserted(() -> assertThat(load.failures()).as("failed requests").isEmpty());
      assertThat(load.ok()).isGreaterThan(lost + 100);
      server.restartApiServer(Duration.ofSeconds(60));
      await("the API server answers again")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                net.createNamespacedIngress(
                        ns, ingressTo(ns, "after", cls, "after.example.test", "web"))
                    .execute();
                return true;
              });
      await("a change after the outage is served")
          .atMost(Duration.ofSeconds(60))
          .until(() -> node.get("after.example.test", "/").status() == 200);
      await("leader again").atMost(WAIT).until(() -> leader(node));
      load.stop();
      assertThat(load.failures()).as("failed requests").isEmpty();
    } finally {
      server.restartApiServer(Duration.ofSeconds(60));
      web.close();
    }
  }

  /**
   * A table route that refers to a Service port is served from this node's own endpoint feed: the
   * compile resolves the key from the watcher's caches, and a later EndpointSlice change reaches
   * the traffic through the index alone, with the compiled route unchanged (no table write, no
   * recompile).
   */
  @Test
  void a_service_port_route_is_served_from_the_nodes_endpoint_feed_and_follows_its_slices(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-ref");
    String cls = ingressClass(admin, "node-ref");
    TestUpstream one = fx.backend("ref-one");
    TestUpstream two = fx.backend("ref-two");
    String oneAddress = fx.address(one);
    String twoAddress = fx.address(two);
    service(admin, ns, "web");
    createSlice(admin, ns, "web", "web-slice", Map.of(oneAddress, true));
    try (Running node = fx.node(server, ns, cls)) {
      RouteKey key = RouteKey.of(ns, "test", "by-ref");
      long written =
          node.node()
              .table()
              .put(
                  RouteSpec.simple(
                          key,
                          List.of("ref.example.test"),
                          List.of(),
                          BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 1))))
                      .withBackends(
                          List.of(
                              RouteBackend.of(
                                  new BackendRef.ServicePort(
                                      "web", 80, null, UpstreamProtocol.HTTP1, null)))));
      await("route served")
          .atMost(WAIT)
          .until(() -> node.node().snapshots().get().generation() >= written);
      CompiledRoute compiled = node.node().snapshots().get().route(key);
      assertThat(compiled).isNotNull();
      assertThat(node.get("ref.example.test", "/").body()).isEqualTo("ref-one");

      replaceSlice(admin, ns, "web", "web-slice", Map.of(twoAddress, true));
      await("traffic follows the slice")
          .atMost(WAIT)
          .until(() -> "ref-two".equals(node.get("ref.example.test", "/").body()));
      assertThat(node.node().snapshots().get().route(key)).isSameAs(compiled);
    } finally {
      one.close();
      two.close();
    }
  }

  /**
   * A Service-port route the node loaded before its Kubernetes watch started (here from the command
   * line; in a cluster from the table's initial load) is compiled before the endpoint feed exists:
   * the feed still learns its key, and the node is ready only once the key has endpoints.
   */
  @Test
  void a_service_port_route_loaded_before_the_watch_is_served_once_the_node_is_ready(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-early");
    String cls = ingressClass(admin, "node-early");
    TestUpstream early = fx.backendFor(admin, ns, "web", "early");
    RouteSpec route =
        NodeFixture.valid(
            RouteSpec.simple(
                    RouteKey.of(ns, "cli", "early"),
                    List.of("early.example.test"),
                    List.of(),
                    BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 1))))
                .withBackends(
                    List.of(
                        RouteBackend.of(
                            new BackendRef.ServicePort(
                                "web", 0, "http", UpstreamProtocol.HTTP1, null)))));
    try (Running node = fx.node(server, ns, cls, UnaryOperator.identity(), List.of(route))) {
      assertThat(node.node().isReady()).isTrue();
      RawHttp.Response r = node.get("early.example.test", "/");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("early");
    } finally {
      early.close();
    }
  }

  /**
   * A routes-file route with a {@code service} backend, on a node that runs the Kubernetes
   * controller, resolves in the namespace named like its tenant through the node's endpoint feed:
   * served, and nothing reported (a node without the controller leaves it out, {@code
   * FileSourceIT}).
   */
  @Test
  void a_routes_file_service_backend_is_served_from_the_nodes_endpoint_feed(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-file");
    String cls = ingressClass(admin, "node-file");
    TestUpstream fromFile = fx.backendFor(admin, ns, "web", "from-file");
    Path file = Files.createTempFile("routes", ".yaml");
    Files.writeString(
        file,
        """
        routes:
          - name: by-service
            tenant: %s
            hosts: [file.example.test]
            backendRefs: [{service: {name: web, port: http}}]
        """
            .formatted(ns));
    try (Running node =
        fx.node(
            server,
            ns,
            cls,
            c -> c.withRoutes(new NodeConfig.Routes(file.toString(), Duration.ofMillis(100))))) {
      await("file route served")
          .atMost(WAIT)
          .until(() -> "from-file".equals(node.get("file.example.test", "/").body()));
      assertThat(node.node().statusJson().getJsonObject("fileSource").getString("lastError"))
          .isNull();
    } finally {
      fromFile.close();
      Files.deleteIfExists(file);
    }
  }

  /**
   * Issue #12's acceptance for Kubernetes, through {@link WeightedSplitIT#ninetyTen}: an
   * ingress-nginx canary with {@code canary-weight: "10"} joins the primary Ingress's route as its
   * second backend, and 10,000 keep-alive requests from 8 clients split 90/10 within 2 %.
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void a_weighted_canary_ingress_takes_its_share_of_ten_thousand_requests(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-canary");
    String cls = ingressClass(admin, "node-canary");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    try (Running node = fx.node(server, ns, cls)) {
      WeightedSplitIT.ninetyTen(
          vertx,
          node.port(),
          "canary.example.test",
          (host, primary, canary) -> {
            service(admin, ns, "web");
            createSlice(admin, ns, "web", "web-slice", Map.of(fx.address(primary), true));
            service(admin, ns, "web-v2");
            createSlice(admin, ns, "web-v2", "web-v2-slice", Map.of(fx.address(canary), true));
            net.createNamespacedIngress(ns, ingressTo(ns, "web", cls, host, "web")).execute();
            V1Ingress c = ingressTo(ns, "web-canary", cls, host, "web-v2");
            c.getMetadata()
                .annotations(
                    Map.of(
                        "nginx.ingress.kubernetes.io/canary", "true",
                        "nginx.ingress.kubernetes.io/canary-weight", "10"));
            net.createNamespacedIngress(ns, c).execute();
          });
      await("the canary Ingress has the status address too")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(lb(net.readNamespacedIngress("web-canary", ns).execute()))
                      .containsExactly(new V1IngressLoadBalancerIngress().ip("192.0.2.250")));
    }
  }

  @Test
  void a_rewrite_target_ingress_sends_the_captured_path_and_its_vhost_and_a_redirect_answers(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-rewrite");
    String cls = ingressClass(admin, "node-rewrite");
    TestUpstream web = fx.backendFor(admin, ns, "web", "rewritten");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress rewrite = ingressTo(ns, "rewrite", cls, "rewrite.example.test", "web");
    rewrite
        .getSpec()
        .getRules()
        .get(0)
        .getHttp()
        .getPaths()
        .get(0)
        .path("/api(/|$)(.*)")
        .pathType("ImplementationSpecific");
    rewrite
        .getMetadata()
        .annotations(
            Map.of(
                "nginx.ingress.kubernetes.io/rewrite-target", "/$2",
                "nginx.ingress.kubernetes.io/upstream-vhost", "backend.internal"));
    net.createNamespacedIngress(ns, rewrite).execute();
    V1Ingress moved = ingressTo(ns, "moved", cls, "moved.example.test", "web");
    moved
        .getMetadata()
        .annotations(
            Map.of(
                "nginx.ingress.kubernetes.io/permanent-redirect", "https://new.example.test/",
                "nginx.ingress.kubernetes.io/permanent-redirect-code", "308"));
    net.createNamespacedIngress(ns, moved).execute();
    try (Running node = fx.node(server, ns, cls)) {
      await("both Ingresses served")
          .atMost(WAIT)
          .until(
              () ->
                  RawHttp.exchange(
                              node.port(),
                              "GET /x HTTP/1.1\r\nHost: moved.example.test\r\nConnection:"
                                  + " close\r\n\r\n")
                          .status()
                      == 308);
      RawHttp.Response r =
          RawHttp.exchange(
              node.port(),
              "GET /api/users/7?full=1 HTTP/1.1\r\nHost: rewrite.example.test\r\nConnection:"
                  + " close\r\n\r\n");
      assertThat(r.status()).isEqualTo(200);
      TestUpstream.Recorded seen = web.take();
      assertThat(seen.uri()).isEqualTo("/users/7?full=1");
      assertThat(seen.header("host")).isEqualTo("backend.internal");
      RawHttp.Response redirect =
          RawHttp.exchange(
              node.port(),
              "GET /x?y=1 HTTP/1.1\r\nHost: moved.example.test\r\nConnection: close\r\n\r\n");
      assertThat(redirect.status()).isEqualTo(308);
      assertThat(redirect.header("location")).isEqualTo("https://new.example.test/");
    } finally {
      web.close();
    }
  }

  /**
   * Issue #13: ingress-nginx's {@code mirror-target} and {@code custom-http-errors} with {@code
   * default-backend} against the real API server. Each request is copied to the mirror's endpoint
   * (marked, with the client's URI and Host) while the client gets the primary's answer; the
   * primary's 404 keeps its status and carries the page the error Service answers, which is told
   * the code and the original URI; a 200 passes untouched.
   */
  @Test
  void a_mirror_target_and_custom_errors_with_a_default_backend_behave_as_ingress_nginx_documents(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-mirror");
    String cls = ingressClass(admin, "node-mirror");
    TestUpstream[] webRef = new TestUpstream[1];
    webRef[0] =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          webRef[0].record(req, b);
                          boolean missing = req.path().startsWith("/missing");
                          req.response()
                              .setStatusCode(missing ? 404 : 200)
                              .putHeader("content-type", "text/plain")
                              .end(missing ? "app 404" : "web");
                        }));
    TestUpstream web = webRef[0];
    service(admin, ns, "web");
    createSlice(admin, ns, "web", "web-slice", Map.of(fx.address(web), true));
    TestUpstream errors = fx.backendFor(admin, ns, "errors", "custom error page");
    TestUpstream mirror = fx.backend("mirror");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress shop = ingressTo(ns, "shop", cls, "shop.example.test", "web");
    shop.getMetadata()
        .annotations(
            Map.of(
                "nginx.ingress.kubernetes.io/mirror-target",
                "http://127.0.0.1:" + mirror.port() + "$request_uri",
                "nginx.ingress.kubernetes.io/custom-http-errors",
                "404,503",
                "nginx.ingress.kubernetes.io/default-backend",
                "errors"));
    net.createNamespacedIngress(ns, shop).execute();
    // the mirror's endpoint is on loopback: the operator's opt-in, as for an ExternalName
    try (Running node = fx.node(server, ns, cls, KubeNodeFixture::allowingLoopback)) {
      await("the Ingress served")
          .atMost(WAIT)
          .until(() -> node.get("shop.example.test", "/").status() == 200);
      web.take();
      mirror.take();
      RawHttp.Response ok =
          RawHttp.exchange(
              node.port(),
              "GET /ok?x=1 HTTP/1.1\r\nHost: shop.example.test\r\nConnection: close\r\n\r\n");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("web");
      assertThat(web.take().uri()).isEqualTo("/ok?x=1");
      TestUpstream.Recorded copy = mirror.take();
      assertThat(copy.uri()).isEqualTo("/ok?x=1");
      assertThat(copy.header("x-gatehouse-mirror")).isEqualTo("1");
      assertThat(copy.header("host")).isEqualTo("shop.example.test");

      RawHttp.Response missing =
          RawHttp.exchange(
              node.port(),
              "GET /missing/page HTTP/1.1\r\nHost: shop.example.test\r\nConnection:"
                  + " close\r\n\r\n");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.body()).isEqualTo("custom error page");
      assertThat(web.take().uri()).isEqualTo("/missing/page");
      TestUpstream.Recorded asked = errors.take();
      assertThat(asked.method()).isEqualTo("GET");
      assertThat(asked.header("x-code")).isEqualTo("404");
      assertThat(asked.header("x-original-uri")).isEqualTo("/missing/page");
      assertThat(asked.header("x-namespace")).isEqualTo(ns);
      assertThat(asked.header("x-ingress-name")).isEqualTo("shop");
      assertThat(asked.header("x-service-name")).isEqualTo("web");
      assertThat(mirror.take().uri()).isEqualTo("/missing/page");
    } finally {
      web.close();
      errors.close();
      mirror.close();
    }
  }

  /**
   * Issue #13's acceptance: an ingress-nginx canary Ingress pair against the real API server. The
   * canary (by header {@code X-Canary}, by cookie {@code canary}, and 10 % by weight) joins the
   * primary's route for its host only: a second Ingress of another host on the same Service never
   * reaches it, where ingress-nginx would attach the canary to the Service's upstream.
   */
  @Test
  void a_canary_ingress_by_header_cookie_and_weight_behaves_as_ingress_nginx_on_its_host_only(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-canary-rules");
    String cls = ingressClass(admin, "node-canary-rules");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    try (Running node = fx.node(server, ns, cls)) {
      CanaryIT.check(
          vertx,
          node.port(),
          "canary.rules.example.test",
          "other.rules.example.test",
          (host, other, primary, canary) -> {
            service(admin, ns, "web");
            createSlice(admin, ns, "web", "web-slice", Map.of(fx.address(primary), true));
            service(admin, ns, "web-v2");
            createSlice(admin, ns, "web-v2", "web-v2-slice", Map.of(fx.address(canary), true));
            net.createNamespacedIngress(ns, ingressTo(ns, "web", cls, host, "web")).execute();
            net.createNamespacedIngress(ns, ingressTo(ns, "web-other", cls, other, "web"))
                .execute();
            V1Ingress c = ingressTo(ns, "web-canary", cls, host, "web-v2");
            c.getMetadata()
                .annotations(
                    Map.of(
                        "nginx.ingress.kubernetes.io/canary", "true",
                        "nginx.ingress.kubernetes.io/canary-by-header", "X-Canary",
                        "nginx.ingress.kubernetes.io/canary-by-cookie", "canary",
                        "nginx.ingress.kubernetes.io/canary-weight", "10"));
            net.createNamespacedIngress(ns, c).execute();
          });
    }
  }

  private static boolean leader(Running node) {
    return node.node().statusJson().getJsonObject("kubernetes").getBoolean("leader");
  }

  private static NodeConfig.Kubernetes withLease(NodeConfig.Kubernetes k, Duration lease) {
    return new NodeConfig.Kubernetes(
        k.enabled(),
        k.kubeconfig(),
        k.namespaces(),
        k.ingressClass(),
        k.ingressLabelSelector(),
        k.publishAddresses(),
        k.leaderElection(),
        k.leaseNamespace(),
        k.leaseName(),
        lease,
        k.deniedUpstreams(),
        k.allowLoopbackExternalNames());
  }

  /** One client sending requests back to back until stopped; keeps the first failures. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;

    Load(Running node, String host) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  String failure;
                  try {
                    RawHttp.Response r = node.get(host, "/");
                    failure =
                        r.status() == 200
                            ? null
                            : r.status() + " " + r.header("content-type") + " " + r.body();
                  } catch (Exception e) {
                    failure = e.toString();
                  }
                  if (failure == null) {
                    ok.incrementAndGet();
                  } else if (failures.size() < 20) {
                    failures.add(Instant.now() + " " + failure);
                  }
                }
              },
              "load");
      thread.start();
    }

    int ok() {
      return ok.get();
    }

    List<String> failures() {
      return failures;
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }

  @Test
  void an_admin_host_claim_of_another_tenant_takes_the_host_away(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-claimed");
    String cls = ingressClass(admin, "node-claimed");
    TestUpstream web = fx.backendFor(admin, ns, "web", "tenant");
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingressTo(ns, "web", cls, "claimed.example.test", "web"))
        .execute();
    try (Running node = fx.node(server, ns, cls)) {
      assertThat(node.get("claimed.example.test", "/").body()).isEqualTo("tenant");
      // no Kubernetes event follows: the claim alone must trigger the rebuild
      node.node()
          .table()
          .apply(
              io.gatehouse.table.Batch.of(
                  io.gatehouse.table.Write.put(
                      new io.gatehouse.model.HostClaim(
                          "claimed.example.test",
                          io.gatehouse.model.TenantId.of("someone-else")))));
      await("host taken away")
          .atMost(WAIT)
          .until(() -> node.get("claimed.example.test", "/").status() == 404);
    } finally {
      web.close();
    }
  }

  @Test
  void an_external_name_to_loopback_is_not_served_unless_allowed_and_the_ingress_gets_a_warning(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-extname");
    String cls = ingressClass(admin, "node-extname");
    TestUpstream ok = fx.backendFor(admin, ns, "svc-ok", "ok");
    // stands for the node's own loopback listeners (status, admin API)
    TestUpstream loopback = fx.backend("loopback");
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name("loop"))
                .spec(
                    new V1ServiceSpec()
                        .type("ExternalName")
                        .externalName("127.0.0.1")
                        .ports(List.of(new V1ServicePort().name("http").port(loopback.port())))))
        .execute();
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingressTo(ns, "ok", cls, "ok.example.test", "svc-ok"))
        .execute();
    V1Ingress loop = ingressTo(ns, "loop", cls, "loop.example.test", "loop");
    loop.getSpec()
        .getRules()
        .get(0)
        .getHttp()
        .getPaths()
        .get(0)
        .getBackend()
        .getService()
        .getPort()
        .number(loopback.port());
    net.createNamespacedIngress(ns, loop).execute();
    try {
      try (Running node = fx.node(server, ns, cls)) {
        assertThat(node.get("ok.example.test", "/").body()).isEqualTo("ok");
        RawHttp.Response refused = node.get("loop.example.test", "/");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).doesNotContain("loopback");
        await("UpstreamRefused event naming the Service")
            .atMost(WAIT)
            .until(
                () ->
                    new CoreV1Api(admin)
                            .listNamespacedEvent(ns)
                            .fieldSelector("involvedObject.name=loop,type=Warning")
                            .execute()
                            .getItems()
                            .stream()
                            .anyMatch(
                                e ->
                                    "UpstreamRefused".equals(e.getReason())
                                        && e.getMessage()
                                            .contains("ExternalName Service " + ns + "/loop")
                                        && e.getMessage().contains("127.0.0.0/8")));
        assertThat(loopback.receivedNothing()).as("nothing reached the loopback backend").isTrue();
      }
      // the operator's opt-in for a single-tenant cluster
      try (Running node = fx.node(server, ns, cls, KubeNodeFixture::allowingLoopback)) {
        assertThat(node.get("loop.example.test", "/").body()).isEqualTo("loopback");
        assertThat(node.get("ok.example.test", "/").body()).isEqualTo("ok");
      }
    } finally {
      ok.close();
      loopback.close();
    }
  }

  @Test
  void two_namespaces_claim_one_host_and_the_younger_gets_an_event(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String first = server.createNamespace("node-first");
    String second = server.createNamespace("node-second");
    String cls = ingressClass(admin, "node-claim");
    TestUpstream a = fx.backendFor(admin, first, "web", "first");
    TestUpstream b = fx.backendFor(admin, second, "web", "second");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(first, ingressTo(first, "web", cls, "shared.example.test", "web"))
        .execute();
    // creationTimestamp has one-second resolution: make the second one clearly younger
    V1Ingress older = net.readNamespacedIngress("web", first).execute();
    await("a second passes")
        .atMost(WAIT)
        .until(
            () ->
                java.time.OffsetDateTime.now()
                    .isAfter(older.getMetadata().getCreationTimestamp().plusSeconds(1)));
    net.createNamespacedIngress(
            second, ingressTo(second, "grab", cls, "shared.example.test", "web"))
        .execute();
    try (Running node = fx.node(server, "", cls)) {
      assertThat(node.get("shared.example.test", "/").body()).isEqualTo("first");
      await("event on the younger Ingress")
          .atMost(WAIT)
          .until(
              () ->
                  new CoreV1Api(admin)
                          .listNamespacedEvent(second)
                          .fieldSelector("involvedObject.name=grab,type=Warning")
                          .execute()
                          .getItems()
                          .stream()
                          .anyMatch(
                              e ->
                                  "HostConflict".equals(e.getReason())
                                      && e.getMessage().contains("shared.example.test")));
      // the same problem in /status (and so on the dashboard), with when this node first saw it;
      // awaited: the sink that records it runs after the one that writes the event
      await("the problem in /status")
          .atMost(WAIT)
          .until(
              () ->
                  node.node().statusJson().getJsonObject("kubernetes").getInteger("problemsTotal")
                      == 1);
      JsonObject problem =
          node.node()
              .statusJson()
              .getJsonObject("kubernetes")
              .getJsonArray("problems")
              .getJsonObject(0);
      assertThat(problem.getString("kind")).isEqualTo("Ingress");
      assertThat(problem.getString("object")).isEqualTo(second + "/grab");
      assertThat(problem.getString("reason")).isEqualTo("HostConflict");
      assertThat(problem.getString("message")).contains("shared.example.test");
      assertThat(java.time.Instant.parse(problem.getString("since")))
          .isBeforeOrEqualTo(java.time.Instant.now());
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void tls_from_a_secret_with_a_308_from_http_and_an_uncovered_host_gets_the_default_and_a_warning(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("node-tls");
    String cls = ingressClass(admin, "node-tls");
    TestUpstream web = fx.backendFor(admin, ns, "web", "secure");
    io.gatehouse.k8s.translate.TestCertificates.Pair pair =
        io.gatehouse.k8s.translate.TestCertificates.selfSigned(List.of("a.example.test"));
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new io.kubernetes.client.openapi.models.V1Secret()
                .metadata(new V1ObjectMeta().name("a-tls"))
                .type("kubernetes.io/tls")
                .data(
                    Map.of(
                        "tls.crt", pair.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        "tls.key", pair.keyPem().getBytes(StandardCharsets.US_ASCII))))
        .execute();
    V1Ingress ing = ingressTo(ns, "web", cls, "a.example.test", "web");
    ing.getSpec()
        .rules(
            List.of(
                ing.getSpec().getRules().get(0),
                ingressTo(ns, "x", cls, "uncovered.example.test", "web")
                    .getSpec()
                    .getRules()
                    .get(0)))
        .tls(
            List.of(
                new V1IngressTLS()
                    .hosts(List.of("a.example.test", "uncovered.example.test"))
                    .secretName("a-tls")));
    new NetworkingV1Api(admin).createNamespacedIngress(ns, ing).execute();
    UnaryOperator<NodeConfig> tls =
        c ->
            c.withTls(
                new NodeConfig.Tls(
                    true, "", 0, "", "", NodeConfig.Tls.Engine.JDK, Duration.ofSeconds(2)));
    try (Running node = fx.node(server, ns, cls, tls)) {
      RawHttp.Response plain = node.get("a.example.test", "/");
      assertThat(plain.status()).isEqualTo(308);
      assertThat(plain.header("location"))
          .isEqualTo("https://a.example.test:" + node.node().httpsPort() + "/");

      assertThat(served(node, "a.example.test").getSubjectAlternativeNames())
          .anySatisfy(san -> assertThat(san.get(1)).isEqualTo("a.example.test"));
      X509Certificate fallback = served(node, "uncovered.example.test");
      assertThat(fallback).isEqualTo(node.node().certificates().defaultCertificate().chain()[0]);
      assertThat(httpsGet(node, "a.example.test")).contains("secure");

      await("warning names the host and the Secret")
          .atMost(WAIT)
          .until(
              () ->
                  new CoreV1Api(admin)
                          .listNamespacedEvent(ns)
                          .fieldSelector("involvedObject.name=web,type=Warning")
                          .execute()
                          .getItems()
                          .stream()
                          .anyMatch(
                              e ->
                                  "TlsHostNotCovered".equals(e.getReason())
                                      && e.getMessage().contains("uncovered.example.test")
                                      && e.getMessage().contains(ns + "/a-tls")));
    } finally {
      web.close();
    }
  }

  private static SSLSocket tlsSocket(Running node, String sni) throws Exception {
    return TlsSockets.open(node.node().httpsPort(), sni);
  }

  private static X509Certificate served(Running node, String sni) throws Exception {
    try (SSLSocket s = tlsSocket(node, sni)) {
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  private static String httpsGet(Running node, String host) throws Exception {
    try (SSLSocket s = tlsSocket(node, host)) {
      s.getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static List<V1IngressLoadBalancerIngress> lb(V1Ingress i) {
    if (i.getStatus() == null
        || i.getStatus().getLoadBalancer() == null
        || i.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return i.getStatus().getLoadBalancer().getIngress();
  }
}
