package io.gatehouse.k8s.watch;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;
import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.table.InMemoryRouteTable;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The access-control annotations against a real API server, one family a test: the watcher reads
 * the Ingress (and the Secrets it names, which it watches) and the table gets the policies; a
 * change to the annotation or the Secret reaches the route, and what cannot be honoured leaves the
 * Ingress unserved with a Warning.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public class AccessAnnotationsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NGINX = "nginx.ingress.kubernetes.io/";
  private static final String ALICE =
      "alice:$2y$04$n9Z4GDgIbmWmi7dL8VAEauaGoiUoyX8RfMNK5zi/DQl7Cr23PUhGW";
  private static final String BOB =
      "bob:$2y$04$kMIhm4W.skCAX3I89k4mPO0Evc/UCYk9LiwCqkvYF3dHKTMVR9jFi";

  @Test
  void source_ranges_become_ip_rules_and_follow_the_annotation(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("access-ip");
    String cls = ingressClass(admin, "ip");
    IngressWatcherIT.service(admin, ns, "web");
    createIngress(admin, ns, cls, Map.of(NGINX + "whitelist-source-range", "10.0.0.0/8"), null);
    try (Watched w = watch(admin, ns, cls)) {
      assertThat(policy(w, ns, IpAccess.class).allow()).containsExactly("10.0.0.0/8");

      annotate(admin, ns, Map.of(NGINX + "whitelist-source-range", "10.0.0.0/8, 192.0.2.0/24"));
      await("allow list changed")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(policy(w, ns, IpAccess.class).allow())
                      .containsExactly("10.0.0.0/8", "192.0.2.0/24"));

      annotate(admin, ns, Map.of(NGINX + "whitelist-source-range", "10.0.0.0/33"));
      await("refused: not served, with a warning")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(route(w, ns)).isNull();
                assertThat(problems(w)).anySatisfy(p -> assertThat(p).contains("10.0.0.0/33"));
              });
    }
  }

  @Test
  void basic_auth_reads_its_secret_and_follows_changes_to_it(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("access-basic");
    String cls = ingressClass(admin, "basic");
    IngressWatcherIT.service(admin, ns, "web");
    secret(admin, ns, "users", Map.of("auth", ALICE));
    createIngress(
        admin, ns, cls, Map.of(NGINX + "auth-type", "basic", NGINX + "auth-secret", "users"), null);
    try (Watched w = watch(admin, ns, cls)) {
      assertThat(policy(w, ns, BasicAuth.class).users())
          .extracting(BasicAuth.User::name)
          .containsExactly("alice");

      // an Opaque Secret no Ingress names costs no rebuild; the one the route reads is watched:
      // a user added there reaches the route
      secret(admin, ns, "unrelated", Map.of("password", "not read"));
      replaceSecret(admin, ns, "users", Map.of("auth", ALICE + "\n" + BOB + "\n"));
      await("user added")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(policy(w, ns, BasicAuth.class).users())
                      .extracting(BasicAuth.User::name)
                      .containsExactly("alice", "bob"));
      // the unrelated Secret's event came first on the same watch, and rebuilt nothing
      assertThat(w.watcher().secretEvents()).isGreaterThan(w.watcher().secretRebuilds());

      // a hash Gatehouse refuses: the Ingress is no longer served, never served open
      replaceSecret(
          admin, ns, "users", Map.of("auth", "carol:$apr1$tFKFfTCM$A0qnXalUCYq7d6XIhtYbu/"));
      await("refused")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(route(w, ns)).isNull();
                assertThat(problems(w))
                    .anySatisfy(p -> assertThat(p).contains("InvalidSecret", "carol"))
                    .noneSatisfy(p -> assertThat(p).contains("tFKFfTCM")); // never the hash
              });

      new CoreV1Api(admin).deleteNamespacedSecret("users", ns).execute();
      await("missing Secret reported")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(problems(w))
                      .anySatisfy(p -> assertThat(p).contains("SecretNotFound")));
      assertThat(route(w, ns)).isNull();
    }
  }

  @Test
  void auth_url_becomes_forward_auth_and_a_variable_in_it_refuses_the_ingress(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("access-forward");
    String cls = ingressClass(admin, "forward");
    IngressWatcherIT.service(admin, ns, "web");
    createIngress(
        admin,
        ns,
        cls,
        Map.of(
            NGINX + "auth-url", "http://auth." + ns + ".svc/check",
            NGINX + "auth-response-headers", "X-User",
            NGINX + "auth-signin", "https://login.example.test/start"),
        null);
    try (Watched w = watch(admin, ns, cls)) {
      ForwardAuth f = policy(w, ns, ForwardAuth.class);
      assertThat(f.url()).isEqualTo("http://auth." + ns + ".svc/check");
      assertThat(f.responseHeaders()).containsExactly("x-user");
      assertThat(f.signin()).isEqualTo("https://login.example.test/start");

      annotate(admin, ns, Map.of(NGINX + "auth-url", "https://$http_host/oauth2/auth"));
      await("refused")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(route(w, ns)).isNull();
                assertThat(problems(w)).anySatisfy(p -> assertThat(p).contains("$http_host"));
              });
    }
  }

  @Test
  void auth_tls_secret_becomes_the_hosts_client_certificates_and_follows_the_ca(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("access-mtls");
    String cls = ingressClass(admin, "mtls");
    IngressWatcherIT.service(admin, ns, "web");
    TestCertificates.Pair serving = TestCertificates.selfSigned(List.of("a.example.test"));
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("a-tls"))
                .type("kubernetes.io/tls")
                .data(
                    Map.of(
                        "tls.crt", serving.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        "tls.key", serving.keyPem().getBytes(StandardCharsets.US_ASCII))))
        .execute();
    String firstCa = TestCertificates.selfSigned(List.of("ca-one.example.test")).certificatePem();
    String secondCa = TestCertificates.selfSigned(List.of("ca-two.example.test")).certificatePem();
    secret(admin, ns, "client-ca", Map.of("ca.crt", firstCa));
    createIngress(
        admin,
        ns,
        cls,
        Map.of(
            NGINX + "auth-tls-secret", ns + "/client-ca",
            NGINX + "auth-tls-verify-depth", "2",
            NGINX + "auth-tls-pass-certificate-to-upstream", "true"),
        "a-tls");
    try (Watched w = watch(admin, ns, cls)) {
      ClientAuth auth = route(w, ns).tls().clientAuth();
      assertThat(auth.mode()).isEqualTo(ClientAuth.Mode.REQUIRED);
      assertThat(auth.caBundlePem()).isEqualTo(firstCa);
      assertThat(auth.verifyDepth()).isEqualTo(2);
      assertThat(auth.passCertificate()).isTrue();

      // the CA Secret is watched: a rotated CA reaches the route
      replaceSecret(admin, ns, "client-ca", Map.of("ca.crt", secondCa));
      await("CA rotated")
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(route(w, ns).tls().clientAuth().caBundlePem()).isEqualTo(secondCa));

      annotate(admin, ns, Map.of(NGINX + "auth-tls-verify-client", "optional_no_ca"));
      await("refused")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(route(w, ns)).isNull();
                assertThat(problems(w)).anySatisfy(p -> assertThat(p).contains("optional_no_ca"));
              });
    }
  }

  @Test
  void limit_annotations_become_rate_and_connection_limits(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("access-limits");
    String cls = ingressClass(admin, "limits");
    IngressWatcherIT.service(admin, ns, "web");
    createIngress(
        admin,
        ns,
        cls,
        Map.of(
            NGINX + "limit-rps",
            "10",
            NGINX + "limit-connections",
            "4",
            NGINX + "limit-whitelist",
            "10.0.0.0/8",
            "gatehouse.io/limit-scope",
            "global"),
        null);
    try (Watched w = watch(admin, ns, cls)) {
      RateLimit r = policy(w, ns, RateLimit.class);
      assertThat(r.requests()).isEqualTo(10);
      assertThat(r.per()).isEqualTo(RateLimit.SECOND);
      assertThat(r.burst()).isEqualTo(50);
      assertThat(r.scope()).isEqualTo(RateLimit.Scope.GLOBAL);
      assertThat(r.key()).isEqualTo(LimitKey.CLIENT_ADDRESS);
      assertThat(r.exempt()).containsExactly("10.0.0.0/8");
      assertThat(policy(w, ns, ConnectionLimit.class).max()).isEqualTo(4);

      annotate(admin, ns, Map.of(NGINX + "limit-rps", "ten"));
      await("refused")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(route(w, ns)).isNull();
                assertThat(problems(w)).anySatisfy(p -> assertThat(p).contains("\"ten\""));
              });
    }
  }

  // ---- helpers

  /** A started watcher writing a table, and the last translation it made. */
  private record Watched(
      IngressWatcher watcher, InMemoryRouteTable table, AtomicReference<Translation> last)
      implements AutoCloseable {
    @Override
    public void close() {
      watcher.close();
    }
  }

  private static Watched watch(ApiClient admin, String ns, String cls) throws Exception {
    InMemoryRouteTable table = new InMemoryRouteTable();
    AtomicReference<Translation> last = new AtomicReference<>();
    IngressWatcherOptions o = IngressWatcherOptions.DEFAULTS;
    o =
        new IngressWatcherOptions(
            List.of(ns),
            "",
            cls,
            o.holdOff(),
            o.maxDelay(),
            o.endpointMapper(),
            IngressTranslator.upstreamPolicy(List.of(), false));
    IngressWatcher watcher =
        new IngressWatcher(
            admin,
            o,
            Clock.systemUTC(),
            () -> table.view().hostClaims(),
            List.of(new TableSink(table), (t, s) -> last.set(t)));
    watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Watched w = new Watched(watcher, table, last);
    await("route published").atMost(WAIT).until(() -> route(w, ns) != null);
    return w;
  }

  private static @Nullable RouteSpec route(Watched w, String ns) {
    return w.table().view().routes().get(RouteKey.of(ns, "k8s", "web.r0.p0"));
  }

  private static <T extends PolicySpec> T policy(Watched w, String ns, Class<T> kind) {
    RouteSpec r = route(w, ns);
    assertThat(r).as("route served").isNotNull();
    for (PolicySpec p : r.policies()) {
      if (kind.isInstance(p)) {
        return kind.cast(p);
      }
    }
    throw new AssertionError("no " + kind.getSimpleName() + " in " + r.policies());
  }

  private static List<String> problems(Watched w) {
    Translation t = w.last().get();
    List<String> out = new ArrayList<>();
    if (t != null) {
      for (IngressProblem p : t.problems()) {
        out.add(p.reason() + ": " + p.message());
      }
    }
    return out;
  }

  private static void createIngress(
      ApiClient admin, String ns, String cls, Map<String, String> annotations, String tls)
      throws Exception {
    V1Ingress i = ingress(ns, "web", cls, "a.example.test", tls);
    i.getMetadata().annotations(annotations);
    new NetworkingV1Api(admin).createNamespacedIngress(ns, i).execute();
  }

  /** Sets {@code changes} on the Ingress's annotations, keeping the others. */
  private static void annotate(ApiClient admin, String ns, Map<String, String> changes)
      throws Exception {
    NetworkingV1Api api = new NetworkingV1Api(admin);
    V1Ingress i = api.readNamespacedIngress("web", ns).execute();
    i.getMetadata().getAnnotations().putAll(changes);
    api.replaceNamespacedIngress("web", ns, i).execute();
  }

  private static void secret(ApiClient admin, String ns, String name, Map<String, String> data)
      throws Exception {
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret().metadata(new V1ObjectMeta().name(name)).type("Opaque").data(bytes(data)))
        .execute();
  }

  private static void replaceSecret(
      ApiClient admin, String ns, String name, Map<String, String> data) throws Exception {
    CoreV1Api api = new CoreV1Api(admin);
    V1Secret s = api.readNamespacedSecret(name, ns).execute();
    s.data(bytes(data));
    api.replaceNamespacedSecret(name, ns, s).execute();
  }

  private static Map<String, byte[]> bytes(Map<String, String> data) {
    Map<String, byte[]> out = new java.util.HashMap<>();
    data.forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return out;
  }
}
