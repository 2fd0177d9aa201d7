package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.node.KubeNodeFixture.ingressTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.node.KubeNodeFixture.Running;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #16, the hosts family of ingress-nginx's annotations through the proxy against the real API
 * server: {@code server-alias}, {@code force-ssl-redirect}, {@code use-regex} across the Ingresses
 * of a host, {@code from-to-www-redirect} yielding to a rule, and {@code
 * disable-proxy-intercept-errors}. Each test shows the behaviour ingress-nginx documents, and what
 * a request gets without the annotation where that makes the proof.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngressNginxHostsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String N = "nginx.ingress.kubernetes.io/";

  private KubeNodeFixture fx;

  @BeforeEach
  void start() {
    fx = new KubeNodeFixture();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void server_alias_serves_the_ingress_on_its_aliases_and_yields_to_a_rule(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("hosts-alias");
    String cls = ingressClass(admin, "hosts-alias");
    TestUpstream web = fx.backendFor(admin, ns, "web", "web");
    TestUpstream other = fx.backendFor(admin, ns, "other", "other");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress aliased = ingressTo(ns, "web", cls, "shop.example.test", "web");
    aliased
        .getMetadata()
        .annotations(Map.of(N + "server-alias", "www.shop.example.test, taken.example.test"));
    net.createNamespacedIngress(ns, aliased).execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "taken", cls, "taken.example.test", "other"))
        .execute();
    try (Running node = fx.node(server, ns, cls)) {
      await("the alias is served")
          .atMost(WAIT)
          .until(() -> node.get("www.shop.example.test", "/x").status() == 200);
      assertThat(node.get("www.shop.example.test", "/x").body()).isEqualTo("web");
      assertThat(node.get("shop.example.test", "/x").body()).isEqualTo("web");
      // the rule of another Ingress wins over the alias, as ingress-nginx
      assertThat(node.get("taken.example.test", "/x").body()).isEqualTo("other");
      assertThat(node.get("unknown.example.test", "/x").status()).isEqualTo(404);
      awaitWarning(admin, ns, "web", "AliasIgnored", "taken.example.test");
    } finally {
      web.close();
      other.close();
    }
  }

  @Test
  void force_ssl_redirect_redirects_a_host_without_tls_and_serves_it_over_https(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("hosts-force");
    String cls = ingressClass(admin, "hosts-force");
    TestUpstream web = fx.backendFor(admin, ns, "web", "web");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress forced = ingressTo(ns, "forced", cls, "forced.example.test", "web");
    // Gatehouse keeps the slash and names the port whatever these say (the documented difference)
    forced
        .getMetadata()
        .annotations(
            Map.of(
                N + "force-ssl-redirect", "true",
                N + "preserve-trailing-slash", "false",
                N + "use-port-in-redirects", "false"));
    net.createNamespacedIngress(ns, forced).execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "plain", cls, "plain.example.test", "web"))
        .execute();
    try (Running node =
        fx.node(
            server,
            ns,
            cls,
            c ->
                c.withTls(
                    new NodeConfig.Tls(
                        true, "", 0, "", "", NodeConfig.Tls.Engine.JDK, Duration.ofSeconds(2))),
            List.of())) {
      await("the forced host redirects")
          .atMost(WAIT)
          .until(() -> node.get("forced.example.test", "/a/?q=1").status() == 308);
      RawHttp.Response redirect = node.get("forced.example.test", "/a/?q=1");
      assertThat(redirect.header("location"))
          .isEqualTo("https://forced.example.test:" + node.node().httpsPort() + "/a/?q=1");
      // without the annotation and without tls, plain HTTP is served
      assertThat(node.get("plain.example.test", "/a").body()).isEqualTo("web");
      // over HTTPS (the default certificate) the forced host is served
      assertThat(https(node.node().httpsPort(), "forced.example.test", "/a"))
          .startsWith("HTTP/1.1 200")
          .endsWith("web");
    } finally {
      web.close();
    }
  }

  @Test
  void use_regex_on_one_ingress_makes_every_path_of_its_host_a_case_insensitive_prefix_regex(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("hosts-regex");
    String cls = ingressClass(admin, "hosts-regex");
    TestUpstream api = fx.backendFor(admin, ns, "api", "api");
    TestUpstream web = fx.backendFor(admin, ns, "web", "web");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress regex = ingressTo(ns, "api", cls, "shop.example.test", "api");
    path(regex, 0).path("/api/v[0-9]+").pathType("ImplementationSpecific");
    regex
        .getMetadata()
        .annotations(Map.of(N + "use-regex", "true", N + "x-forwarded-prefix", "/api"));
    net.createNamespacedIngress(ns, regex).execute();
    // another Ingress of the same host, and the same paths on a host without regex
    V1Ingress plain = ingressTo(ns, "web", cls, "shop.example.test", "web");
    path(plain, 0).path("/static").pathType("Prefix");
    V1Ingress other = ingressTo(ns, "other", cls, "other.example.test", "web");
    path(other, 0).path("/static").pathType("Prefix");
    net.createNamespacedIngress(ns, plain).execute();
    net.createNamespacedIngress(ns, other).execute();
    try (Running node = fx.node(server, ns, cls)) {
      await("both Ingresses of the host served")
          .atMost(WAIT)
          .until(
              () ->
                  node.get("shop.example.test", "/static/a.css").status() == 200
                      && node.get("other.example.test", "/static").status() == 200);
      assertThat(node.get("shop.example.test", "/API/V2/users").body()).isEqualTo("api");
      assertThat(api.take().header("x-forwarded-prefix")).isEqualTo("/api");
      // nginx's location ~* "^/static": any case, and not only whole path segments
      assertThat(node.get("shop.example.test", "/STATIC/a.css").body()).isEqualTo("web");
      assertThat(node.get("shop.example.test", "/staticfiles").body()).isEqualTo("web");
      // a host without regex keeps Kubernetes' Prefix
      assertThat(node.get("other.example.test", "/STATIC").status()).isEqualTo(404);
      assertThat(node.get("other.example.test", "/staticfiles").status()).isEqualTo(404);
      assertThat(node.get("other.example.test", "/static/a.css").body()).isEqualTo("web");
    } finally {
      api.close();
      web.close();
    }
  }

  @Test
  void redirects_from_to_www_unless_a_rule_has_the_name_app_root_and_temporal_over_permanent(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("hosts-www");
    String cls = ingressClass(admin, "hosts-www");
    TestUpstream web = fx.backendFor(admin, ns, "web", "web");
    TestUpstream blog = fx.backendFor(admin, ns, "blog", "blog");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress shop = ingressTo(ns, "shop", cls, "shop.example.test", "web");
    shop.getMetadata().annotations(Map.of(N + "from-to-www-redirect", "true"));
    net.createNamespacedIngress(ns, shop).execute();
    V1Ingress site = ingressTo(ns, "site", cls, "example.test", "web");
    site.getMetadata().annotations(Map.of(N + "from-to-www-redirect", "true"));
    net.createNamespacedIngress(ns, site).execute();
    // a newer Ingress with a rule for the other name: it is served, not redirected
    net.createNamespacedIngress(ns, ingressTo(ns, "blog", cls, "www.example.test", "blog"))
        .execute();
    V1Ingress root = ingressTo(ns, "root", cls, "root.example.test", "web");
    root.getMetadata().annotations(Map.of(N + "app-root", "/app1"));
    net.createNamespacedIngress(ns, root).execute();
    V1Ingress moved = ingressTo(ns, "moved", cls, "moved.example.test", "web");
    moved
        .getMetadata()
        .annotations(
            Map.of(
                N + "temporal-redirect", "https://new.example.test/",
                N + "temporal-redirect-code", "307",
                N + "permanent-redirect", "https://old.example.test/"));
    net.createNamespacedIngress(ns, moved).execute();
    try (Running node = fx.node(server, ns, cls)) {
      await("the www name redirects")
          .atMost(WAIT)
          .until(() -> node.get("www.shop.example.test", "/p?q=1").status() == 308);
      assertThat(node.get("www.shop.example.test", "/p?q=1").header("location"))
          .startsWith("http://shop.example.test")
          .endsWith("/p?q=1");
      assertThat(node.get("shop.example.test", "/p").body()).isEqualTo("web");
      await("the rule of the other name is served")
          .atMost(WAIT)
          .until(() -> "blog".equals(node.get("www.example.test", "/").body()));
      assertThat(node.get("example.test", "/").body()).isEqualTo("web");
      await("app-root and the redirect served")
          .atMost(WAIT)
          .until(() -> node.get("moved.example.test", "/x").status() == 307);
      // temporal-redirect wins over permanent-redirect, as ingress-nginx
      assertThat(node.get("moved.example.test", "/x?y=1").header("location"))
          .isEqualTo("https://new.example.test/");
      RawHttp.Response appRoot = node.get("root.example.test", "/");
      assertThat(appRoot.status()).isEqualTo(302);
      assertThat(appRoot.header("location")).endsWith("/app1");
      assertThat(node.get("root.example.test", "/other").body()).isEqualTo("web");
      awaitWarning(admin, ns, "moved", "UnsupportedAnnotation", "permanent-redirect");
    } finally {
      web.close();
      blog.close();
    }
  }

  @Test
  void disable_proxy_intercept_errors_lets_the_backend_error_through(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("hosts-intercept");
    String cls = ingressClass(admin, "hosts-intercept");
    TestUpstream app =
        TestUpstream.custom(
            fx.vertx(),
            (HttpServerRequest req) ->
                req.response()
                    .setStatusCode(404)
                    .putHeader("content-type", "text/plain")
                    .end("app 404"));
    fx.serviceTo(admin, ns, "app", app.port());
    TestUpstream errors = fx.backendFor(admin, ns, "errors", "custom error page");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    V1Ingress through = ingressTo(ns, "through", cls, "through.example.test", "app");
    through
        .getMetadata()
        .annotations(
            Map.of(
                N + "custom-http-errors", "404",
                N + "default-backend", "errors",
                N + "disable-proxy-intercept-errors", "true"));
    V1Ingress intercepted = ingressTo(ns, "intercepted", cls, "intercepted.example.test", "app");
    intercepted
        .getMetadata()
        .annotations(Map.of(N + "custom-http-errors", "404", N + "default-backend", "errors"));
    net.createNamespacedIngress(ns, through).execute();
    net.createNamespacedIngress(ns, intercepted).execute();
    try (Running node = fx.node(server, ns, cls)) {
      await("both served")
          .atMost(WAIT)
          .until(
              () ->
                  "custom error page".equals(node.get("intercepted.example.test", "/x").body())
                      && node.get("through.example.test", "/x").status() == 404);
      RawHttp.Response r = node.get("through.example.test", "/x");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("app 404");
    } finally {
      app.close();
      errors.close();
    }
  }

  private static V1HTTPIngressPath path(V1Ingress i, int p) {
    return i.getSpec().getRules().get(0).getHttp().getPaths().get(p);
  }

  private static void awaitWarning(
      ApiClient admin, String ns, String ingress, String reason, String text) {
    await(reason + " event on " + ingress)
        .atMost(WAIT)
        .until(
            () ->
                new CoreV1Api(admin)
                        .listNamespacedEvent(ns)
                        .fieldSelector("involvedObject.name=" + ingress + ",type=Warning")
                        .execute()
                        .getItems()
                        .stream()
                        .anyMatch(
                            e -> reason.equals(e.getReason()) && e.getMessage().contains(text)));
  }

  /** {@code GET path} over TLS with SNI {@code host} (the certificate is not under test). */
  private static String https(int port, String host, String path) throws Exception {
    return TlsSockets.get(port, host, path);
  }
}
