package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.node.KubeNodeFixture.ingressTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.node.KubeNodeFixture.Running;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The upstream TLS annotations of ingress-nginx (issue #16) through the proxy, against the real API
 * server: BackendProtocol (HTTPS unverified, as ingress-nginx's default, with its Warning),
 * ProxySSL (a Secret's CA, name and client certificate), ServiceUpstream (the ClusterIP, not the
 * slices) and SSLPassthrough (refused: 404 and a Warning).
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngressNginxUpstreamTlsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String N = "nginx.ingress.kubernetes.io/";

  private KubeNodeFixture fixture;

  /** The client certificate subject each HTTPS upstream saw ("-" for none), in order. */
  private final Queue<String> clients = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() {
    fixture = new KubeNodeFixture();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** An HTTPS backend answering its name; {@code clientCa} non-null requires a client cert. */
  private TestUpstream https(String name, TestPki.Issued cert, TestPki clientCa) {
    HttpServerOptions o =
        new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(cert.chainPem()))
                    .setKeyValue(Buffer.buffer(cert.keyPem())));
    if (clientCa != null) {
      o.setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clientCa.caPem())));
    }
    return TestUpstream.custom(
        fixture.vertx(),
        o,
        req -> {
          String subject = "-";
          try {
            subject =
                ((X509Certificate) req.connection().peerCertificates().get(0))
                    .getSubjectX500Principal()
                    .getName();
          } catch (SSLPeerUnverifiedException | RuntimeException e) {
            subject = "-";
          }
          clients.add(subject);
          req.response().end(name);
        });
  }

  private static V1Ingress annotated(V1Ingress i, Map<String, String> annotations) {
    i.getMetadata().annotations(annotations);
    return i;
  }

  private static void secret(ApiClient admin, String ns, String name, Map<String, String> data)
      throws Exception {
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret().metadata(new V1ObjectMeta().name(name)).type("Opaque").stringData(data))
        .execute();
  }

  private static boolean warned(ApiClient admin, String ns, String ingress, String reason)
      throws Exception {
    return new CoreV1Api(admin)
            .listNamespacedEvent(ns)
            .fieldSelector("involvedObject.name=" + ingress + ",type=Warning")
            .execute()
            .getItems()
            .stream()
            .anyMatch(e -> reason.equals(e.getReason()));
  }

  @Test
  void backend_protocol_https_is_encrypted_but_not_verified_and_says_so(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("nginx-https");
    String cls = ingressClass(admin, "nginx-https");
    // a certificate no one trusts, for another name: ingress-nginx still proxies to it
    TestPki unknown = TestPki.ca("unknown CA");
    try (TestUpstream backend =
            https("secure", unknown.server(List.of("x.internal"), List.of()), null);
        TestUpstream plain = fixture.backend("plain")) {
      fixture.serviceTo(admin, ns, "web", backend.port());
      fixture.serviceTo(admin, ns, "plain", plain.port());
      NetworkingV1Api net = new NetworkingV1Api(admin);
      net.createNamespacedIngress(
              ns,
              annotated(
                  ingressTo(ns, "web", cls, "https.example.test", "web"),
                  Map.of(N + "backend-protocol", "HTTPS")))
          .execute();
      // an HTTPS backend spoken to in cleartext would not answer: HTTP is the default
      net.createNamespacedIngress(ns, ingressTo(ns, "plain", cls, "plain.example.test", "plain"))
          .execute();
      try (Running node = fixture.node(server, ns, cls)) {
        RawHttp.Response r = node.get("https.example.test", "/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("secure");
        assertThat(clients).containsExactly("-");
        assertThat(node.get("plain.example.test", "/").body()).isEqualTo("plain");
        await("the Warning says the backend is not verified")
            .atMost(WAIT)
            .until(() -> warned(admin, ns, "web", "UpstreamNotVerified"));
      }
    }
  }

  @Test
  void proxy_ssl_secret_verifies_the_backend_and_presents_the_client_certificate(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("nginx-proxyssl");
    String cls = ingressClass(admin, "nginx-proxyssl");
    TestPki serverCa = TestPki.ca("backend CA");
    TestPki otherCa = TestPki.ca("other CA");
    TestPki clientCa = TestPki.ca("client CA");
    TestPki.Issued gatehouse = clientCa.client("CN=gatehouse,O=Edge");
    try (TestUpstream backend =
        https("verified", serverCa.server(List.of("backend.internal"), List.of()), clientCa)) {
      fixture.serviceTo(admin, ns, "web", backend.port());
      secret(
          admin,
          ns,
          "backend-tls",
          Map.of(
              "tls.crt", gatehouse.chainPem(),
              "tls.key", gatehouse.keyPem(),
              "ca.crt", serverCa.caPem()));
      secret(
          admin,
          ns,
          "other-ca",
          Map.of(
              "tls.crt", gatehouse.chainPem(),
              "tls.key", gatehouse.keyPem(),
              "ca.crt", otherCa.caPem()));
      NetworkingV1Api net = new NetworkingV1Api(admin);
      Map<String, String> verified =
          Map.of(
              N + "backend-protocol", "HTTPS",
              N + "proxy-ssl-secret", ns + "/backend-tls",
              N + "proxy-ssl-verify", "on",
              N + "proxy-ssl-name", "backend.internal");
      net.createNamespacedIngress(
              ns, annotated(ingressTo(ns, "good", cls, "good.example.test", "web"), verified))
          .execute();
      net.createNamespacedIngress(
              ns,
              annotated(
                  ingressTo(ns, "wrong-ca", cls, "wrong-ca.example.test", "web"),
                  Map.of(
                      N + "backend-protocol", "HTTPS",
                      N + "proxy-ssl-secret", ns + "/other-ca",
                      N + "proxy-ssl-verify", "on",
                      N + "proxy-ssl-name", "backend.internal")))
          .execute();
      net.createNamespacedIngress(
              ns,
              annotated(
                  ingressTo(ns, "wrong-name", cls, "wrong-name.example.test", "web"),
                  Map.of(
                      N + "backend-protocol", "HTTPS",
                      N + "proxy-ssl-secret", ns + "/backend-tls",
                      N + "proxy-ssl-verify", "on",
                      N + "proxy-ssl-name", "elsewhere.internal")))
          .execute();
      // a depth Gatehouse cannot enforce: not served rather than served with longer chains
      Map<String, String> depth = new java.util.HashMap<>(verified);
      depth.put(N + "proxy-ssl-verify-depth", "2");
      net.createNamespacedIngress(
              ns, annotated(ingressTo(ns, "depth", cls, "depth.example.test", "web"), depth))
          .execute();
      try (Running node = fixture.node(server, ns, cls)) {
        RawHttp.Response ok = node.get("good.example.test", "/");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("verified");
        assertThat(clients).containsExactly(gatehouse.subject());
        assertThat(node.get("wrong-ca.example.test", "/").status()).isEqualTo(502);
        assertThat(node.get("wrong-name.example.test", "/").status()).isEqualTo(502);
        assertThat(clients).as("no request reached the backend unverified").hasSize(1);
        assertThat(node.get("depth.example.test", "/").status()).isEqualTo(404);
        await("the refused Ingress gets its Warning")
            .atMost(WAIT)
            .until(() -> warned(admin, ns, "depth", "UnsupportedAnnotation"));
        assertThat(warned(admin, ns, "good", "UpstreamNotVerified")).isFalse();
      }
    }
  }

  @Test
  void service_upstream_sends_to_the_cluster_ip_not_the_endpoints(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("nginx-svcup");
    String cls = ingressClass(admin, "nginx-svcup");
    try (TestUpstream pod = fixture.backend("pod")) {
      fixture.serviceTo(admin, ns, "web", pod.port());
      String clusterIp =
          new CoreV1Api(admin).readNamespacedService("web", ns).execute().getSpec().getClusterIP();
      NetworkingV1Api net = new NetworkingV1Api(admin);
      net.createNamespacedIngress(
              ns,
              annotated(
                  ingressTo(ns, "cluster", cls, "cluster.example.test", "web"),
                  Map.of(N + "service-upstream", "true")))
          .execute();
      net.createNamespacedIngress(ns, ingressTo(ns, "pods", cls, "pods.example.test", "web"))
          .execute();
      try (Running node = fixture.node(server, ns, cls)) {
        assertThat(node.get("pods.example.test", "/").body()).isEqualTo("pod");
        int before = pod.count();
        // the ClusterIP is kube-proxy's, which this test has not: whatever answers there, the pod
        // behind the slice gets nothing
        RawHttp.Response r = node.get("cluster.example.test", "/");
        assertThat(r.body()).isNotEqualTo("pod");
        assertThat(pod.count()).as("nothing went to the pod behind the slice").isEqualTo(before);
        RouteSpec route =
            node.node().table().view().routes().get(RouteKey.of(ns, "k8s", "cluster.r0.p0"));
        assertThat(route.backends().get(0).ref())
            .isEqualTo(BackendSpec.http1(List.of(Endpoint.of(clusterIp, 80))));
      }
    }
  }

  @Test
  void listener_ciphers_per_ingress_are_refused_and_http_version_is_served_as_1_1(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("nginx-ciphers");
    String cls = ingressClass(admin, "nginx-ciphers");
    try (TestUpstream web = fixture.backendFor(admin, ns, "web", "web")) {
      NetworkingV1Api net = new NetworkingV1Api(admin);
      net.createNamespacedIngress(
              ns,
              annotated(
                  ingressTo(ns, "ciphers", cls, "ciphers.example.test", "web"),
                  Map.of(N + "ssl-ciphers", "ECDHE-RSA-AES256-GCM-SHA384")))
          .execute();
      net.createNamespacedIngress(
              ns,
              annotated(
                  ingressTo(ns, "old", cls, "old.example.test", "web"),
                  Map.of(
                      N + "proxy-http-version", "1.0",
                      N + "ssl-prefer-server-ciphers", "true")))
          .execute();
      try (Running node = fixture.node(server, ns, cls)) {
        assertThat(node.get("ciphers.example.test", "/").status()).isEqualTo(404);
        RawHttp.Response old = node.get("old.example.test", "/");
        assertThat(old.status()).isEqualTo(200);
        assertThat(web.take().version()).isEqualTo(HttpVersion.HTTP_1_1);
        await("the refused Ingress gets its Warning, the served one its warnings")
            .atMost(WAIT)
            .until(
                () ->
                    warned(admin, ns, "ciphers", "UnsupportedAnnotation")
                        && warned(admin, ns, "old", "UnsupportedAnnotation"));
      }
    }
  }

  @Test
  void ssl_passthrough_hands_the_backend_its_clients_tls(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("nginx-passthrough");
    String cls = ingressClass(admin, "nginx-passthrough");
    TestPki.Issued cert =
        TestPki.ca("passthrough backend CA").server(List.of("pass.example.test"), List.of());
    try (TestUpstream tlsBackend = https("tls-backend", cert, null);
        TestUpstream web = fixture.backendFor(admin, ns, "web", "web")) {
      fixture.serviceTo(admin, ns, "tls-web", tlsBackend.port());
      NetworkingV1Api net = new NetworkingV1Api(admin);
      net.createNamespacedIngress(
              ns,
              annotated(
                  ingressTo(ns, "passthrough", cls, "pass.example.test", "tls-web"),
                  Map.of(N + "ssl-passthrough", "true")))
          .execute();
      net.createNamespacedIngress(ns, ingressTo(ns, "other", cls, "other.example.test", "web"))
          .execute();
      try (Running node =
          fixture.node(
              server,
              ns,
              cls,
              c ->
                  c.withTls(
                      new NodeConfig.Tls(
                          true,
                          "",
                          0,
                          "",
                          "",
                          NodeConfig.Tls.Engine.JDK,
                          Duration.ofSeconds(2))))) {
        await("served")
            .atMost(WAIT)
            .until(() -> node.get("other.example.test", "/").status() == 200);
        await("passed through")
            .atMost(WAIT)
            .ignoreExceptions()
            .until(
                () -> {
                  try (javax.net.ssl.SSLSocket s =
                      io.gatehouse.testing.TlsSockets.open(
                          node.node().httpsPort(), "pass.example.test")) {
                    X509Certificate seen =
                        (X509Certificate) s.getSession().getPeerCertificates()[0];
                    return java.util.Arrays.equals(seen.getEncoded(), cert.cert().getEncoded())
                        && io.gatehouse.testing.TlsSockets.get(s, "pass.example.test", "/")
                            .endsWith("tls-backend");
                  }
                });
        // the other Ingress is still terminated by Gatehouse on the same port
        assertThat(
                io.gatehouse.testing.TlsSockets.get(
                    node.node().httpsPort(), "other.example.test", "/"))
            .startsWith("HTTP/1.1 200")
            .endsWith("web");
        assertThat(warned(admin, ns, "passthrough", "UnsupportedAnnotation")).isFalse();
      }
    }
  }
}
