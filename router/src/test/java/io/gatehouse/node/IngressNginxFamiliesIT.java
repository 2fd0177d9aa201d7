package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.node.KubeNodeFixture.createSlice;
import static io.gatehouse.node.KubeNodeFixture.ingressTo;
import static io.gatehouse.node.KubeNodeFixture.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #16: each ingress-nginx annotation family Gatehouse serves, proven through the proxy of a
 * whole node against the real API server: the annotations as a user writes them on an Ingress, the
 * answers as ingress-nginx documents them (or the documented difference, named in the test).
 *
 * <p>Families proven elsewhere against the same fixture ({@link KubeNodeFixture}) are not repeated
 * here: Canary (weight, header, cookie) in {@code KubernetesNodeIT
 * a_canary_ingress_by_header_cookie_and_weight_behaves_as_ingress_nginx_on_its_host_only} and
 * {@code a_weighted_canary_ingress_takes_its_share_of_ten_thousand_requests}; Mirror and
 * CustomHTTPErrors with DefaultBackend in {@code
 * a_mirror_target_and_custom_errors_with_a_default_backend_behave_as_ingress_nginx_documents};
 * Rewrite, UpstreamVHost and Redirect in {@code
 * a_rewrite_target_ingress_sends_the_captured_path_and_its_vhost_and_a_redirect_answers}. Satisfy
 * is not served ({@code satisfy: any} is answered as {@code all}, stricter): nothing to prove
 * through the proxy beyond BasicDigestAuth here.
 *
 * <p>One node serves every namespace of one class; each test has its own namespace and hosts.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngressNginxFamiliesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NGINX = "nginx.ingress.kubernetes.io/";

  /** bcrypt (cost 4) of "secret", as {@code htpasswd -nbB} writes it. */
  private static final String SECRET_HASH =
      "$2y$04$TCyLO71WZ04U1RzoUfjq4.wcoEnSZZswZKOC3gFBZrpR09eiKkeUy";

  private static KubeNodeFixture fx;
  private static Running node;
  private static ApiClient admin;
  private static String cls;

  @BeforeAll
  static void start(ApiServerHarness server) throws Exception {
    fx = new KubeNodeFixture();
    admin = server.adminClient();
    cls = ingressClass(admin, "families");
    node =
        fx.node(
            server,
            "",
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
                            Duration.ofSeconds(2)))));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    fx.close();
  }

  // ---- CorsConfig

  /**
   * ingress-nginx answers a preflight itself (204, the allowed methods, credentials, its default
   * max age 1728000 s) and adds the origin to the backend's answer for an allowed origin only.
   */
  @Test
  void cors_answers_the_preflight_itself_and_marks_simple_requests_of_allowed_origins(
      ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("fam-cors");
    TestUpstream web = fx.backendFor(admin, ns, "web", "cors-app");
    create(
        ns,
        "cors",
        "cors.example.test",
        "web",
        Map.of(
            NGINX + "enable-cors", "true",
            NGINX + "cors-allow-origin", "https://app.example.test",
            NGINX + "cors-allow-methods", "GET, PUT",
            NGINX + "cors-allow-credentials", "true"));
    try {
      answers(ns, "cors.example.test", "/", 200);
      drain(web);
      RawHttp.Response preflight =
          node.exchange(
              "OPTIONS /items HTTP/1.1\r\nHost: cors.example.test\r\n"
                  + "Origin: https://app.example.test\r\n"
                  + "Access-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n");
      assertThat(preflight.status()).isEqualTo(204);
      assertThat(preflight.header("access-control-allow-origin"))
          .isEqualTo("https://app.example.test");
      assertThat(preflight.header("access-control-allow-methods")).contains("PUT");
      assertThat(preflight.header("access-control-allow-credentials")).isEqualTo("true");
      assertThat(preflight.header("access-control-max-age")).isEqualTo("1728000");

      RawHttp.Response simple =
          node.exchange(
              "GET /items HTTP/1.1\r\nHost: cors.example.test\r\n"
                  + "Origin: https://app.example.test\r\nConnection: close\r\n\r\n");
      assertThat(simple.status()).isEqualTo(200);
      assertThat(simple.body()).isEqualTo("cors-app");
      assertThat(simple.header("access-control-allow-origin"))
          .isEqualTo("https://app.example.test");
      assertThat(web.take().method())
          .as("the preflight never reached the backend")
          .isEqualTo("GET");

      RawHttp.Response other =
          node.exchange(
              "GET /items HTTP/1.1\r\nHost: cors.example.test\r\n"
                  + "Origin: https://evil.example.test\r\nConnection: close\r\n\r\n");
      assertThat(other.status()).isEqualTo(200);
      assertThat(other.header("access-control-allow-origin")).isNull();
    } finally {
      web.close();
    }
  }

  // ---- SessionAffinity

  @Test
  void affinity_cookie_pins_a_client_to_one_endpoint(ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("fam-affinity");
    TestUpstream one = fx.backend("pod-1");
    TestUpstream two = fx.backend("pod-2");
    twoEndpoints(ns, "web", one, two);
    create(
        ns,
        "sticky",
        "sticky.example.test",
        "web",
        Map.of(
            NGINX + "affinity", "cookie",
            NGINX + "session-cookie-name", "route",
            NGINX + "session-cookie-max-age", "3600"));
    try {
      answers(ns, "sticky.example.test", "/", 200);
      RawHttp.Response first = node.get("sticky.example.test", "/");
      String setCookie = first.header("set-cookie");
      assertThat(setCookie).startsWith("route=").contains("Max-Age=3600");
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      Set<String> pinned = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        pinned.add(
            node.exchange(
                    "GET / HTTP/1.1\r\nHost: sticky.example.test\r\nCookie: "
                        + cookie
                        + "\r\nConnection: close\r\n\r\n")
                .body());
      }
      assertThat(pinned).containsExactly(first.body());
      Set<String> unpinned = new HashSet<>();
      await("without the cookie both endpoints serve")
          .atMost(WAIT)
          .until(
              () -> {
                unpinned.add(node.get("sticky.example.test", "/").body());
                return unpinned.size() == 2;
              });
    } finally {
      one.close();
      two.close();
    }
  }

  // ---- LoadBalancing and UpstreamHashBy

  @Test
  void upstream_hash_by_a_header_sends_one_client_to_one_endpoint_and_round_robin_spreads(
      ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("fam-hash");
    TestUpstream one = fx.backend("hash-1");
    TestUpstream two = fx.backend("hash-2");
    twoEndpoints(ns, "web", one, two);
    create(
        ns,
        "hashed",
        "hash.example.test",
        "web",
        Map.of(NGINX + "upstream-hash-by", "$http_x_user"));
    create(ns, "rr", "rr.example.test", "web", Map.of(NGINX + "load-balance", "round_robin"));
    try {
      answers(ns, "hash.example.test", "/", 200);
      answers(ns, "rr.example.test", "/", 200);
      Map<String, String> endpointOf = new HashMap<>();
      for (int u = 0; u < 16; u++) {
        String user = "user-" + u;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
          seen.add(
              node.exchange(
                      "GET / HTTP/1.1\r\nHost: hash.example.test\r\nX-User: "
                          + user
                          + "\r\nConnection: close\r\n\r\n")
                  .body());
        }
        assertThat(seen).as(user).hasSize(1);
        endpointOf.put(user, seen.iterator().next());
      }
      assertThat(new HashSet<>(endpointOf.values()))
          .as("the users spread over both endpoints")
          .containsExactlyInAnyOrder("hash-1", "hash-2");

      // one keep-alive connection stays on one event loop, whose rotation alternates
      List<String> rotation = new java.util.ArrayList<>();
      try (RawHttp c = new RawHttp(node.port())) {
        for (int i = 0; i < 4; i++) {
          c.send("GET / HTTP/1.1\r\nHost: rr.example.test\r\n\r\n");
          rotation.add(c.read().body());
        }
      }
      assertThat(rotation).containsAnyOf("hash-1", "hash-2");
      for (int i = 1; i < rotation.size(); i++) {
        assertThat(rotation.get(i)).as("rotation %s", rotation).isNotEqualTo(rotation.get(i - 1));
      }
    } finally {
      one.close();
      two.close();
    }
  }

  // ---- Proxy: timeouts, body size, next upstream

  /**
   * {@code proxy-read-timeout} (seconds) bounds the wait for the upstream's answer: ingress-nginx
   * answers 504 when it passes.
   */
  @Test
  void a_slow_upstream_gets_504_within_proxy_read_timeout(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-timeout");
    // answers only /fast; every other request is held without an answer
    TestUpstream slow =
        TestUpstream.custom(
            fx.vertx(),
            req -> {
              if (req.path().equals("/fast")) {
                req.response().end("fast");
              }
            });
    fx.serviceTo(admin, ns, "web", slow.port());
    create(ns, "slow", "slow.example.test", "web", Map.of(NGINX + "proxy-read-timeout", "2"));
    try {
      answers(ns, "slow.example.test", "/fast", 200);
      long start = System.nanoTime();
      RawHttp.Response r = node.get("slow.example.test", "/hang");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r.status()).isEqualTo(504);
      assertThat(took).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(8));
    } finally {
      slow.close();
    }
  }

  /** {@code proxy-body-size} (nginx's {@code client_max_body_size}): a larger body gets 413. */
  @Test
  void a_body_over_proxy_body_size_gets_413_and_never_reaches_the_upstream(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-body");
    TestUpstream web = fx.backendFor(admin, ns, "web", "upload");
    create(ns, "upload", "upload.example.test", "web", Map.of(NGINX + "proxy-body-size", "1k"));
    try {
      answers(ns, "upload.example.test", "/", 200);
      drain(web);
      assertThat(post("upload.example.test", 1024).status()).isEqualTo(200);
      assertThat(web.take().body().length()).isEqualTo(1024);
      RawHttp.Response big = post("upload.example.test", 1025);
      assertThat(big.status()).isEqualTo(413);
      assertThat(web.receivedNothing()).isTrue();
    } finally {
      web.close();
    }
  }

  /**
   * {@code proxy-next-upstream: error timeout http_503}: a 503 from one endpoint is retried on the
   * other, so the client never sees it.
   */
  @Test
  void proxy_next_upstream_retries_a_503_on_the_second_endpoint(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-retry");
    TestUpstream[] bad = new TestUpstream[1];
    bad[0] =
        TestUpstream.custom(
            fx.vertx(),
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          bad[0].record(req, b);
                          req.response().setStatusCode(503).end("down");
                        }));
    TestUpstream good = fx.backend("good");
    twoEndpoints(ns, "web", bad[0], good);
    create(
        ns,
        "retry",
        "retry.example.test",
        "web",
        Map.of(
            NGINX + "proxy-next-upstream", "error timeout http_503",
            NGINX + "proxy-next-upstream-tries", "2"));
    try {
      answers(ns, "retry.example.test", "/", 200);
      for (int i = 0; i < 8; i++) {
        RawHttp.Response r = node.get("retry.example.test", "/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("good");
      }
      assertThat(bad[0].count()).as("the 503 endpoint was tried, then retried away").isPositive();
    } finally {
      bad[0].close();
      good.close();
    }
  }

  // ---- Allowlist and Denylist

  @Test
  void source_ranges_answer_403_to_a_client_outside_the_allowlist_or_inside_the_denylist(
      ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("fam-ranges");
    TestUpstream web = fx.backendFor(admin, ns, "web", "ranged");
    create(
        ns,
        "outside",
        "outside.example.test",
        "web",
        Map.of(NGINX + "whitelist-source-range", "10.0.0.0/8, 192.168.0.0/16"));
    create(
        ns,
        "inside",
        "inside.example.test",
        "web",
        Map.of(NGINX + "allowlist-source-range", "127.0.0.1/32"));
    create(
        ns,
        "denied",
        "denied.example.test",
        "web",
        Map.of(NGINX + "denylist-source-range", "127.0.0.0/8"));
    try {
      answers(ns, "inside.example.test", "/", 200);
      drain(web);
      assertThat(node.get("inside.example.test", "/").body()).isEqualTo("ranged");
      web.take();
      answers(ns, "outside.example.test", "/", 403);
      answers(ns, "denied.example.test", "/", 403);
      assertThat(web.receivedNothing()).isTrue();
    } finally {
      web.close();
    }
  }

  // ---- BasicDigestAuth

  @Test
  void basic_auth_from_an_htpasswd_secret_answers_401_then_200(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-basic");
    TestUpstream web = fx.backendFor(admin, ns, "web", "staff-only");
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("basic-auth"))
                .type("Opaque")
                .stringData(Map.of("auth", "alice:" + SECRET_HASH + "\n")))
        .execute();
    create(
        ns,
        "staff",
        "staff.example.test",
        "web",
        Map.of(
            NGINX + "auth-type", "basic",
            NGINX + "auth-secret", "basic-auth",
            NGINX + "auth-realm", "Authentication Required - staff"));
    try {
      answers(ns, "staff.example.test", "/", 401);
      RawHttp.Response none = node.get("staff.example.test", "/");
      assertThat(none.header("www-authenticate"))
          .startsWith("Basic realm=\"Authentication Required - staff\"");
      assertThat(basic("alice:wrong").status()).isEqualTo(401);
      RawHttp.Response ok = basic("alice:secret");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("staff-only");
    } finally {
      web.close();
    }
  }

  // ---- ExternalAuth

  /**
   * {@code auth-url}: the auth service's 2xx lets the request through with its {@code
   * auth-response-headers} copied to the upstream request; its 401 and 403 are the client's answer.
   */
  @Test
  void auth_url_service_allows_with_its_headers_and_denies_with_401_or_403(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-extauth");
    TestUpstream web = fx.backendFor(admin, ns, "web", "protected");
    TestUpstream auth =
        TestUpstream.custom(
            fx.vertx(),
            req -> {
              String token = String.valueOf(req.getHeader("authorization"));
              switch (token) {
                case "Bearer good" -> req.response().putHeader("X-User", "alice").end();
                case "Bearer banned" -> req.response().setStatusCode(403).end();
                default ->
                    req.response()
                        .setStatusCode(401)
                        .putHeader("WWW-Authenticate", "Bearer realm=\"ext\"")
                        .end();
              }
            });
    create(
        ns,
        "ext",
        "ext.example.test",
        "web",
        Map.of(
            NGINX + "auth-url",
            "http://127.0.0.1:" + auth.port() + "/check",
            NGINX + "auth-response-headers",
            "X-User"));
    try {
      answers(ns, "ext.example.test", "/", 401);
      drain(web);
      RawHttp.Response denied = bearer("none");
      assertThat(denied.status()).isEqualTo(401);
      assertThat(denied.header("www-authenticate")).isEqualTo("Bearer realm=\"ext\"");
      assertThat(bearer("banned").status()).isEqualTo(403);
      assertThat(web.receivedNothing()).isTrue();
      RawHttp.Response ok =
          node.exchange(
              "GET /app HTTP/1.1\r\nHost: ext.example.test\r\nAuthorization: Bearer good\r\n"
                  + "X-User: mallory\r\nConnection: close\r\n\r\n");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("protected");
      assertThat(web.take().header("x-user")).isEqualTo("alice");
    } finally {
      web.close();
      auth.close();
    }
  }

  /**
   * The oauth2-proxy pattern: {@code auth-url: http://$host:PORT/oauth2/auth} and {@code
   * auth-signin: $scheme://$host/oauth2/start?rd=$escaped_request_uri}, {@code $host} and {@code
   * $scheme} set to the route's own host and scheme (http: no tls section). The service's 401 sends
   * the client to the signin with {@code rd} the escaped request URI, as ingress-nginx does; its
   * 202 lets the request through. Another nginx variable ({@code $http_host}) is refused: 404 and a
   * Warning.
   */
  @Test
  void oauth2_proxy_pattern_sets_host_per_route_and_redirects_with_the_escaped_request_uri(
      ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("fam-oauth2");
    TestUpstream web = fx.backendFor(admin, ns, "web", "sso-app");
    java.util.Queue<String> asked = new java.util.concurrent.ConcurrentLinkedQueue<>();
    TestUpstream auth =
        TestUpstream.custom(
            fx.vertx(),
            req -> {
              asked.add(req.getHeader("host") + " " + req.uri());
              String cookie = String.valueOf(req.getHeader("cookie"));
              req.response().setStatusCode(cookie.contains("_oauth2_proxy=ok") ? 202 : 401).end();
            });
    create(
        ns,
        "sso",
        "localhost",
        "web",
        Map.of(
            NGINX + "auth-url",
            "http://$host:" + auth.port() + "/oauth2/auth",
            NGINX + "auth-signin",
            "$scheme://$host/oauth2/start?rd=$escaped_request_uri"));
    create(
        ns,
        "other-var",
        "other-var.example.test",
        "web",
        Map.of(NGINX + "auth-url", "http://$http_host:" + auth.port() + "/oauth2/auth"));
    try {
      answers(ns, "localhost", "/", 302);
      drain(web);
      asked.clear();
      RawHttp.Response signin =
          node.exchange(
              "GET /reports/q%201?x=1&y=/2 HTTP/1.1\r\nHost: localhost\r\n"
                  + "Connection: close\r\n\r\n");
      assertThat(signin.status()).isEqualTo(302);
      assertThat(signin.header("location"))
          .isEqualTo("http://localhost/oauth2/start?rd=%2Freports%2Fq%25201%3Fx%3D1%26y%3D%2F2");
      assertThat(asked).containsExactly("localhost:" + auth.port() + " /oauth2/auth");
      assertThat(web.receivedNothing()).isTrue();
      RawHttp.Response ok =
          node.exchange(
              "GET /reports HTTP/1.1\r\nHost: localhost\r\nCookie: _oauth2_proxy=ok\r\n"
                  + "Connection: close\r\n\r\n");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("sso-app");
      assertThat(web.take().uri()).isEqualTo("/reports");
      answers(ns, "other-var.example.test", "/", 404);
      await("the refusal's Warning")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(warnings(ns))
                      .anySatisfy(w -> assertThat(w).contains("$http_host").contains("auth-url")));
    } finally {
      web.close();
      auth.close();
    }
  }

  // ---- CertificateAuth

  /**
   * {@code auth-tls-secret} with the CA in {@code ca.crt}: a client certificate it issued is let
   * through and passed on ({@code auth-tls-pass-certificate-to-upstream}); none, or one of another
   * CA, is refused. With {@code auth-tls-verify-client: optional} a request without one is served
   * and a certificate that does not verify is still refused. Difference: ingress-nginx answers 400
   * there, Gatehouse 403.
   */
  @Test
  void auth_tls_secret_admits_a_client_certificate_of_its_ca_only(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-mtls");
    TestUpstream web = fx.backendFor(admin, ns, "web", "mtls-app");
    TestPki clients = TestPki.ca("clients");
    TestPki stranger = TestPki.ca("stranger");
    TestPki.Issued site =
        TestPki.ca("site").server(List.of("mtls.example.test", "optional.example.test"), List.of());
    CoreV1Api core = new CoreV1Api(admin);
    core.createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("mtls-tls"))
                .type("kubernetes.io/tls")
                .stringData(Map.of("tls.crt", site.certPem(), "tls.key", site.keyPem())))
        .execute();
    core.createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("client-ca"))
                .type("Opaque")
                .stringData(Map.of("ca.crt", clients.caPem())))
        .execute();
    V1Ingress ing = ingressTo(ns, "mtls", cls, "mtls.example.test", "web");
    ing.getMetadata()
        .annotations(
            Map.of(
                NGINX + "auth-tls-secret", ns + "/client-ca",
                NGINX + "auth-tls-verify-client", "on",
                NGINX + "auth-tls-pass-certificate-to-upstream", "true"));
    ing.getSpec()
        .tls(
            List.of(new V1IngressTLS().hosts(List.of("mtls.example.test")).secretName("mtls-tls")));
    new NetworkingV1Api(admin).createNamespacedIngress(ns, ing).execute();
    V1Ingress optional = ingressTo(ns, "optional", cls, "optional.example.test", "web");
    optional
        .getMetadata()
        .annotations(
            Map.of(
                NGINX + "auth-tls-secret",
                ns + "/client-ca",
                NGINX + "auth-tls-verify-client",
                "optional"));
    optional
        .getSpec()
        .tls(
            List.of(
                new V1IngressTLS().hosts(List.of("optional.example.test")).secretName("mtls-tls")));
    new NetworkingV1Api(admin).createNamespacedIngress(ns, optional).execute();
    try {
      await("served over TLS")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(httpsOutcome("mtls.example.test"))
                      .as("warnings in %s: %s", ns, warnings(ns))
                      .isEqualTo("403"));
      drain(web);
      assertThat(httpsStatus("mtls.example.test", stranger.client("CN=eve"))).isEqualTo(403);
      assertThat(web.receivedNothing()).isTrue();
      assertThat(httpsStatus("mtls.example.test", clients.client("CN=alice"))).isEqualTo(200);
      TestUpstream.Recorded seen = web.take();
      assertThat(seen.header("ssl-client-cert")).isNotBlank();

      await("optional served")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(httpsOutcome("optional.example.test"))
                      .as("warnings in %s: %s", ns, warnings(ns))
                      .isEqualTo("200"));
      assertThat(httpsStatus("optional.example.test", stranger.client("CN=eve"))).isEqualTo(403);
      assertThat(httpsStatus("optional.example.test", clients.client("CN=bob"))).isEqualTo(200);
    } finally {
      web.close();
    }
  }

  // ---- RateLimit

  /**
   * {@code limit-rps: 1} with {@code limit-burst-multiplier: 3}: a client's burst of 3 passes, the
   * next request within the second is refused. Difference: ingress-nginx answers 503 unless its
   * ConfigMap sets {@code limit-req-status-code}; Gatehouse answers 429 with {@code Retry-After}.
   */
  @Test
  void limit_rps_with_its_burst_refuses_the_request_past_the_burst(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-limit");
    TestUpstream web = fx.backendFor(admin, ns, "web", "limited");
    create(
        ns,
        "limited",
        "limit.example.test",
        "web",
        Map.of(NGINX + "limit-rps", "1", NGINX + "limit-burst-multiplier", "3"));
    try {
      // the limit counts per client address: waiting from 127.0.0.2 spends none of 127.0.0.1's
      await("served")
          .atMost(WAIT)
          .until(
              () -> {
                try (RawHttp other = new RawHttp(node.port(), "127.0.0.2")) {
                  other.send(
                      "GET / HTTP/1.1\r\nHost: limit.example.test\r\nConnection: close\r\n\r\n");
                  return other.read().status() == 200;
                }
              });
      List<Integer> statuses = new java.util.ArrayList<>();
      RawHttp.Response refused = null;
      for (int i = 0; i < 6 && refused == null; i++) {
        RawHttp.Response r = node.get("limit.example.test", "/");
        statuses.add(r.status());
        if (r.status() == 429) {
          refused = r;
        }
      }
      assertThat(statuses.subList(0, 3)).containsOnly(200);
      assertThat(refused).as("statuses %s", statuses).isNotNull();
      assertThat(refused.header("retry-after")).isNotBlank();
    } finally {
      web.close();
    }
  }

  /**
   * {@code limit-whitelist}: the listed client addresses are never limited, the same limit still
   * applies to the others.
   */
  @Test
  void limit_whitelist_exempts_its_addresses_from_limit_rps(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("fam-exempt");
    TestUpstream web = fx.backendFor(admin, ns, "web", "exempt");
    create(
        ns,
        "exempt",
        "exempt.example.test",
        "web",
        Map.of(
            NGINX + "limit-rps", "1",
            NGINX + "limit-burst-multiplier", "1",
            NGINX + "limit-whitelist", "127.0.0.1/32"));
    try {
      answers(ns, "exempt.example.test", "/", 200);
      for (int i = 0; i < 8; i++) {
        assertThat(node.get("exempt.example.test", "/").status()).isEqualTo(200);
      }
      List<Integer> other = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        try (RawHttp c = new RawHttp(node.port(), "127.0.0.2")) {
          c.send("GET / HTTP/1.1\r\nHost: exempt.example.test\r\nConnection: close\r\n\r\n");
          other.add(c.read().status());
        }
      }
      assertThat(other).as("127.0.0.2 is limited").contains(429);
    } finally {
      web.close();
    }
  }

  // ---- GlobalRateLimit

  /**
   * {@code global-rate-limit: 3} per {@code global-rate-limit-window: 1m} keyed by a header: the
   * fourth request of one key within the minute gets 429 (ingress-nginx's {@code
   * global-rate-limit-status-code} default), another key is counted apart.
   */
  @Test
  void global_rate_limit_counts_per_key_over_its_window(ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("fam-global");
    TestUpstream web = fx.backendFor(admin, ns, "web", "global");
    create(
        ns,
        "global",
        "global.example.test",
        "web",
        Map.of(
            NGINX + "global-rate-limit", "3",
            NGINX + "global-rate-limit-window", "1m",
            NGINX + "global-rate-limit-key", "$http_x_api_key"));
    try {
      answers(ns, "global.example.test", "/", 200);
      List<Integer> keyA = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        keyA.add(withKey("a").status());
      }
      assertThat(keyA).containsExactly(200, 200, 200, 429);
      assertThat(withKey("b").status()).isEqualTo(200);
    } finally {
      web.close();
    }
  }

  private static RawHttp.Response withKey(String key) throws Exception {
    return node.exchange(
        "GET / HTTP/1.1\r\nHost: global.example.test\r\nX-Api-Key: "
            + key
            + "\r\nConnection: close\r\n\r\n");
  }

  // ---- helpers --------------------------------------------------------------------------

  private static void create(
      String ns, String name, String host, String svc, Map<String, String> annotations)
      throws Exception {
    V1Ingress i = ingressTo(ns, name, cls, host, svc);
    i.getMetadata().annotations(annotations);
    new NetworkingV1Api(admin).createNamespacedIngress(ns, i).execute();
  }

  private static void twoEndpoints(String ns, String svc, TestUpstream one, TestUpstream two)
      throws Exception {
    service(admin, ns, svc);
    createSlice(
        admin, ns, svc, svc + "-slice", Map.of(fx.address(one), true, fx.address(two), true));
  }

  /** Waits until {@code host} answers {@code status}; the namespace's warnings tell why not. */
  private static void answers(String ns, String host, String path, int status) {
    await(host + " answers " + status)
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(node.get(host, path).status())
                    .as("warnings in %s: %s", ns, warnings(ns))
                    .isEqualTo(status));
  }

  private static List<String> warnings(String ns) throws Exception {
    return new CoreV1Api(admin)
        .listNamespacedEvent(ns).fieldSelector("type=Warning").execute().getItems().stream()
            .map(e -> e.getReason() + ": " + e.getMessage())
            .toList();
  }

  /** Forgets what {@code u} recorded so far (the readiness probes). */
  private static void drain(TestUpstream u) throws InterruptedException {
    while (!u.receivedNothing()) {
      u.take();
    }
  }

  private static RawHttp.Response post(String host, int bytes) throws Exception {
    return node.exchange(
        "POST /upload HTTP/1.1\r\nHost: "
            + host
            + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
            + bytes
            + "\r\nConnection: close\r\n\r\n"
            + "x".repeat(bytes));
  }

  private static RawHttp.Response basic(String userPassword) throws Exception {
    return node.exchange(
        "GET / HTTP/1.1\r\nHost: staff.example.test\r\nAuthorization: Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(userPassword.getBytes(StandardCharsets.UTF_8))
            + "\r\nConnection: close\r\n\r\n");
  }

  private static RawHttp.Response bearer(String token) throws Exception {
    return node.exchange(
        "GET /app HTTP/1.1\r\nHost: ext.example.test\r\nAuthorization: Bearer "
            + token
            + "\r\nConnection: close\r\n\r\n");
  }

  /** The status without a client certificate, or what went wrong. */
  private static String httpsOutcome(String host) {
    try {
      return String.valueOf(httpsStatus(host, null));
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** {@code GET /} over TLS to {@code host}, presenting {@code client} when not null. */
  private static int httpsStatus(String host, TestPki.Issued client) throws Exception {
    KeyManager[] keys = client == null ? null : TlsSockets.keys(client);
    try (SSLSocket s = TlsSockets.open(node.node().httpsPort(), host, keys)) {
      String answer = TlsSockets.get(s, host, "/");
      return Integer.parseInt(answer.split(" ", 3)[1]);
    }
  }
}
