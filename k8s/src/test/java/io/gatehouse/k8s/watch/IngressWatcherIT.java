package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.validate.EndpointPolicy;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1IngressClassSpec;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The watcher against a real API server: sync gate, updates, TLS Secrets, permissions. */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public class IngressWatcherIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger CLASSES = new AtomicInteger();

  @Test
  void publishes_the_whole_state_after_sync_and_follows_endpoint_changes(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("watch");
    String cls = ingressClass(admin, "watch");
    service(admin, ns, "web");
    String first = slice(admin, ns, "web", "192.0.2.1", "192.0.2.2");
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingress(ns, "web", cls, "a.example.test", null))
        .execute();

    InMemoryRouteTable table = new InMemoryRouteTable();
    EndpointIndex index = new EndpointIndex();
    try (IngressWatcher watcher = watcher(admin, ns, cls, table);
        KubernetesEndpointFeed feed = feed(watcher, index, UnaryOperator.identity())) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      feed.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      // the first publish already holds every route that existed before the start; the route
      // refers to the Service port, whose endpoints the feed resolves from the synced cache
      RouteSpec route = table.view().routes().get(RouteKey.of(ns, "k8s", "web.r0.p0"));
      assertThat(route.backends())
          .singleElement()
          .satisfies(
              b ->
                  assertThat(b.ref())
                      .isEqualTo(
                          new BackendRef.ServicePort(
                              "web", 80, null, UpstreamProtocol.HTTP1, null)));
      assertThat(endpoints(table, index, ns, "web.r0.p0"))
          .containsExactly("192.0.2.1:8080", "192.0.2.2:8080");

      new DiscoveryV1Api(admin).deleteNamespacedEndpointSlice(first, ns).execute();
      slice(admin, ns, "web", "192.0.2.2");
      await("endpoint removed")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(endpoints(table, index, ns, "web.r0.p0"))
                      .containsExactly("192.0.2.2:8080"));
      // an endpoint change changes no route, and (design step 6) re-translates nothing
      assertThat(table.view().routes().get(RouteKey.of(ns, "k8s", "web.r0.p0"))).isEqualTo(route);
      assertThat(watcher.sliceRebuilds()).isZero();

      new NetworkingV1Api(admin).deleteNamespacedIngress("web", ns).execute();
      await("routes removed").atMost(WAIT).until(() -> table.view().routes().isEmpty());
    }
  }

  /**
   * Design step 6: slice events re-translate nothing unless they change the refused slice addresses
   * the last translation read; then one rebuild adds the {@code UpstreamRefused} warning, and one
   * more drops it when the address goes.
   */
  @Test
  void slice_events_rebuild_only_when_they_change_a_refused_address(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("watch-refused");
    String cls = ingressClass(admin, "refused");
    service(admin, ns, "web");
    String first = slice(admin, ns, "web", "192.0.2.1");
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingress(ns, "web", cls, "a.example.test", null))
        .execute();

    InMemoryRouteTable table = new InMemoryRouteTable();
    EndpointIndex index = new EndpointIndex();
    AtomicReference<Translation> last = new AtomicReference<>();
    try (IngressWatcher watcher =
            watcher(
                admin,
                ns,
                cls,
                table,
                // the API server refuses loopback slice addresses: the operator denies this range
                IngressTranslator.upstreamPolicy(List.of("198.51.100.0/24"), false),
                List.of((t, s) -> last.set(t)));
        KubernetesEndpointFeed feed = feed(watcher, index, UnaryOperator.identity())) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      feed.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(endpoints(table, index, ns, "web.r0.p0")).containsExactly("192.0.2.1:8080");
      // the informers may still deliver the initial list's events after the sync, and they
      // rebuild once more: start counting once that settled
      long[] seen = {-1};
      await("no rebuild for 500 ms after the start")
          .during(Duration.ofMillis(500))
          .atMost(WAIT)
          .until(
              () -> {
                long now = watcher.rebuilds();
                boolean same = now == seen[0];
                seen[0] = now;
                return same;
              });
      long rebuilds = seen[0];
      long events = watcher.sliceEvents();

      // three slice events that refuse nothing: the feed follows them, the watcher rebuilds nothing
      String second = slice(admin, ns, "web", "192.0.2.2");
      new DiscoveryV1Api(admin).deleteNamespacedEndpointSlice(first, ns).execute();
      String third = slice(admin, ns, "web", "192.0.2.3");
      await("endpoints followed")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(endpoints(table, index, ns, "web.r0.p0"))
                      .containsExactly("192.0.2.2:8080", "192.0.2.3:8080"));
      await("the watcher checked the three slice events")
          .atMost(WAIT)
          .until(() -> watcher.sliceEvents() >= events + 3);
      assertThat(watcher.sliceRebuilds()).isZero();
      // a rebuild asked by an event would follow within the 50 ms hold-off
      await("no rebuild")
          .during(Duration.ofMillis(500))
          .atMost(WAIT)
          .until(() -> watcher.rebuilds() == rebuilds);
      assertThat(refusedWarnings(last.get())).isEmpty();

      // a slice with a refused address: one rebuild, and the warning on the Ingress
      String refused = slice(admin, ns, "web", "192.0.2.4", "198.51.100.5");
      await("warned")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(refusedWarnings(last.get()))
                      .singleElement()
                      .satisfies(
                          p -> assertThat(p.message()).contains("address \"198.51.100.5\"")));
      assertThat(watcher.sliceRebuilds()).isOne();

      new DiscoveryV1Api(admin).deleteNamespacedEndpointSlice(refused, ns).execute();
      await("warning gone")
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(refusedWarnings(last.get())).isEmpty());
      assertThat(watcher.sliceRebuilds()).isEqualTo(2);
      assertThat(List.of(second, third)).doesNotContainNull();
    }
  }

  private static List<IngressProblem> refusedWarnings(Translation t) {
    return t.problems().stream().filter(p -> p.reason().equals("UpstreamRefused")).toList();
  }

  /**
   * The per-node endpoint feed over the watcher's own informers: a key is resolved from the synced
   * cache, then follows slice and Service changes, with no table write.
   */
  @Test
  void the_endpoint_feed_follows_slices_from_the_watchers_caches(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("watch-feed");
    String cls = ingressClass(admin, "feed");
    service(admin, ns, "web");
    String first = slice(admin, ns, "web", "192.0.2.1", "192.0.2.2");

    InMemoryRouteTable table = new InMemoryRouteTable();
    EndpointIndex index = new EndpointIndex();
    try (IngressWatcher watcher = watcher(admin, ns, cls, table);
        KubernetesEndpointFeed feed =
            new KubernetesEndpointFeed(
                index,
                IngressTranslator.serviceEndpoints(
                    IngressTranslator.upstreamPolicy(List.of(), false)),
                UnaryOperator.identity(),
                watcher.endpointSource(),
                s -> {})) {
      watcher.feedEndpoints(feed);
      feed.start();
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      feed.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      int byNumber = index.retain(new EndpointsKey.Service(ns, "web", 80, null));
      int byName = index.retain(new EndpointsKey.Service(ns, "web", 0, "http"));
      assertThat(hostPorts(index.get(byNumber)))
          .containsExactly("192.0.2.1:8080", "192.0.2.2:8080");
      assertThat(index.get(byName))
          .extracting(EndpointSet::endpoints)
          .isEqualTo(index.get(byNumber).endpoints());

      new DiscoveryV1Api(admin).deleteNamespacedEndpointSlice(first, ns).execute();
      slice(admin, ns, "web", "192.0.2.3");
      await("slice change reached the index")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(hostPorts(index.get(byNumber))).containsExactly("192.0.2.3:8080");
                assertThat(hostPorts(index.get(byName))).containsExactly("192.0.2.3:8080");
              });

      new CoreV1Api(admin).deleteNamespacedService("web", ns).execute();
      await("service delete reached the index")
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(index.get(byNumber).endpoints()).isEmpty());
      assertThat(table.view().routes()).isEmpty(); // no Ingress, and the feed writes no table
    }
  }

  private static List<String> hostPorts(EndpointSet set) {
    return set.endpoints().stream().map(e -> e.host() + ":" + e.port()).toList();
  }

  @Test
  void tls_secrets_become_certificates_and_endpoints_pass_through_the_mapper(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("watch-tls");
    String cls = ingressClass(admin, "tls");
    service(admin, ns, "web");
    slice(admin, ns, "web", "192.0.2.7");
    TestCertificates.Pair pair = TestCertificates.selfSigned(List.of("a.example.test"));
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name("a-tls"))
                .type("kubernetes.io/tls")
                .data(
                    Map.of(
                        "tls.crt", pair.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        "tls.key", pair.keyPem().getBytes(StandardCharsets.US_ASCII))))
        .execute();
    new NetworkingV1Api(admin)
        .createNamespacedIngress(ns, ingress(ns, "web", cls, "a.example.test", "a-tls"))
        .execute();

    InMemoryRouteTable table = new InMemoryRouteTable();
    IngressWatcherOptions options =
        IngressWatcherOptions.DEFAULTS
            .withNamespaces(List.of(ns))
            .withEndpointMapper(e -> Endpoint.of("127.0.0.1", 40000 + e.port()));
    options =
        new IngressWatcherOptions(
            options.namespaces(),
            "",
            cls,
            options.holdOff(),
            options.maxDelay(),
            options.endpointMapper());
    EndpointIndex index = new EndpointIndex();
    try (IngressWatcher watcher =
            new IngressWatcher(
                admin,
                options,
                Clock.systemUTC(),
                () -> table.view().hostClaims(),
                List.of(new TableSink(table)));
        KubernetesEndpointFeed feed = feed(watcher, index, options.endpointMapper())) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      feed.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(table.view().certificates()).containsKey(CertificateKey.of(ns, "k8s.a-tls"));
      RouteSpec route = table.view().routes().get(RouteKey.of(ns, "k8s", "web.r0.p0"));
      assertThat(route.tls().certificateName()).isEqualTo("k8s.a-tls");
      assertThat(endpoints(table, index, ns, "web.r0.p0")).containsExactly("127.0.0.1:48080");

      new CoreV1Api(admin).deleteNamespacedSecret("a-tls", ns).execute();
      await("certificate removed").atMost(WAIT).until(() -> table.view().certificates().isEmpty());
    }
  }

  @Test
  void fails_naming_the_missing_permission(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("watch-rbac");
    new CoreV1Api(admin)
        .createNamespacedServiceAccount(
            ns, new V1ServiceAccount().metadata(new V1ObjectMeta().name("gatehouse")))
        .execute();
    // everything but secrets (and configmaps)
    String role = "watch-rbac-" + CLASSES.incrementAndGet();
    new RbacAuthorizationV1Api(admin)
        .createClusterRole(
            new V1ClusterRole()
                .metadata(new V1ObjectMeta().name(role))
                .rules(
                    List.of(
                        new V1PolicyRule()
                            .apiGroups(List.of("networking.k8s.io"))
                            .resources(List.of("ingresses", "ingressclasses"))
                            .verbs(List.of("get", "list", "watch")),
                        new V1PolicyRule()
                            .apiGroups(List.of(""))
                            .resources(List.of("services"))
                            .verbs(List.of("get", "list", "watch")),
                        new V1PolicyRule()
                            .apiGroups(List.of("discovery.k8s.io"))
                            .resources(List.of("endpointslices"))
                            .verbs(List.of("get", "list", "watch")))))
        .execute();
    new RbacAuthorizationV1Api(admin)
        .createClusterRoleBinding(
            new V1ClusterRoleBinding()
                .metadata(new V1ObjectMeta().name(role))
                .roleRef(
                    new V1RoleRef()
                        .apiGroup("rbac.authorization.k8s.io")
                        .kind("ClusterRole")
                        .name(role))
                .subjects(
                    List.of(
                        new RbacV1Subject()
                            .kind("ServiceAccount")
                            .name("gatehouse")
                            .namespace(ns))))
        .execute();
    ApiClient sa = server.serviceAccountClient(ns, "gatehouse");
    // RBAC reaches the authorizer through its informer: wait until the granted part is allowed
    await("rbac active")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> new NetworkingV1Api(sa).listIngressForAllNamespaces().execute() != null);

    InMemoryRouteTable table = new InMemoryRouteTable();
    try (IngressWatcher watcher = watcher(sa, "", "", table)) {
      assertThatThrownBy(() -> watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("missing permission")
          // secrets and configmaps are both refused: the first list to fail is reported
          .hasMessageMatching("(?s).*cannot list resource \"(secrets|configmaps)\".*");
      assertThat(table.view().routes()).isEmpty();
    }
  }

  private static IngressWatcher watcher(
      ApiClient client, String ns, String cls, InMemoryRouteTable table) {
    return watcher(
        client, ns, cls, table, IngressTranslator.upstreamPolicy(List.of(), false), List.of());
  }

  /**
   * A watcher under {@code upstreams} writing {@code table}, then handing each translation to
   * {@code more}.
   */
  private static IngressWatcher watcher(
      ApiClient client,
      String ns,
      String cls,
      InMemoryRouteTable table,
      EndpointPolicy upstreams,
      List<TranslationSink> more) {
    List<TranslationSink> sinks = new ArrayList<>(List.of(new TableSink(table)));
    sinks.addAll(more);
    IngressWatcherOptions o = IngressWatcherOptions.DEFAULTS;
    o =
        new IngressWatcherOptions(
            ns.isEmpty() ? List.of() : List.of(ns),
            "",
            cls,
            o.holdOff(),
            o.maxDelay(),
            o.endpointMapper(),
            upstreams);
    return new IngressWatcher(client, o, Clock.systemUTC(), () -> table.view().hostClaims(), sinks);
  }

  /** A started endpoint feed over {@code watcher}'s caches, as every node runs one. */
  private static KubernetesEndpointFeed feed(
      IngressWatcher watcher, EndpointIndex index, UnaryOperator<Endpoint> mapper) {
    KubernetesEndpointFeed feed =
        new KubernetesEndpointFeed(
            index,
            IngressTranslator.serviceEndpoints(IngressTranslator.upstreamPolicy(List.of(), false)),
            mapper,
            watcher.endpointSource(),
            s -> {});
    watcher.feedEndpoints(feed);
    return feed.start();
  }

  /**
   * The endpoints a node serves for the table route {@code name}: its Service port's set in {@code
   * index}, retained as the compiler would (so the feed resolves and then follows it).
   */
  static List<String> endpoints(
      InMemoryRouteTable table, EndpointIndex index, String ns, String name) {
    RouteSpec r = table.view().routes().get(RouteKey.of(ns, "k8s", name));
    if (r == null) {
      return List.of();
    }
    BackendRef.ServicePort p = (BackendRef.ServicePort) r.backends().get(0).ref();
    int slot = index.retain(new EndpointsKey.Service(ns, p.service(), p.port(), p.portName()));
    return index.get(slot).endpoints().stream().map(Endpoint::authority).toList();
  }

  /** A cluster-scoped IngressClass of our controller, unique per test. */
  public static String ingressClass(ApiClient admin, String prefix) throws Exception {
    String name =
        "gh-" + prefix + "-" + CLASSES.incrementAndGet() + "-" + System.nanoTime() % 100000;
    new NetworkingV1Api(admin)
        .createIngressClass(
            new V1IngressClass()
                .metadata(new V1ObjectMeta().name(name))
                .spec(new V1IngressClassSpec().controller("gatehouse.io/ingress-controller")))
        .execute();
    return name;
  }

  static void service(ApiClient admin, String ns, String name) throws Exception {
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name(name))
                .spec(
                    new V1ServiceSpec().ports(List.of(new V1ServicePort().name("http").port(80)))))
        .execute();
  }

  private static final AtomicInteger SLICES = new AtomicInteger();

  static String slice(ApiClient admin, String ns, String service, String... addresses)
      throws Exception {
    String name = service + "-" + SLICES.incrementAndGet();
    new DiscoveryV1Api(admin)
        .createNamespacedEndpointSlice(
            ns,
            new V1EndpointSlice()
                .metadata(
                    new V1ObjectMeta()
                        .name(name)
                        .labels(Map.of("kubernetes.io/service-name", service)))
                .addressType("IPv4")
                .ports(
                    List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
                .endpoints(
                    java.util.Arrays.stream(addresses)
                        .map(
                            a ->
                                new V1Endpoint()
                                    .addresses(List.of(a))
                                    .conditions(new V1EndpointConditions().ready(true)))
                        .toList()))
        .execute();
    return name;
  }

  public static V1Ingress ingress(
      String ns, String name, String cls, String host, String tlsSecret) {
    return ingressTo(ns, name, cls, host, "web", tlsSecret);
  }

  /** One rule: {@code host}, prefix {@code /}, to port 80 of {@code service}; TLS when named. */
  public static V1Ingress ingressTo(
      String ns, String name, String cls, String host, String service, String tlsSecret) {
    V1IngressSpec spec =
        new V1IngressSpec()
            .ingressClassName(cls)
            .rules(
                List.of(
                    new V1IngressRule()
                        .host(host)
                        .http(
                            new V1HTTPIngressRuleValue()
                                .paths(
                                    List.of(
                                        new V1HTTPIngressPath()
                                            .path("/")
                                            .pathType("Prefix")
                                            .backend(
                                                new V1IngressBackend()
                                                    .service(
                                                        new V1IngressServiceBackend()
                                                            .name(service)
                                                            .port(
                                                                new V1ServiceBackendPort()
                                                                    .number(80)))))))));
    if (tlsSecret != null) {
      spec.tls(List.of(new V1IngressTLS().hosts(List.of(host)).secretName(tlsSecret)));
    }
    return new V1Ingress().metadata(new V1ObjectMeta().name(name).namespace(ns)).spec(spec);
  }
}
