package io.gatehouse.node;

import static io.gatehouse.node.KubeNodeFixture.ingressTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.IngressWatcherIT;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.node.KubeNodeFixture.Running;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1IngressClassSpec;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ingress-nginx's class served unchanged when the operator lists it, through the proxy against the
 * real API server; and the catalogue's own families there: a refused annotation leaves its Ingress
 * unserved (404) with its Warning event, {@code satisfy: any} is served stricter (as all).
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngressNginxClassIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NGINX = "nginx.ingress.kubernetes.io/";
  private static final AtomicInteger CLASSES = new AtomicInteger();

  /** {@code htpasswd -nbB -C 5 alice secret}. */
  private static final String ALICE =
      "alice:$2y$05$Z6aGjIPI5td2oYCzgClEoOE28L5EsL0FLj3zNCMavDuok7eUZwdu6\n";

  private final KubeNodeFixture fixture = new KubeNodeFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  /** An IngressClass of ingress-nginx's controller; unique, as classes are cluster-wide. */
  private static String nginxClass(ApiClient admin, String prefix) throws Exception {
    String name =
        "nginx-" + prefix + "-" + CLASSES.incrementAndGet() + "-" + System.nanoTime() % 100000;
    new NetworkingV1Api(admin)
        .createIngressClass(
            new V1IngressClass()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1IngressClassSpec().controller("k8s.io/ingress-nginx")))
        .execute();
    return name;
  }

  private static V1Ingress annotated(V1Ingress i, Map<String, String> annotations) {
    Map<String, String> all = new HashMap<>();
    if (i.getMetadata().getAnnotations() != null) {
      all.putAll(i.getMetadata().getAnnotations());
    }
    all.putAll(annotations);
    i.getMetadata().annotations(all);
    return i;
  }

  private static List<V1IngressLoadBalancerIngress> lb(V1Ingress i) {
    if (i.getStatus() == null
        || i.getStatus().getLoadBalancer() == null
        || i.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return i.getStatus().getLoadBalancer().getIngress();
  }

  private static boolean warned(ApiClient admin, String ns, String ingress, String text)
      throws Exception {
    return new CoreV1Api(admin)
            .listNamespacedEvent(ns)
            .fieldSelector("involvedObject.name=" + ingress + ",type=Warning")
            .execute()
            .getItems()
            .stream()
            .anyMatch(e -> e.getMessage() != null && e.getMessage().contains(text));
  }

  @Test
  void a_listed_nginx_class_and_its_legacy_annotation_are_served_with_status(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("class-nginx");
    String ours = IngressWatcherIT.ingressClass(admin, "class-ours");
    String nginx = nginxClass(admin, "listed");
    String unlisted = nginxClass(admin, "unlisted");
    TestUpstream web = fixture.backendFor(admin, ns, "web", "web");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingressTo(ns, "by-class", nginx, "a.example.test", "web"))
        .execute();
    V1Ingress legacy = ingressTo(ns, "by-annotation", null, "b.example.test", "web");
    net.createNamespacedIngress(ns, annotated(legacy, Map.of("kubernetes.io/ingress.class", nginx)))
        .execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "unlisted", unlisted, "c.example.test", "web"))
        .execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "ours", ours, "d.example.test", "web")).execute();
    try (Running node = fixture.node(server, ns, ours + "," + nginx)) {
      assertThat(node.get("a.example.test", "/").body()).isEqualTo("web");
      assertThat(node.get("b.example.test", "/").body()).isEqualTo("web");
      assertThat(node.get("d.example.test", "/").body()).isEqualTo("web");
      // an ingress-nginx class the operator did not list stays ingress-nginx's
      assertThat(node.get("c.example.test", "/").status()).isEqualTo(404);
      V1IngressLoadBalancerIngress address = new V1IngressLoadBalancerIngress().ip("192.0.2.250");
      await("status of the nginx class's Ingresses")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(lb(net.readNamespacedIngress("by-class", ns).execute()))
                    .containsExactly(address);
                assertThat(lb(net.readNamespacedIngress("by-annotation", ns).execute()))
                    .containsExactly(address);
              });
      assertThat(lb(net.readNamespacedIngress("unlisted", ns).execute())).isEmpty();
    } finally {
      web.close();
    }
  }

  @Test
  void a_refused_annotation_leaves_its_ingress_unserved_with_a_warning(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("class-refused");
    String nginx = nginxClass(admin, "refused");
    TestUpstream web = fixture.backendFor(admin, ns, "web", "web");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingressTo(ns, "plain", nginx, "a.example.test", "web"))
        .execute();
    net.createNamespacedIngress(
            ns,
            annotated(
                ingressTo(ns, "domain-cookie", nginx, "b.example.test", "web"),
                Map.of(
                    NGINX + "affinity", "cookie", NGINX + "session-cookie-domain", "example.test")))
        .execute();
    net.createNamespacedIngress(
            ns,
            annotated(
                ingressTo(ns, "subset", nginx, "c.example.test", "web"),
                Map.of(
                    NGINX + "upstream-hash-by", "$remote_addr",
                    NGINX + "upstream-hash-by-subset", "true")))
        .execute();
    try (Running node = fixture.node(server, ns, nginx)) {
      assertThat(node.get("a.example.test", "/").body()).isEqualTo("web");
      assertThat(node.get("b.example.test", "/").status()).isEqualTo(404);
      assertThat(node.get("c.example.test", "/").status()).isEqualTo(404);
      await("the refusals' Warning events")
          .atMost(WAIT)
          .until(
              () ->
                  warned(admin, ns, "domain-cookie", NGINX + "session-cookie-domain")
                      && warned(admin, ns, "subset", NGINX + "upstream-hash-by-subset"));
      assertThat(warned(admin, ns, "domain-cookie", "Domain attribute")).isTrue();
    } finally {
      web.close();
    }
  }

  @Test
  void satisfy_any_is_served_as_all_so_an_allowed_address_still_signs_in(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("class-satisfy");
    String nginx = nginxClass(admin, "satisfy");
    TestUpstream web = fixture.backendFor(admin, ns, "web", "web");
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("users"))
                .type("Opaque")
                .data(Map.of("auth", ALICE.getBytes(StandardCharsets.UTF_8))))
        .execute();
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(
            ns,
            annotated(
                ingressTo(ns, "both", nginx, "a.example.test", "web"),
                Map.of(
                    NGINX + "auth-type", "basic",
                    NGINX + "auth-secret", "users",
                    NGINX + "allowlist-source-range", "127.0.0.0/8",
                    NGINX + "satisfy", "any")))
        .execute();
    String credentials =
        Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
    try (Running node = fixture.node(server, ns, nginx)) {
      // the client is in the allowlist: ingress-nginx would let it in without credentials
      assertThat(node.get("a.example.test", "/").status()).isEqualTo(401);
      RawHttp.Response signedIn =
          RawHttp.exchange(
              node.port(),
              "GET / HTTP/1.1\r\nHost: a.example.test\r\nAuthorization: Basic "
                  + credentials
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(signedIn.status()).isEqualTo(200);
      assertThat(signedIn.body()).isEqualTo("web");
      await("the satisfy Warning")
          .atMost(WAIT)
          .until(() -> warned(admin, ns, "both", "is served as all"));
    } finally {
      web.close();
    }
  }

  @Test
  void a_global_rate_limit_answers_429_past_its_requests_per_window(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("class-global-limit");
    String nginx = nginxClass(admin, "global-limit");
    TestUpstream web = fixture.backendFor(admin, ns, "web", "web");
    new NetworkingV1Api(admin)
        .createNamespacedIngress(
            ns,
            annotated(
                ingressTo(ns, "limited", nginx, "a.example.test", "web"),
                Map.of(
                    NGINX + "global-rate-limit", "2",
                    NGINX + "global-rate-limit-window", "1m")))
        .execute();
    try (Running node = fixture.node(server, ns, nginx)) {
      // two requests a minute: the third, at once, is refused
      assertThat(node.get("a.example.test", "/").status()).isEqualTo(200);
      assertThat(node.get("a.example.test", "/").status()).isEqualTo(200);
      RawHttp.Response third = node.get("a.example.test", "/");
      assertThat(third.status()).isEqualTo(429);
      assertThat(third.header("retry-after")).isNotNull();
    } finally {
      web.close();
    }
  }
}
