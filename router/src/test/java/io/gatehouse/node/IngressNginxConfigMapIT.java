package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.node.KubeNodeFixture.ingressTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.node.KubeNodeFixture.Running;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ingress-nginx's controller ConfigMap against the real API server, through the proxy: its keys are
 * the defaults of every Ingress and change live, a key Gatehouse cannot honour keeps the Ingresses
 * it covers unserved (404, a Warning event on each) until it is removed, and what is not applied is
 * a Warning event on the ConfigMap. The ConfigMap lives in a namespace the node does not watch for
 * Ingresses, as the Helm chart's does.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngressNginxConfigMapIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NAME = "ingress-nginx-controller";
  private static KubeNodeFixture fixture;

  @BeforeAll
  static void start() {
    fixture = new KubeNodeFixture();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void the_body_limit_and_source_ranges_apply_live_and_node_keys_are_reported_on_the_configmap(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("cm-live");
    String cmNs = server.createNamespace("cm-live-nginx");
    String cls = ingressClass(admin, "cm-live");
    TestUpstream web = fixture.backendFor(admin, ns, "web", "web");
    configMap(admin, cmNs, Map.of("proxy-body-size", "1k", "server-tokens", "true"));
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingressTo(ns, "web", cls, "web.example.test", "web"))
        .execute();
    try (Running node =
        fixture.node(server, ns, cls, withConfigMap(cmNs + "/" + NAME), List.of())) {
      await("served").atMost(WAIT).until(() -> node.get("web.example.test", "/").status() == 200);
      assertThat(post(node, 2000).status()).as("above the ConfigMap's 1k").isEqualTo(413);
      assertThat(post(node, 500).status()).isEqualTo(200);

      // a ConfigMap edit applies on the next translation, without a restart
      replace(admin, cmNs, Map.of("proxy-body-size", "4k", "server-tokens", "true"));
      await("the new limit").atMost(WAIT).until(() -> post(node, 2000).status() == 200);

      // block-cidrs covers every Ingress: the test client is loopback
      replace(admin, cmNs, Map.of("block-cidrs", "127.0.0.0/8"));
      await("blocked").atMost(WAIT).until(() -> node.get("web.example.test", "/").status() == 403);
      replace(admin, cmNs, Map.of());
      await("unblocked")
          .atMost(WAIT)
          .until(() -> node.get("web.example.test", "/").status() == 200);
      // ingress-nginx's 1m default once the key is gone
      assertThat(post(node, 2000).status()).isEqualTo(200);

      await("ConfigNotApplied on the ConfigMap")
          .atMost(WAIT)
          .until(
              () ->
                  warnings(admin, cmNs, NAME).stream()
                      .anyMatch(
                          m -> m.startsWith("ConfigNotApplied server-tokens: \"true\" is not")));
    } finally {
      web.close();
    }
  }

  @Test
  void a_key_that_cannot_be_honoured_keeps_every_ingress_unserved_until_it_is_removed(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("cm-refused");
    String cmNs = server.createNamespace("cm-refused-nginx");
    String cls = ingressClass(admin, "cm-refused");
    TestUpstream web = fixture.backendFor(admin, ns, "web", "web");
    configMap(admin, cmNs, Map.of("http-snippet", "map $a $b { default 1; }"));
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingressTo(ns, "web", cls, "web.example.test", "web"))
        .execute();
    try (Running node =
        fixture.node(server, ns, cls, withConfigMap(cmNs + "/" + NAME), List.of())) {
      await("ControllerConfigRefused on the Ingress")
          .atMost(WAIT)
          .until(
              () ->
                  warnings(admin, ns, "web").stream()
                      .anyMatch(
                          m ->
                              m.startsWith("ControllerConfigRefused controller ConfigMap ")
                                  && m.contains("http-snippet: ")));
      assertThat(node.get("web.example.test", "/").status()).as("not served").isEqualTo(404);
      assertThat(warnings(admin, cmNs, NAME))
          .anyMatch(m -> m.startsWith("ControllerConfigRefused http-snippet: "));
      assertThat(web.receivedNothing()).isTrue();

      replace(admin, cmNs, Map.of("keep-alive", "75"));
      await("served once the key is gone")
          .atMost(WAIT)
          .until(() -> node.get("web.example.test", "/").status() == 200);
    } finally {
      web.close();
    }
  }

  @Test
  void hsts_and_the_https_redirect_of_tls_hosts_come_from_the_configmap(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("cm-hsts");
    String cmNs = server.createNamespace("cm-hsts-nginx");
    String cls = ingressClass(admin, "cm-hsts");
    String host = "secure.example.test";
    TestUpstream web = fixture.backendFor(admin, ns, "web", "secure");
    TestCertificates.Pair pair = TestCertificates.selfSigned(List.of(host));
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("secure-tls"))
                .type("kubernetes.io/tls")
                .data(
                    Map.of(
                        "tls.crt", pair.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        "tls.key", pair.keyPem().getBytes(StandardCharsets.US_ASCII))))
        .execute();
    V1Ingress ing = ingressTo(ns, "web", cls, host, "web");
    ing.getSpec().tls(List.of(new V1IngressTLS().hosts(List.of(host)).secretName("secure-tls")));
    new NetworkingV1Api(admin).createNamespacedIngress(ns, ing).execute();
    configMap(admin, cmNs, Map.of("hsts-max-age", "600"));
    UnaryOperator<NodeConfig> https =
        c ->
            withConfigMap(cmNs + "/" + NAME)
                .apply(c)
                .withTls(
                    new NodeConfig.Tls(
                        true, "", 0, "", "", NodeConfig.Tls.Engine.JDK, Duration.ofSeconds(2)));
    try (Running node = fixture.node(server, ns, cls, https, List.of())) {
      await("served over HTTPS")
          .atMost(WAIT)
          .until(() -> https(node, host).startsWith("HTTP/1.1 200"));
      // ingress-nginx's defaults for what the ConfigMap leaves out: includeSubDomains, redirect
      assertThat(https(node, host))
          .containsIgnoringCase("strict-transport-security: max-age=600; includeSubDomains\r\n");
      assertThat(node.get(host, "/").status()).isEqualTo(308);

      replace(admin, cmNs, Map.of("hsts", "false", "ssl-redirect", "false"));
      await("plain HTTP served").atMost(WAIT).until(() -> node.get(host, "/").status() == 200);
      assertThat(https(node, host)).doesNotContainIgnoringCase("strict-transport-security");
    } finally {
      web.close();
    }
  }

  /** The raw answer to {@code GET /} over HTTPS with SNI {@code host}. */
  private static String https(Running node, String host) throws Exception {
    return TlsSockets.get(node.node().httpsPort(), host, "/");
  }

  private static UnaryOperator<NodeConfig> withConfigMap(String nsAndName) {
    return c -> {
      NodeConfig.Kubernetes k = c.kubernetes();
      return c.withKubernetes(
          new NodeConfig.Kubernetes(
              k.enabled(),
              k.kubeconfig(),
              k.namespaces(),
              k.ingressClass(),
              k.ingressLabelSelector(),
              k.publishAddresses(),
              k.leaderElection(),
              k.leaseNamespace(),
              k.leaseName(),
              k.leaseDuration(),
              k.deniedUpstreams(),
              k.allowLoopbackExternalNames(),
              k.publishService(),
              nsAndName));
    };
  }

  private static RawHttp.Response post(Running node, int bytes) throws Exception {
    return RawHttp.exchange(
        node.port(),
        "POST / HTTP/1.1\r\nHost: web.example.test\r\nContent-Length: "
            + bytes
            + "\r\nConnection: close\r\n\r\n"
            + "x".repeat(bytes));
  }

  private static void configMap(ApiClient admin, String ns, Map<String, String> data)
      throws Exception {
    new CoreV1Api(admin)
        .createNamespacedConfigMap(
            ns, new V1ConfigMap().metadata(new V1ObjectMeta().name(NAME)).data(data))
        .execute();
  }

  private static void replace(ApiClient admin, String ns, Map<String, String> data)
      throws Exception {
    CoreV1Api core = new CoreV1Api(admin);
    V1ConfigMap now = core.readNamespacedConfigMap(NAME, ns).execute();
    core.replaceNamespacedConfigMap(NAME, ns, now.data(data)).execute();
  }

  /** "reason message" of each Warning event on the object {@code name} of {@code ns}. */
  private static List<String> warnings(ApiClient admin, String ns, String name) throws Exception {
    return new CoreV1Api(admin)
            .listNamespacedEvent(ns)
            .fieldSelector("involvedObject.name=" + name + ",type=Warning")
            .execute()
            .getItems()
            .stream()
            .map(e -> e.getReason() + " " + e.getMessage())
            .toList();
  }
}
