package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.node.KubeNodeFixture.createSlice;
import static io.gatehouse.node.KubeNodeFixture.ingressTo;
import static io.gatehouse.node.KubeNodeFixture.service;
import static io.gatehouse.node.KubeNodeFixture.warned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.node.KubeNodeFixture.Running;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #16's acceptance: the twenty {@code nginx.ingress.kubernetes.io/} annotations most used in
 * public Helm charts, served from one set of Ingresses written the way those charts write them,
 * each checked through the proxy of a whole node against the real API server as ingress-nginx
 * documents it.
 *
 * <p>Method: the {@code search} tool's code index of public repositories was searched for chart
 * {@code values.yaml}, {@code templates/ingress.yaml} and chart READMEs that set ingress-nginx
 * annotations (queries by chart family: Argo CD, Harbor, GitLab, Keycloak, oauth2-proxy and
 * authentik, Prometheus/Grafana behind auth, docker-registry, API charts with CORS, basic auth),
 * and the annotation names in about 100 chart excerpts were tallied. The ranking is a sample, not a
 * census: names that occur in nearly every family come first.
 *
 * <ol>
 *   <li>{@code proxy-body-size}: Harbor, GitLab registry, docker-registry, Keycloak values, many
 *       app templates (uploads; {@code "0"} for none).
 *   <li>{@code ssl-redirect}: Harbor's defaults, most charts with a TLS section.
 *   <li>{@code force-ssl-redirect}: Argo CD's documented Ingress, Kubeshark, generic app templates.
 *   <li>{@code backend-protocol}: Argo CD ({@code HTTPS}, {@code GRPC}), Keycloak and other values
 *       ({@code HTTP}).
 *   <li>{@code proxy-read-timeout}: GitLab registry ({@code 900}), Harbor ({@code 600}), websocket
 *       apps.
 *   <li>{@code proxy-send-timeout}: docker-registry and Keycloak values ({@code 600}), websocket
 *       apps.
 *   <li>{@code proxy-connect-timeout}: websocket apps, Eclipse Che's Keycloak.
 *   <li>{@code rewrite-target}: every chart served under a path prefix.
 *   <li>{@code use-regex}: with {@code rewrite-target} and its capture groups.
 *   <li>{@code ssl-passthrough}: Argo CD, Kubeshark, cluster templates.
 *   <li>{@code configuration-snippet}: {@code more_set_headers} lines in many charts.
 *   <li>{@code proxy-buffer-size}: Keycloak and oauth2-proxy (large cookies and headers), Argo CD.
 *   <li>{@code auth-url}: oauth2-proxy and authentik in front of Prometheus and Grafana.
 *   <li>{@code auth-signin}: the same pattern.
 *   <li>{@code auth-type}: app charts with an {@code enableAuth} switch, dashboards.
 *   <li>{@code auth-secret}: the same pattern.
 *   <li>{@code whitelist-source-range}: admin UIs kept to an office or VPN range.
 *   <li>{@code enable-cors}: API charts.
 *   <li>{@code affinity}: clustered Keycloak (sticky sessions).
 *   <li>{@code session-cookie-name}: the same pattern.
 * </ol>
 *
 * <p>Fifteen of them are checked by {@link
 * #the_twenty_most_used_annotations_behave_as_ingress_nginx_documents}; the other five ({@code
 * force-ssl-redirect}, {@code proxy-send-timeout}, {@code backend-protocol: HTTPS}, {@code
 * ssl-passthrough}, {@code proxy-buffer-size}) need an HTTPS node and upstream, and are checked by
 * {@link #the_other_five_behave_as_ingress_nginx_documents}.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IngressNginxTop20IT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NGINX = "nginx.ingress.kubernetes.io/";

  /** bcrypt (cost 4) of "secret", as {@code htpasswd -nbB} writes it. */
  private static final String SECRET_HASH =
      "$2y$04$TCyLO71WZ04U1RzoUfjq4.wcoEnSZZswZKOC3gFBZrpR09eiKkeUy";

  @Test
  void the_twenty_most_used_annotations_behave_as_ingress_nginx_documents(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("top20");
    String cls = ingressClass(admin, "top20");
    try (KubeNodeFixture fx = new KubeNodeFixture()) {
      TestUpstream app = appUpstream(fx);
      fx.serviceTo(admin, ns, "app", app.port());
      TestUpstream podA = fx.backend("pod-a");
      TestUpstream podB = fx.backend("pod-b");
      service(admin, ns, "sticky");
      createSlice(
          admin,
          ns,
          "sticky",
          "sticky-slice",
          Map.of(fx.address(podA), true, fx.address(podB), true));
      TestUpstream oauth2 =
          TestUpstream.custom(
              fx.vertx(),
              req -> {
                String cookie = String.valueOf(req.getHeader("cookie"));
                req.response().setStatusCode(cookie.contains("_oauth2_proxy=ok") ? 202 : 401).end();
              });
      NetworkingV1Api net = new NetworkingV1Api(admin);
      CoreV1Api core = new CoreV1Api(admin);
      TestPki.Issued cert = TestPki.ca("top20").server(List.of("harbor.top.test"), List.of());
      core.createNamespacedSecret(
              ns,
              new V1Secret()
                  .metadata(new V1ObjectMeta().name("harbor-tls"))
                  .type("kubernetes.io/tls")
                  .stringData(Map.of("tls.crt", cert.certPem(), "tls.key", cert.keyPem())))
          .execute();
      core.createNamespacedSecret(
              ns,
              new V1Secret()
                  .metadata(new V1ObjectMeta().name("basic-auth"))
                  .type("Opaque")
                  .stringData(Map.of("auth", "admin:" + SECRET_HASH + "\n")))
          .execute();

      // Harbor: TLS with its redirect, uploads of any size
      V1Ingress harbor =
          ingress(
              ns,
              "harbor",
              cls,
              "harbor.top.test",
              Map.of(NGINX + "ssl-redirect", "true", NGINX + "proxy-body-size", "0"));
      harbor
          .getSpec()
          .tls(
              List.of(
                  new V1IngressTLS().hosts(List.of("harbor.top.test")).secretName("harbor-tls")));
      net.createNamespacedIngress(ns, harbor).execute();
      // GitLab registry: a read timeout (short here, to be measured), a connect timeout
      net.createNamespacedIngress(
              ns,
              ingress(
                  ns,
                  "registry",
                  cls,
                  "registry.top.test",
                  Map.of(NGINX + "proxy-read-timeout", "2", NGINX + "proxy-connect-timeout", "3")))
          .execute();
      // an app under a path prefix
      V1Ingress prefixed =
          ingress(
              ns,
              "prefixed",
              cls,
              "api.top.test",
              Map.of(NGINX + "rewrite-target", "/$2", NGINX + "use-regex", "true"));
      prefixed
          .getSpec()
          .getRules()
          .get(0)
          .getHttp()
          .getPaths()
          .get(0)
          .path("/api(/|$)(.*)")
          .pathType("ImplementationSpecific");
      net.createNamespacedIngress(ns, prefixed).execute();
      // a chart's more_set_headers line
      net.createNamespacedIngress(
              ns,
              ingress(
                  ns,
                  "snippet",
                  cls,
                  "snippet.top.test",
                  Map.of(
                      NGINX + "configuration-snippet",
                      "more_set_headers \"X-Frame-Options: DENY\";")))
          .execute();
      // oauth2-proxy in front of Prometheus
      net.createNamespacedIngress(
              ns,
              ingress(
                  ns,
                  "prometheus",
                  cls,
                  "prometheus.top.test",
                  Map.of(
                      NGINX + "auth-url",
                      "http://127.0.0.1:" + oauth2.port() + "/oauth2/auth",
                      NGINX + "auth-signin",
                      "https://auth.top.test/oauth2/start")))
          .execute();
      // basic auth in front of Longhorn, kept to the office range
      net.createNamespacedIngress(
              ns,
              ingress(
                  ns,
                  "longhorn",
                  cls,
                  "longhorn.top.test",
                  Map.of(NGINX + "auth-type", "basic", NGINX + "auth-secret", "basic-auth")))
          .execute();
      net.createNamespacedIngress(
              ns,
              ingress(
                  ns,
                  "office",
                  cls,
                  "office.top.test",
                  Map.of(NGINX + "whitelist-source-range", "10.0.0.0/8,172.16.0.0/12")))
          .execute();
      net.createNamespacedIngress(
              ns, ingress(ns, "cors", cls, "cors.top.test", Map.of(NGINX + "enable-cors", "true")))
          .execute();
      V1Ingress keycloak =
          ingress(
              ns,
              "keycloak",
              cls,
              "keycloak.top.test",
              Map.of(NGINX + "affinity", "cookie", NGINX + "session-cookie-name", "SERVERID"));
      keycloak
          .getSpec()
          .getRules()
          .get(0)
          .getHttp()
          .getPaths()
          .get(0)
          .getBackend()
          .getService()
          .name("sticky");
      net.createNamespacedIngress(ns, keycloak).execute();

      try (Running node =
          fx.node(
              server,
              ns,
              cls,
              c ->
                  KubeNodeFixture.allowingLoopback(
                      c.withTls(
                          new NodeConfig.Tls(
                              true,
                              "",
                              0,
                              "",
                              "",
                              NodeConfig.Tls.Engine.JDK,
                              Duration.ofSeconds(2)))))) {
        await("the set is served")
            .atMost(WAIT)
            .until(() -> node.get("cors.top.test", "/").status() == 200);

        // 1, 2: ssl-redirect answers plain HTTP with 308 to HTTPS; proxy-body-size "0" has no limit
        RawHttp.Response plain = node.get("harbor.top.test", "/v2/");
        assertThat(plain.status()).isEqualTo(308);
        assertThat(plain.header("location"))
            .isEqualTo("https://harbor.top.test:" + node.node().httpsPort() + "/v2/");
        int elevenMiB = 11 * 1024 * 1024;
        assertThat(httpsPost(node, "harbor.top.test", elevenMiB)).startsWith("HTTP/1.1 200");

        // 5: proxy-read-timeout (seconds): the held answer becomes a 504 after it
        long start = System.nanoTime();
        RawHttp.Response slow = node.get("registry.top.test", "/hang");
        assertThat(slow.status()).isEqualTo(504);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(8));
        // 7: proxy-connect-timeout (seconds) is the route's connect timeout (a connect that
        // hangs cannot be made on loopback, so the served route is read instead)
        RouteSpec registry =
            node.node().table().view().routes().values().stream()
                .filter(r -> r.hosts().contains("registry.top.test"))
                .findFirst()
                .orElseThrow();
        assertThat(registry.timeouts().connect()).isEqualTo(Duration.ofSeconds(3));
        assertThat(registry.timeouts().response()).isEqualTo(Duration.ofSeconds(2));

        // 8, 9: rewrite-target with use-regex: the capture group is the upstream path
        drain(app);
        RawHttp.Response rewritten = node.get("api.top.test", "/api/users/7?full=1");
        assertThat(rewritten.status()).isEqualTo(200);
        assertThat(app.take().uri()).isEqualTo("/users/7?full=1");

        // 11: a snippet is never interpreted: the Ingress is not served, with a Warning
        assertThat(node.get("snippet.top.test", "/").status()).isEqualTo(404);
        await("SnippetRefused event")
            .atMost(WAIT)
            .until(() -> warned(admin, ns, "snippet", "SnippetRefused"));

        // 13, 14: auth-url decides; a 401 becomes a 302 to auth-signin with rd= the original URL
        RawHttp.Response signin = node.get("prometheus.top.test", "/graph");
        assertThat(signin.status()).isEqualTo(302);
        assertThat(signin.header("location"))
            .startsWith("https://auth.top.test/oauth2/start?rd=")
            .contains("prometheus.top.test");
        assertThat(
                node.exchange(
                        "GET /graph HTTP/1.1\r\nHost: prometheus.top.test\r\n"
                            + "Cookie: _oauth2_proxy=ok\r\nConnection: close\r\n\r\n")
                    .status())
            .isEqualTo(200);

        // 15, 16: basic auth from an htpasswd Secret
        assertThat(node.get("longhorn.top.test", "/").status()).isEqualTo(401);
        assertThat(
                node.exchange(
                        "GET / HTTP/1.1\r\nHost: longhorn.top.test\r\nAuthorization: Basic "
                            + Base64.getEncoder()
                                .encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8))
                            + "\r\nConnection: close\r\n\r\n")
                    .status())
            .isEqualTo(200);

        // 17: a client outside the allowed ranges gets 403
        assertThat(node.get("office.top.test", "/").status()).isEqualTo(403);

        // 18: enable-cors alone: ingress-nginx's defaults
        RawHttp.Response preflight =
            node.exchange(
                "OPTIONS / HTTP/1.1\r\nHost: cors.top.test\r\nOrigin: https://x.example\r\n"
                    + "Access-Control-Request-Method: DELETE\r\nConnection: close\r\n\r\n");
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.header("access-control-allow-origin")).isEqualTo("*");
        assertThat(preflight.header("access-control-allow-methods"))
            .contains("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS");
        assertThat(preflight.header("access-control-max-age")).isEqualTo("1728000");

        // 19, 20: affinity by the named cookie pins one pod
        RawHttp.Response first = node.get("keycloak.top.test", "/");
        String setCookie = first.header("set-cookie");
        assertThat(setCookie).startsWith("SERVERID=");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Set<String> pods = new HashSet<>();
        for (int i = 0; i < 8; i++) {
          pods.add(
              node.exchange(
                      "GET / HTTP/1.1\r\nHost: keycloak.top.test\r\nCookie: "
                          + cookie
                          + "\r\nConnection: close\r\n\r\n")
                  .body());
        }
        assertThat(pods).containsExactly(first.body());
      } finally {
        app.close();
        podA.close();
        podB.close();
        oauth2.close();
      }
    }
  }

  /**
   * The five of the twenty that need an HTTPS node and upstream. As ingress-nginx documents them:
   * {@code force-ssl-redirect} redirects to HTTPS without a TLS section; {@code backend-protocol:
   * HTTPS} proxies over TLS without verifying the upstream (its {@code proxy-ssl-verify} default is
   * off); {@code proxy-send-timeout} is read, not ignored; {@code proxy-buffer-size: 128k} lets an
   * upstream answer with a 64 KiB response head on that Ingress's route, while a route without it
   * keeps the node's {@code limits.maxHeaderBytes} (32 KiB) and a 40 KiB head there is a 502;
   * {@code ssl-passthrough} hands the client's TLS to the backend, which answers with its own
   * certificate (issue #19).
   */
  @Test
  void the_other_five_behave_as_ingress_nginx_documents(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("top20-next");
    String cls = ingressClass(admin, "top20-next");
    try (KubeNodeFixture fx = new KubeNodeFixture()) {
      TestPki.Issued upstreamCert =
          TestPki.ca("upstream").server(List.of("localhost"), List.of("127.0.0.1"));
      TestUpstream tls =
          TestUpstream.named(
              fx.vertx(),
              "over-tls",
              new io.vertx.core.http.HttpServerOptions()
                  .setSsl(true)
                  .setKeyCertOptions(
                      new io.vertx.core.net.PemKeyCertOptions()
                          .setCertValue(io.vertx.core.buffer.Buffer.buffer(upstreamCert.certPem()))
                          .setKeyValue(io.vertx.core.buffer.Buffer.buffer(upstreamCert.keyPem()))));
      fx.serviceTo(admin, ns, "argocd", tls.port());
      TestUpstream big =
          TestUpstream.custom(
              fx.vertx(),
              req -> {
                int size = req.path().equals("/forty") ? 40 * 1024 : 64 * 1024;
                req.response().putHeader("x-big", "b".repeat(size)).end("big");
              });
      fx.serviceTo(admin, ns, "keycloak", big.port());
      NetworkingV1Api net = new NetworkingV1Api(admin);
      V1Ingress argocd =
          ingress(
              ns,
              "argocd",
              cls,
              "argocd.top.test",
              Map.of(NGINX + "backend-protocol", "HTTPS", NGINX + "force-ssl-redirect", "true"));
      argocd
          .getSpec()
          .getRules()
          .get(0)
          .getHttp()
          .getPaths()
          .get(0)
          .getBackend()
          .getService()
          .name("argocd");
      net.createNamespacedIngress(ns, argocd).execute();
      V1Ingress keycloak =
          ingress(
              ns,
              "keycloak",
              cls,
              "keycloak.top.test",
              Map.of(NGINX + "proxy-buffer-size", "128k", NGINX + "proxy-send-timeout", "600"));
      keycloak
          .getSpec()
          .getRules()
          .get(0)
          .getHttp()
          .getPaths()
          .get(0)
          .getBackend()
          .getService()
          .name("keycloak");
      net.createNamespacedIngress(ns, keycloak).execute();
      V1Ingress plainHead = ingress(ns, "grafana", cls, "grafana.top.test", Map.of());
      plainHead
          .getSpec()
          .getRules()
          .get(0)
          .getHttp()
          .getPaths()
          .get(0)
          .getBackend()
          .getService()
          .name("keycloak");
      net.createNamespacedIngress(ns, plainHead).execute();
      V1Ingress vault = ingressTo(ns, "vault", cls, "vault.top.test", "argocd");
      vault.getMetadata().annotations(Map.of(NGINX + "ssl-passthrough", "true"));
      net.createNamespacedIngress(ns, vault).execute();
      try (Running node =
          fx.node(
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
            .until(() -> node.get("keycloak.top.test", "/").status() == 200);
        // 3: force-ssl-redirect without a TLS section
        RawHttp.Response plain = node.get("argocd.top.test", "/applications");
        assertThat(plain.status()).isEqualTo(308);
        assertThat(plain.header("location")).startsWith("https://argocd.top.test");
        // 4: backend-protocol HTTPS, not verified (ingress-nginx's default)
        assertThat(httpsGet(node, "argocd.top.test")).contains("over-tls");
        // 6: proxy-send-timeout read, not ignored
        assertThat(warned(admin, ns, "keycloak", "UnsupportedAnnotation")).isFalse();
        // 12: a 64 KiB response head passes within proxy-buffer-size: 128k
        RawHttp.Response large = node.get("keycloak.top.test", "/");
        assertThat(large.status()).isEqualTo(200);
        assertThat(large.header("x-big")).hasSize(64 * 1024);
        assertThat(large.body()).isEqualTo("big");
        // ... and a route without it keeps the node's 32 KiB: a 40 KiB head is a 502
        await("the route without proxy-buffer-size served")
            .atMost(WAIT)
            .until(() -> node.get("grafana.top.test", "/forty").status() != 404);
        assertThat(node.get("grafana.top.test", "/forty").status()).isEqualTo(502);
        assertThat(node.get("keycloak.top.test", "/forty").status()).isEqualTo(200);
        // 10: ssl-passthrough: the client's TLS reaches the backend, which answers with its own
        // certificate
        try (SSLSocket s = tls(node, "vault.top.test")) {
          assertThat(s.getSession().getPeerCertificates()[0].getEncoded())
              .isEqualTo(upstreamCert.cert().getEncoded());
          assertThat(TlsSockets.get(s, "vault.top.test", "/")).endsWith("over-tls");
        }
        assertThat(warnings(admin, ns, "vault")).isEmpty();
      } finally {
        tls.close();
        big.close();
      }
    }
  }

  // ---- helpers --------------------------------------------------------------------------

  /** Answers its name, except {@code /hang}, which it never answers. */
  private static TestUpstream appUpstream(KubeNodeFixture fx) {
    TestUpstream[] self = new TestUpstream[1];
    self[0] =
        TestUpstream.custom(
            fx.vertx(),
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          if (req.path().equals("/hang")) {
                            return;
                          }
                          self[0].record(req, b);
                          req.response().putHeader("content-type", "text/plain").end("app");
                        }));
    return self[0];
  }

  private static V1Ingress ingress(
      String ns, String name, String cls, String host, Map<String, String> annotations) {
    V1Ingress i = ingressTo(ns, name, cls, host, "app");
    i.getMetadata().annotations(annotations);
    return i;
  }

  private static void drain(TestUpstream u) throws InterruptedException {
    while (!u.receivedNothing()) {
      u.take();
    }
  }

  private static List<String> warnings(ApiClient admin, String ns, String object) throws Exception {
    return new CoreV1Api(admin)
            .listNamespacedEvent(ns)
            .fieldSelector("involvedObject.name=" + object + ",type=Warning")
            .execute()
            .getItems()
            .stream()
            .map(e -> e.getReason() + ": " + e.getMessage())
            .toList();
  }

  private static SSLSocket tls(Running node, String host) throws Exception {
    return TlsSockets.open(node.node().httpsPort(), host);
  }

  private static String httpsGet(Running node, String host) throws Exception {
    try (SSLSocket s = tls(node, host)) {
      s.getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** POSTs {@code bytes} over HTTPS; returns the status line and what follows. */
  private static String httpsPost(Running node, String host, int bytes) throws Exception {
    try (SSLSocket s = tls(node, host)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                  + bytes
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < bytes; sent += chunk.length) {
        out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
      }
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      answer.write(in.readAllBytes());
      return answer.toString(StandardCharsets.US_ASCII);
    }
  }
}
