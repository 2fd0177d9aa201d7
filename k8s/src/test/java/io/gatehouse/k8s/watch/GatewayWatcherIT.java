package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayCondition;
import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewaySettings;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.GatewayTranslation;
import io.gatehouse.k8s.translate.gateway.ListedGatewayState;
import io.gatehouse.k8s.translate.gateway.ObjectRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.Address;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ClassStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.GatewayStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ListenerStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ParentRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.PolicyStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteGroupKind;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteParentStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteStatus;
import io.gatehouse.k8s.translate.gateway.Translations;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.k8s.watch.testing.GatewayCrds;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.testing.MutableClock;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The Gateway API half of the watcher against a real API server with the upstream v1.7.0 CRDs:
 * informers follow create/update/delete as plain maps, and {@link GatewayStatusWriter} writes the
 * spec's status shapes (hand-made statuses, independent of the translator).
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayWatcherIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String OURS = GatewaySettings.CONTROLLER;
  private static final String THEIRS = "example.com/other-controller";
  private static final AtomicInteger NAMES = new AtomicInteger();

  @BeforeAll
  static void crds(ApiServerHarness server) {
    GatewayCrds.installStandard(server, Duration.ofSeconds(90));
  }

  @Test
  void informers_follow_create_update_and_delete_as_plain_maps(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-informers");
    String cls = gatewayClass(admin, "informers");
    Captured captured = new Captured();
    try (IngressWatcher watcher = watcher(admin, ns, GatewayApiOptions.Mode.AUTO, captured)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(watcher.gatewayKinds()).contains(GatewayKind.values());

      create(admin, GatewayKind.HTTP_ROUTE, ns, httpRoute("web", "gw", "a.example.test"));
      await("route seen")
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(object(captured, GatewayKind.HTTP_ROUTE, "web")).isNotNull());
      Map<String, Object> route = object(captured, GatewayKind.HTTP_ROUTE, "web");
      // JSON integers arrive as Long, objects as maps, arrays as lists
      Map<String, Object> spec = GatewayStatusWriter.map(route.get("spec"));
      assertThat(GatewayStatusWriter.list(spec.get("hostnames"))).containsExactly("a.example.test");
      assertThat(GatewayStatusWriter.map(GatewayStatusWriter.list(spec.get("parentRefs")).get(0)))
          .containsEntry("name", "gw")
          .containsEntry("port", 80L);
      assertThat(GatewayStatusWriter.map(route.get("metadata"))).containsEntry("generation", 1L);
      assertThat(captured.last.objects(GatewayKind.GATEWAY_CLASS))
          .anySatisfy(
              c ->
                  assertThat(GatewayStatusWriter.map(c.get("metadata")))
                      .containsEntry("name", cls));
      assertThat(captured.last.namespace(ns)).isPresent();

      patch(
          admin,
          GatewayKind.HTTP_ROUTE,
          ns,
          "web",
          "[{\"op\":\"replace\",\"path\":\"/spec/hostnames\",\"value\":[\"b.example.test\"]}]");
      await("update seen")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          GatewayStatusWriter.list(
                              GatewayStatusWriter.map(
                                      object(captured, GatewayKind.HTTP_ROUTE, "web").get("spec"))
                                  .get("hostnames")))
                      .containsExactly("b.example.test"));

      api(admin, GatewayKind.HTTP_ROUTE).delete(ns, "web");
      await("delete seen")
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(object(captured, GatewayKind.HTTP_ROUTE, "web")).isNull());
    }
  }

  @Test
  void status_is_written_in_the_spec_shapes_keeping_other_controllers_parents(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-status");
    String cls = gatewayClass(admin, "status");
    create(admin, GatewayKind.GATEWAY, ns, gateway("gw", cls));
    create(admin, GatewayKind.HTTP_ROUTE, ns, httpRoute("web", "gw", "a.example.test"));
    // another controller's entry, there first
    patch(admin, GatewayKind.HTTP_ROUTE, ns, "web", theirs("parents", "parentRef"));

    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    GatewayStatusWriter writer = new GatewayStatusWriter(admin, () -> true, OURS, clock);
    GatewayTranslation first = statuses(ns, cls, "Accepted for now");
    writer.publish(translations(first), cluster(), state(admin, ns));

    Map<String, Object> classStatus = status(admin, GatewayKind.GATEWAY_CLASS, "", cls);
    assertThat(classStatus.get("conditions"))
        .isEqualTo(
            List.of(condition("Accepted", "True", "Accepted", "ours", 1, "2026-12-06T10:00:00Z")));
    Map<String, Object> gwStatus = status(admin, GatewayKind.GATEWAY, ns, "gw");
    assertThat(gwStatus.get("addresses"))
        .isEqualTo(List.of(Map.of("type", "IPAddress", "value", "192.0.2.10")));
    assertThat(gwStatus.get("conditions"))
        .isEqualTo(
            List.of(
                condition("Accepted", "True", "Accepted", "ok", 1, "2026-12-06T10:00:00Z"),
                condition("Programmed", "True", "Programmed", "ok", 1, "2026-12-06T10:00:00Z")));
    assertThat(gwStatus.get("listeners"))
        .isEqualTo(
            List.of(
                Map.of(
                    "name",
                    "http",
                    "supportedKinds",
                    List.of(Map.of("group", GatewayKind.GROUP, "kind", "HTTPRoute")),
                    "attachedRoutes",
                    1L,
                    "conditions",
                    List.of(
                        condition(
                            "Accepted", "True", "Accepted", "ok", 1, "2026-12-06T10:00:00Z")))));
    List<Object> parents =
        GatewayStatusWriter.list(status(admin, GatewayKind.HTTP_ROUTE, ns, "web").get("parents"));
    assertThat(parents).hasSize(2);
    assertTheirsUnchanged(parents.get(0));
    assertThat(parents.get(1))
        .isEqualTo(
            Map.of(
                "parentRef",
                Map.of(
                    "group", GatewayKind.GROUP,
                    "kind", "Gateway",
                    "name", "gw",
                    "sectionName", "http",
                    "port", 80L),
                "controllerName",
                OURS,
                "conditions",
                List.of(
                    condition(
                        "Accepted",
                        "True",
                        "Accepted",
                        "Accepted for now",
                        1,
                        "2026-12-06T10:00:00Z"),
                    condition(
                        "ResolvedRefs", "True", "ResolvedRefs", "ok", 1, "2026-12-06T10:00:00Z"))));
    long written = writer.writes();
    assertThat(written).isEqualTo(3);

    // an hour later, the same statuses: nothing is written, every time kept
    clock.set(Instant.parse("2026-12-06T11:00:00Z"));
    writer.publish(translations(first), cluster(), state(admin, ns));
    assertThat(writer.writes()).isEqualTo(written);

    // one route condition's message changes: it is written, and keeps its time, as its status
    // did not change (meta.SetStatusCondition)
    writer.publish(
        translations(statuses(ns, cls, "Accepted at last")), cluster(), state(admin, ns));
    assertThat(writer.writes()).isEqualTo(written + 1);
    parents =
        GatewayStatusWriter.list(status(admin, GatewayKind.HTTP_ROUTE, ns, "web").get("parents"));
    assertThat(GatewayStatusWriter.map(parents.get(0))).containsEntry("controllerName", THEIRS);
    assertThat(GatewayStatusWriter.map(parents.get(1)).get("conditions"))
        .isEqualTo(
            List.of(
                condition(
                    "Accepted", "True", "Accepted", "Accepted at last", 1, "2026-12-06T10:00:00Z"),
                condition(
                    "ResolvedRefs", "True", "ResolvedRefs", "ok", 1, "2026-12-06T10:00:00Z")));

    // a non-leader writes nothing, even what differs
    GatewayStatusWriter follower = new GatewayStatusWriter(admin, () -> false, OURS, clock);
    assertThat(follower.wanted()).isFalse();
    follower.publish(translations(GatewayTranslation.EMPTY), cluster(), state(admin, ns));
    assertThat(follower.writes()).isZero();
    assertThat(
            GatewayStatusWriter.list(
                status(admin, GatewayKind.HTTP_ROUTE, ns, "web").get("parents")))
        .hasSize(2);

    // no status of ours for the route any more: our entry goes, theirs stays
    writer.publish(translations(GatewayTranslation.EMPTY), cluster(), state(admin, ns));
    parents =
        GatewayStatusWriter.list(status(admin, GatewayKind.HTTP_ROUTE, ns, "web").get("parents"));
    assertThat(parents)
        .singleElement()
        .satisfies(
            p -> assertThat(GatewayStatusWriter.map(p)).containsEntry("controllerName", THEIRS));
  }

  @Test
  void a_policy_gets_its_ancestors_beside_other_controllers_and_loses_ours_when_unused(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("btls-status");
    create(
        admin,
        GatewayKind.BACKEND_TLS_POLICY,
        ns,
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"BackendTLSPolicy\","
            + "\"metadata\":{\"name\":\"p\"},\"spec\":{\"targetRefs\":[{\"group\":\"\","
            + "\"kind\":\"Service\",\"name\":\"secure\"}],\"validation\":{"
            + "\"wellKnownCACertificates\":\"System\",\"hostname\":\"secure.example.com\"}}}");
    patch(admin, GatewayKind.BACKEND_TLS_POLICY, ns, "p", theirs("ancestors", "ancestorRef"));
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    GatewayStatusWriter writer = new GatewayStatusWriter(admin, () -> true, OURS, clock);
    ObjectRef ref = new ObjectRef(GatewayKind.BACKEND_TLS_POLICY, ns, "p");
    GatewayTranslation ours =
        new GatewayTranslation(
            List.of(),
            List.of(),
            List.of(
                new PolicyStatus(
                    ref,
                    List.of(
                        new RouteParentStatus(
                            new ParentRef(GatewayKind.GROUP, "Gateway", ns, "gw", null, null),
                            List.of(
                                GatewayCondition.yes("Accepted", "Accepted", "accepted", 1),
                                GatewayCondition.no(
                                    "ResolvedRefs", "InvalidKind", "not a ConfigMap", 1)))))),
            Map.of(),
            Map.of());
    writer.publish(translations(ours), cluster(), state(admin, ns));

    List<Object> ancestors =
        GatewayStatusWriter.list(
            status(admin, GatewayKind.BACKEND_TLS_POLICY, ns, "p").get("ancestors"));
    assertThat(ancestors).hasSize(2);
    assertTheirsUnchanged(ancestors.get(0));
    assertThat(ancestors.get(1))
        .isEqualTo(
            Map.of(
                "ancestorRef",
                Map.of(
                    "group", GatewayKind.GROUP, "kind", "Gateway", "namespace", ns, "name", "gw"),
                "controllerName",
                OURS,
                "conditions",
                List.of(
                    condition(
                        "Accepted", "True", "Accepted", "accepted", 1, "2026-12-06T10:00:00Z"),
                    condition(
                        "ResolvedRefs",
                        "False",
                        "InvalidKind",
                        "not a ConfigMap",
                        1,
                        "2026-12-06T10:00:00Z"))));
    long written = writer.writes();
    writer.publish(translations(ours), cluster(), state(admin, ns));
    assertThat(writer.writes()).as("the same status again: nothing written").isEqualTo(written);

    // no route of ours uses it any more: our entry goes, theirs stays
    writer.publish(translations(GatewayTranslation.EMPTY), cluster(), state(admin, ns));
    assertThat(
            GatewayStatusWriter.list(
                status(admin, GatewayKind.BACKEND_TLS_POLICY, ns, "p").get("ancestors")))
        .singleElement()
        .satisfies(
            a -> assertThat(GatewayStatusWriter.map(a)).containsEntry("controllerName", THEIRS));
  }

  @Test
  void a_write_over_a_newer_object_is_refused_not_merged(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-conflict");
    String cls = gatewayClass(admin, "conflict");
    create(admin, GatewayKind.GATEWAY, ns, gateway("gw", cls));
    create(admin, GatewayKind.HTTP_ROUTE, ns, httpRoute("web", "gw", "a.example.test"));
    GatewayState stale = state(admin, ns);
    // another controller writes its entry after our cache was read
    patch(admin, GatewayKind.HTTP_ROUTE, ns, "web", theirs("parents", "parentRef"));
    GatewayStatusWriter writer =
        new GatewayStatusWriter(admin, () -> true, OURS, Clock.systemUTC());
    writer.publish(translations(statuses(ns, cls, "x")), cluster(), stale);
    // the route write failed on its resourceVersion: their entry is intact; the next rebuild
    // (from the update event) writes ours from the newer object
    assertThat(
            GatewayStatusWriter.list(
                status(admin, GatewayKind.HTTP_ROUTE, ns, "web").get("parents")))
        .singleElement()
        .satisfies(
            p -> assertThat(GatewayStatusWriter.map(p)).containsEntry("controllerName", THEIRS));
    writer.publish(translations(statuses(ns, cls, "x")), cluster(), state(admin, ns));
    assertThat(
            GatewayStatusWriter.list(
                status(admin, GatewayKind.HTTP_ROUTE, ns, "web").get("parents")))
        .hasSize(2);
  }

  @Test
  void required_mode_watches_when_the_crds_are_installed_and_a_follower_writes_nothing(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-leader");
    String cls = gatewayClass(admin, "leader");
    create(admin, GatewayKind.GATEWAY, ns, gateway("gw", cls));
    GatewayStatusWriter follower =
        new GatewayStatusWriter(admin, () -> false, OURS, Clock.systemUTC());
    Captured captured = new Captured();
    try (IngressWatcher watcher =
        watcher(admin, ns, GatewayApiOptions.Mode.REQUIRED, follower, captured)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await("gateway seen")
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(object(captured, GatewayKind.GATEWAY, "gw")).isNotNull());
      assertThat(follower.writes()).isZero();
    }
  }

  @Test
  void the_manifests_service_account_watches_every_kind_and_writes_status(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    try {
      new CoreV1Api(admin)
          .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("gatehouse")))
          .execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    for (String file : List.of("01-serviceaccount.yaml", "02-rbac.yaml")) {
      ApiServerHarness.CommandResult r =
          server.kubectl(WAIT, "apply", "-f", Path.of("deploy").resolve(file).toString());
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
    ApiClient sa = server.serviceAccountClient("gatehouse", "gatehouse");
    await("rbac active")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> api(sa, GatewayKind.HTTP_ROUTE).list().isSuccess());
    String ns = server.createNamespace("gw-rbac");
    String cls = gatewayClass(admin, "rbac");
    create(admin, GatewayKind.GATEWAY, ns, gateway("gw", cls));
    create(admin, GatewayKind.HTTP_ROUTE, ns, httpRoute("web", "gw", "a.example.test"));
    Captured captured = new Captured();
    try (IngressWatcher watcher = watcher(sa, "", GatewayApiOptions.Mode.AUTO, captured)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(watcher.gatewayKinds()).containsExactlyInAnyOrder(GatewayKind.values());
      assertThat(watcher.errors()).isEmpty();
    }
    GatewayStatusWriter writer = new GatewayStatusWriter(sa, () -> true, OURS, Clock.systemUTC());
    writer.publish(translations(statuses(ns, cls, "ok")), cluster(), state(admin, ns));
    assertThat(writer.writes()).isEqualTo(3);
    assertThat(
            GatewayStatusWriter.list(
                status(admin, GatewayKind.HTTP_ROUTE, ns, "web").get("parents")))
        .singleElement()
        .satisfies(
            p -> assertThat(GatewayStatusWriter.map(p)).containsEntry("controllerName", OURS));
  }

  @Test
  void auto_without_the_gateway_rules_serves_ingresses_and_names_what_is_missing(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-norbac");
    new CoreV1Api(admin)
        .createNamespacedServiceAccount(
            ns, new V1ServiceAccount().metadata(new V1ObjectMeta().name("old")))
        .execute();
    // what a release before Gateway API support needed: no Gateway API or Namespace rule
    String role = "gh-old-" + NAMES.incrementAndGet();
    RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(admin);
    rbac.createClusterRole(
            new V1ClusterRole()
                .metadata(new V1ObjectMeta().name(role))
                .rules(
                    List.of(
                        new V1PolicyRule()
                            .apiGroups(List.of("networking.k8s.io"))
                            .resources(List.of("ingressclasses", "ingresses"))
                            .verbs(List.of("get", "list", "watch")),
                        new V1PolicyRule()
                            .apiGroups(List.of(""))
                            .resources(List.of("services", "secrets", "configmaps"))
                            .verbs(List.of("get", "list", "watch")),
                        new V1PolicyRule()
                            .apiGroups(List.of("discovery.k8s.io"))
                            .resources(List.of("endpointslices"))
                            .verbs(List.of("get", "list", "watch")))))
        .execute();
    rbac.createClusterRoleBinding(
            new V1ClusterRoleBinding()
                .metadata(new V1ObjectMeta().name(role))
                .roleRef(
                    new V1RoleRef()
                        .apiGroup("rbac.authorization.k8s.io")
                        .kind("ClusterRole")
                        .name(role))
                .subjects(
                    List.of(new RbacV1Subject().kind("ServiceAccount").name("old").namespace(ns))))
        .execute();
    ApiClient sa = server.serviceAccountClient(ns, "old");
    await("rbac active")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> new NetworkingV1Api(sa).listIngressForAllNamespaces().execute() != null);
    Captured captured = new Captured();
    try (IngressWatcher watcher = watcher(sa, "", GatewayApiOptions.Mode.AUTO, captured)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(watcher.gatewayKinds()).isEmpty();
      assertThat(watcher.errors()).isEmpty();
      assertThat(captured.publishes).isPositive();
    }
  }

  /** A control plane of its own, without the CRDs (the shared one has them). */
  @Test
  void without_the_crds_auto_serves_ingresses_only_and_true_refuses_to_start() throws Exception {
    try (ApiServerHarness bare = ApiServerHarness.start()) {
      ApiClient admin = bare.adminClient();
      String ns = bare.createNamespace("no-crds");
      Captured captured = new Captured();
      Logger log = (Logger) LoggerFactory.getLogger(GatewayInformers.class);
      ListAppender<ILoggingEvent> lines = new ListAppender<>();
      lines.start();
      log.addAppender(lines);
      Level level = log.getLevel();
      log.setLevel(Level.INFO);
      try (IngressWatcher watcher = watcher(admin, ns, GatewayApiOptions.Mode.AUTO, captured)) {
        watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(watcher.gatewayKinds()).isEmpty();
        assertThat(watcher.errors()).isEmpty();
        assertThat(captured.publishes).isPositive();
        assertThat(captured.last.installed(GatewayKind.GATEWAY)).isFalse();
        long before = watcher.rebuilds();
        watcher.poke();
        await("another rebuild").atMost(WAIT).until(() -> watcher.rebuilds() > before);
        // one line at start, none per rebuild
        assertThat(lines.list)
            .filteredOn(e -> e.getFormattedMessage().contains("Gateway API not served"))
            .singleElement()
            .satisfies(e -> assertThat(e.getFormattedMessage()).contains("standard-install.yaml"));
      } finally {
        log.detachAppender(lines);
        log.setLevel(level);
      }
      assertThatThrownBy(() -> watcher(admin, ns, GatewayApiOptions.Mode.REQUIRED, new Captured()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("kubernetes.gatewayApi is true")
          .hasMessageContaining("GatewayClass")
          .hasMessageContaining("standard-install.yaml");
      try (IngressWatcher off = watcher(admin, ns, GatewayApiOptions.Mode.OFF, new Captured())) {
        assertThat(off.gatewayKinds()).isEmpty();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static GatewayTranslation statuses(String ns, String cls, String routeMessage) {
    List<ObjectStatus> s =
        List.of(
            new ClassStatus(
                new ObjectRef(GatewayKind.GATEWAY_CLASS, "", cls),
                List.of(GatewayCondition.yes("Accepted", "Accepted", "ours", 1))),
            new GatewayStatus(
                new ObjectRef(GatewayKind.GATEWAY, ns, "gw"),
                List.of(new Address("IPAddress", "192.0.2.10")),
                List.of(
                    GatewayCondition.yes("Accepted", "Accepted", "ok", 1),
                    GatewayCondition.yes("Programmed", "Programmed", "ok", 1)),
                List.of(
                    new ListenerStatus(
                        "http",
                        List.of(new RouteGroupKind(GatewayKind.GROUP, "HTTPRoute")),
                        1,
                        List.of(GatewayCondition.yes("Accepted", "Accepted", "ok", 1))))),
            new RouteStatus(
                new ObjectRef(GatewayKind.HTTP_ROUTE, ns, "web"),
                List.of(
                    new RouteParentStatus(
                        new ParentRef(null, null, null, "gw", "http", 80),
                        List.of(
                            GatewayCondition.yes("Accepted", "Accepted", routeMessage, 1),
                            GatewayCondition.yes("ResolvedRefs", "ResolvedRefs", "ok", 1))))));
    return new GatewayTranslation(List.of(), List.of(), s, Map.of(), Map.of());
  }

  private static Translations translations(GatewayTranslation g) {
    return new Translations(Translation.EMPTY, g);
  }

  private static ListedClusterState cluster() {
    return new ListedClusterState(List.of(), List.of(), List.of(), List.of(), List.of());
  }

  /** A status patch with the other controller's one entry in {@code list}, named by {@code ref}. */
  private static String theirs(String list, String ref) {
    return "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\""
        + list
        + "\":[{\""
        + ref
        + "\":{\"name\":\"other-gw\"},\"controllerName\":\""
        + THEIRS
        + "\",\"conditions\":[{\"type\":\"Accepted\",\"status\":\"True\",\"reason\":"
        + "\"Accepted\",\"message\":\"theirs\",\"lastTransitionTime\":"
        + "\"2026-01-01T00:00:00Z\"}]}]}}]";
  }

  /** The other controller's entry as the test wrote it. */
  private static void assertTheirsUnchanged(Object entry) {
    assertThat(GatewayStatusWriter.map(entry))
        .containsEntry("controllerName", THEIRS)
        .containsEntry(
            "conditions",
            List.of(
                condition("Accepted", "True", "Accepted", "theirs", -1, "2026-01-01T00:00:00Z")));
  }

  private static Map<String, Object> condition(
      String type, String status, String reason, String message, long generation, String time) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("type", type);
    m.put("status", status);
    m.put("reason", reason);
    m.put("message", message);
    if (generation >= 0) {
      m.put("observedGeneration", generation);
    }
    m.put("lastTransitionTime", time);
    return m;
  }

  @Test
  void a_gateway_whose_certificate_secret_comes_later_is_programmed_when_it_comes(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-late-secret");
    String cls = gatewayClass(admin, "late");
    create(
        admin,
        GatewayKind.GATEWAY,
        ns,
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"Gateway\","
            + "\"metadata\":{\"name\":\"secure\"},\"spec\":{\"gatewayClassName\":\""
            + cls
            + "\",\"listeners\":[{\"name\":\"https\",\"protocol\":\"HTTPS\",\"port\":443,"
            + "\"tls\":{\"certificateRefs\":[{\"group\":\"\",\"kind\":\"Secret\","
            + "\"name\":\"late\"}]}}]}}");
    GatewayStatusWriter writer =
        new GatewayStatusWriter(admin, () -> true, OURS, Clock.systemUTC());
    try (IngressWatcher watcher =
        watcher(admin, ns, GatewayApiOptions.Mode.AUTO, () -> List.of("192.0.2.1"), writer)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await("not programmed without its Secret")
          .atMost(WAIT)
          .until(() -> condition(admin, ns, "secure", "Programmed").equals("False"));
      TestCertificates.Pair pair = TestCertificates.selfSigned(List.of("a.example.test"));
      new CoreV1Api(admin)
          .createNamespacedSecret(
              ns,
              new V1Secret()
                  .metadata(new V1ObjectMeta().name("late"))
                  .type("kubernetes.io/tls")
                  .data(
                      Map.of(
                          "tls.crt", pair.certificatePem().getBytes(StandardCharsets.US_ASCII),
                          "tls.key", pair.keyPem().getBytes(StandardCharsets.US_ASCII))))
          .execute();
      await("programmed once the Secret exists")
          .atMost(WAIT)
          .until(() -> condition(admin, ns, "secure", "Programmed").equals("True"));
    }
  }

  @Test
  void a_tlsroute_on_a_passthrough_listener_gets_the_spec_conditions_and_follows_its_backends(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-tlsroute");
    String cls = gatewayClass(admin, "tls");
    create(
        admin,
        GatewayKind.GATEWAY,
        ns,
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"Gateway\","
            + "\"metadata\":{\"name\":\"edge\"},\"spec\":{\"gatewayClassName\":\""
            + cls
            + "\",\"listeners\":[{\"name\":\"tls\",\"protocol\":\"TLS\",\"port\":443,"
            + "\"tls\":{\"mode\":\"Passthrough\"}},"
            + "{\"name\":\"tls-terminate\",\"protocol\":\"TLS\",\"port\":443,"
            + "\"hostname\":\"t.example.test\",\"tls\":{\"mode\":\"Terminate\","
            + "\"certificateRefs\":[{\"name\":\"t\"}]}}]}}");
    create(
        admin,
        GatewayKind.TLS_ROUTE,
        ns,
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"TLSRoute\","
            + "\"metadata\":{\"name\":\"db\"},\"spec\":{\"parentRefs\":[{\"name\":\"edge\","
            + "\"sectionName\":\"tls\"}],\"hostnames\":[\"db.example.test\"],"
            + "\"rules\":[{\"backendRefs\":[{\"name\":\"db\",\"port\":5432}]}]}}");
    GatewayStatusWriter writer =
        new GatewayStatusWriter(admin, () -> true, OURS, Clock.systemUTC());
    try (IngressWatcher watcher =
        watcher(admin, ns, GatewayApiOptions.Mode.AUTO, () -> List.of("192.0.2.1"), writer)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await("the TLSRoute is accepted, its Service not found yet")
          .atMost(WAIT)
          .until(
              () ->
                  routeCondition(admin, ns, "db", "Accepted").equals("True Accepted")
                      && routeCondition(admin, ns, "db", "ResolvedRefs")
                          .equals("False BackendNotFound"));
      Map<String, Object> tls = listener(admin, ns, "edge", "tls");
      assertThat(tls.get("supportedKinds"))
          .isEqualTo(List.of(Map.of("group", GatewayKind.GROUP, "kind", "TLSRoute")));
      assertThat(((Number) tls.get("attachedRoutes")).intValue()).isEqualTo(1);
      assertThat(conditions(tls)).contains("Accepted=True Accepted", "Programmed=True Programmed");
      assertThat(conditions(listener(admin, ns, "edge", "tls-terminate")))
          .contains("Accepted=False UnsupportedValue", "Programmed=False Invalid");
      new CoreV1Api(admin)
          .createNamespacedService(
              ns,
              new V1Service()
                  .metadata(new V1ObjectMeta().name("db"))
                  .spec(new V1ServiceSpec().ports(List.of(new V1ServicePort().port(5432)))))
          .execute();
      await("its backend resolves once the Service exists")
          .atMost(WAIT)
          .until(() -> routeCondition(admin, ns, "db", "ResolvedRefs").equals("True ResolvedRefs"));
    }
  }

  @Test
  void a_listener_set_joins_its_gateway_once_allowed_listeners_admits_it_and_routes_attach_to_it(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-listenerset");
    String cls = gatewayClass(admin, "ls");
    create(admin, GatewayKind.GATEWAY, ns, gateway("edge", cls));
    create(
        admin,
        GatewayKind.LISTENER_SET,
        ns,
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"ListenerSet\","
            + "\"metadata\":{\"name\":\"team\"},\"spec\":{\"parentRef\":{\"name\":\"edge\"},"
            + "\"listeners\":[{\"name\":\"extra\",\"protocol\":\"HTTP\",\"port\":80,"
            + "\"hostname\":\"team.example.test\"}]}}");
    create(
        admin,
        GatewayKind.HTTP_ROUTE,
        ns,
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"HTTPRoute\","
            + "\"metadata\":{\"name\":\"on-team\"},\"spec\":{\"parentRefs\":[{\"kind\":"
            + "\"ListenerSet\",\"group\":\"gateway.networking.k8s.io\",\"name\":\"team\"}],"
            + "\"rules\":[{\"backendRefs\":[{\"name\":\"web\",\"port\":80}]}]}}");
    GatewayStatusWriter writer =
        new GatewayStatusWriter(admin, () -> true, OURS, Clock.systemUTC());
    try (IngressWatcher watcher =
        watcher(admin, ns, GatewayApiOptions.Mode.AUTO, () -> List.of("192.0.2.1"), writer)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await("allowedListeners unset: the ListenerSet is not allowed, the route not accepted")
          .atMost(WAIT)
          .until(
              () ->
                  setConditions(admin, ns, "team")
                          .containsAll(
                              List.of("Accepted=False NotAllowed", "Programmed=False NotAllowed"))
                      && parentCondition(admin, ns, "on-team", "ListenerSet")
                          .equals("False NotAllowedByListeners"));
      assertThat(status(admin, GatewayKind.GATEWAY, ns, "edge"))
          .doesNotContainKey("attachedListenerSets");
      patch(
          admin,
          GatewayKind.GATEWAY,
          ns,
          "edge",
          "[{\"op\":\"add\",\"path\":\"/spec/allowedListeners\","
              + "\"value\":{\"namespaces\":{\"from\":\"Same\"}}}]");
      await("allowedListeners Same: attached, programmed, the route attached to its listener")
          .atMost(WAIT)
          .until(
              () ->
                  setConditions(admin, ns, "team")
                          .containsAll(
                              List.of("Accepted=True Accepted", "Programmed=True Programmed"))
                      && parentCondition(admin, ns, "on-team", "ListenerSet")
                          .equals("True Accepted"));
      Map<String, Object> gw = status(admin, GatewayKind.GATEWAY, ns, "edge");
      assertThat(((Number) gw.get("attachedListenerSets")).intValue()).isEqualTo(1);
      Map<String, Object> set = status(admin, GatewayKind.LISTENER_SET, ns, "team");
      assertThat(set).doesNotContainKey("addresses");
      Map<String, Object> extra =
          GatewayStatusWriter.map(GatewayStatusWriter.list(set.get("listeners")).get(0));
      assertThat(extra.get("name")).isEqualTo("extra");
      assertThat(((Number) extra.get("attachedRoutes")).intValue()).isEqualTo(1);
      assertThat(conditions(extra))
          .contains(
              "Accepted=True Accepted",
              "Programmed=True Programmed",
              "Conflicted=False NoConflicts");
      // the Gateway's own listener does not carry the ListenerSet's route
      assertThat(((Number) listener(admin, ns, "edge", "http").get("attachedRoutes")).intValue())
          .isZero();
    }
  }

  /** A ListenerSet's conditions as {@code Type=Status Reason}. */
  private static List<String> setConditions(ApiClient admin, String ns, String name) {
    return conditions(status(admin, GatewayKind.LISTENER_SET, ns, name));
  }

  /** Our parents entry of an HTTPRoute for a parentRef of {@code kind}: its Accepted condition. */
  private static String parentCondition(ApiClient admin, String ns, String route, String kind) {
    for (Object p :
        GatewayStatusWriter.list(status(admin, GatewayKind.HTTP_ROUTE, ns, route).get("parents"))) {
      Map<String, Object> parent = GatewayStatusWriter.map(p);
      if (OURS.equals(parent.get("controllerName"))
          && kind.equals(GatewayStatusWriter.map(parent.get("parentRef")).get("kind"))) {
        for (Object c : GatewayStatusWriter.list(parent.get("conditions"))) {
          Map<String, Object> m = GatewayStatusWriter.map(c);
          if ("Accepted".equals(m.get("type"))) {
            return m.get("status") + " " + m.get("reason");
          }
        }
      }
    }
    return "";
  }

  @Test
  void with_a_pool_each_gateway_gets_its_own_address_keeps_it_and_the_table_its_sockets(
      ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gw-pool");
    String cls = gatewayClass(admin, "pool");
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name("web"))
                .spec(new V1ServiceSpec().ports(List.of(new V1ServicePort().port(80)))))
        .execute();
    create(admin, GatewayKind.GATEWAY, ns, gateway("a", cls));
    InMemoryRouteTable table = new InMemoryRouteTable();
    GatewaySettings pooled =
        GatewaySettings.defaults(List.of())
            .withPool(List.of("127.0.1.0/30"), GatewaySettings.DEFAULT_PORTS);
    GatewayStatusWriter writer =
        new GatewayStatusWriter(admin, () -> true, OURS, Clock.systemUTC());
    try (IngressWatcher watcher = watcher(admin, ns, pooled, table, writer)) {
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await("the first Gateway gets the pool's first address")
          .atMost(WAIT)
          .until(() -> address(admin, ns, "a").equals("127.0.1.0"));
      create(
          admin,
          GatewayKind.GATEWAY,
          ns,
          "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"Gateway\","
              + "\"metadata\":{\"name\":\"b\"},\"spec\":{\"gatewayClassName\":\""
              + cls
              + "\",\"listeners\":[{\"name\":\"http\",\"protocol\":\"HTTP\",\"port\":80},"
              + "{\"name\":\"odd\",\"protocol\":\"HTTP\",\"port\":8081}]}}");
      create(
          admin,
          GatewayKind.HTTP_ROUTE,
          ns,
          "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"HTTPRoute\","
              + "\"metadata\":{\"name\":\"web\"},\"spec\":{\"parentRefs\":[{\"name\":\"a\"},"
              + "{\"name\":\"b\",\"sectionName\":\"http\"}],\"hostnames\":[\"a.example.test\"],"
              + "\"rules\":[{\"backendRefs\":[{\"name\":\"web\",\"port\":80}]}]}}");
      await("the second gets the next address, its odd port refused")
          .atMost(WAIT)
          .until(
              () ->
                  address(admin, ns, "b").equals("127.0.1.1")
                      && conditions(listener(admin, ns, "b", "odd"))
                          .contains("Accepted=False PortUnavailable"));
      assertThat(condition(admin, ns, "a", "Accepted")).isEqualTo("True");
      assertThat(condition(admin, ns, "a", "Programmed")).isEqualTo("True");
      assertThat(condition(admin, ns, "b", "Programmed")).isEqualTo("True");
      ListenerKey socketA = ListenerKey.of(ns, "k8s", "gateway/" + ns + "/a/80");
      ListenerKey socketB = ListenerKey.of(ns, "k8s", "gateway/" + ns + "/b/80");
      await("a socket per Gateway port, a route per socket")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(table.view().listeners())
                    .containsOnlyKeys(socketA, socketB)
                    .containsEntry(
                        socketA, new ListenerSpec(socketA, "127.0.1.0", 80, ListenerProtocol.HTTP))
                    .containsEntry(
                        socketB, new ListenerSpec(socketB, "127.0.1.1", 80, ListenerProtocol.HTTP));
                assertThat(table.view().routes().values())
                    .extracting(RouteSpec::listener)
                    .containsExactlyInAnyOrder(socketA, socketB);
              });

      // a deleted Gateway frees its address; the live one keeps its own, the next one takes it
      api(admin, GatewayKind.GATEWAY).delete(ns, "a");
      await("its socket and route are gone")
          .atMost(WAIT)
          .until(() -> !table.view().listeners().containsKey(socketA));
      create(admin, GatewayKind.GATEWAY, ns, gateway("c", cls));
      await("the new Gateway takes the freed address")
          .atMost(WAIT)
          .until(() -> address(admin, ns, "c").equals("127.0.1.0"));
      assertThat(address(admin, ns, "b")).isEqualTo("127.0.1.1");
    }
  }

  /** The Gateway's first {@code status.addresses} value, or "" while it has none. */
  private static String address(ApiClient admin, String ns, String name) {
    List<Object> addresses =
        GatewayStatusWriter.list(status(admin, GatewayKind.GATEWAY, ns, name).get("addresses"));
    return addresses.isEmpty()
        ? ""
        : String.valueOf(GatewayStatusWriter.map(addresses.get(0)).get("value"));
  }

  /** {@code "<status> <reason>"} of our parent entry's condition {@code type}, or "". */
  private static String routeCondition(ApiClient admin, String ns, String name, String type) {
    for (Object p :
        GatewayStatusWriter.list(status(admin, GatewayKind.TLS_ROUTE, ns, name).get("parents"))) {
      Map<String, Object> parent = GatewayStatusWriter.map(p);
      if (!OURS.equals(parent.get("controllerName"))) {
        continue;
      }
      for (Object c : GatewayStatusWriter.list(parent.get("conditions"))) {
        Map<String, Object> m = GatewayStatusWriter.map(c);
        if (type.equals(m.get("type"))) {
          return m.get("status") + " " + m.get("reason");
        }
      }
    }
    return "";
  }

  private static Map<String, Object> listener(
      ApiClient admin, String ns, String gateway, String name) {
    for (Object l :
        GatewayStatusWriter.list(
            status(admin, GatewayKind.GATEWAY, ns, gateway).get("listeners"))) {
      Map<String, Object> m = GatewayStatusWriter.map(l);
      if (name.equals(m.get("name"))) {
        return m;
      }
    }
    return Map.of();
  }

  /** A listener's conditions as {@code Type=Status Reason}. */
  private static List<String> conditions(Map<String, Object> listener) {
    List<String> out = new ArrayList<>();
    for (Object c : GatewayStatusWriter.list(listener.get("conditions"))) {
      Map<String, Object> m = GatewayStatusWriter.map(c);
      out.add(m.get("type") + "=" + m.get("status") + " " + m.get("reason"));
    }
    return out;
  }

  /** The status of the Gateway's condition {@code type}, or "" while it has none. */
  private static String condition(ApiClient admin, String ns, String name, String type) {
    for (Object c :
        GatewayStatusWriter.list(status(admin, GatewayKind.GATEWAY, ns, name).get("conditions"))) {
      Map<String, Object> m = GatewayStatusWriter.map(c);
      if (type.equals(m.get("type"))) {
        return String.valueOf(m.get("status"));
      }
    }
    return "";
  }

  static String gatewayClass(ApiClient admin, String prefix) throws Exception {
    String name = "gh-" + prefix + "-" + NAMES.incrementAndGet() + "-" + System.nanoTime() % 100000;
    create(
        admin,
        GatewayKind.GATEWAY_CLASS,
        "",
        "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"GatewayClass\","
            + "\"metadata\":{\"name\":\""
            + name
            + "\"},\"spec\":{\"controllerName\":\""
            + OURS
            + "\"}}");
    return name;
  }

  static String gateway(String name, String cls) {
    return "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"Gateway\","
        + "\"metadata\":{\"name\":\""
        + name
        + "\"},\"spec\":{\"gatewayClassName\":\""
        + cls
        + "\",\"listeners\":[{\"name\":\"http\",\"protocol\":\"HTTP\",\"port\":80}]}}";
  }

  static String httpRoute(String name, String gateway, String host) {
    return "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"HTTPRoute\","
        + "\"metadata\":{\"name\":\""
        + name
        + "\"},\"spec\":{\"parentRefs\":[{\"name\":\""
        + gateway
        + "\",\"sectionName\":\"http\",\"port\":80}],\"hostnames\":[\""
        + host
        + "\"],\"rules\":[{\"backendRefs\":[{\"name\":\"web\",\"port\":80}]}]}}";
  }

  static DynamicKubernetesApi api(ApiClient admin, GatewayKind kind) {
    return new DynamicKubernetesApi(kind.group(), kind.version(), kind.plural(), admin);
  }

  static void create(ApiClient admin, GatewayKind kind, String ns, String json) throws Exception {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    if (!ns.isEmpty()) {
      o.getAsJsonObject("metadata").addProperty("namespace", ns);
    }
    KubernetesApiResponse<DynamicKubernetesObject> r =
        api(admin, kind).create(new DynamicKubernetesObject(o));
    assertThat(r.isSuccess()).as("create %s: %s", kind, r.getStatus()).isTrue();
  }

  static void patch(ApiClient admin, GatewayKind kind, String ns, String name, String jsonPatch)
      throws Exception {
    CustomObjectsApi custom = new CustomObjectsApi(admin);
    boolean status = jsonPatch.contains("\"/status\"");
    PatchUtils.patch(
        Object.class,
        () ->
            status
                ? custom
                    .patchNamespacedCustomObjectStatus(
                        kind.group(),
                        kind.version(),
                        ns,
                        kind.plural(),
                        name,
                        new V1Patch(jsonPatch))
                    .buildCall(null)
                : custom
                    .patchNamespacedCustomObject(
                        kind.group(),
                        kind.version(),
                        ns,
                        kind.plural(),
                        name,
                        new V1Patch(jsonPatch))
                    .buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_PATCH,
        admin);
  }

  static Map<String, Object> status(ApiClient admin, GatewayKind kind, String ns, String name) {
    KubernetesApiResponse<DynamicKubernetesObject> r =
        ns.isEmpty() ? api(admin, kind).get(name) : api(admin, kind).get(ns, name);
    assertThat(r.isSuccess()).isTrue();
    return GatewayStatusWriter.map(PlainJson.object(r.getObject().getRaw()).get("status"));
  }

  /** What the informers would hand the sinks, listed directly. */
  static GatewayState state(ApiClient admin, String ns) {
    Map<GatewayKind, List<Map<String, Object>>> objects = new EnumMap<>(GatewayKind.class);
    for (GatewayKind k :
        List.of(
            GatewayKind.GATEWAY_CLASS,
            GatewayKind.GATEWAY,
            GatewayKind.HTTP_ROUTE,
            GatewayKind.BACKEND_TLS_POLICY)) {
      KubernetesApiResponse<io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject>
          r = k.namespaced() ? api(admin, k).list(ns) : api(admin, k).list();
      List<Map<String, Object>> out = new ArrayList<>();
      for (DynamicKubernetesObject o : r.getObject().getItems()) {
        out.add(PlainJson.object(o.getRaw()));
      }
      objects.put(k, out);
    }
    return new ListedGatewayState(objects, List.of());
  }

  private static @Nullable Map<String, Object> object(Captured c, GatewayKind kind, String name) {
    for (Map<String, Object> o : c.last.objects(kind)) {
      if (name.equals(GatewayStatusWriter.map(o.get("metadata")).get("name"))) {
        return o;
      }
    }
    return null;
  }

  private static IngressWatcher watcher(
      ApiClient client, String ns, GatewayApiOptions.Mode mode, TranslationSink... sinks) {
    return watcher(client, ns, mode, List::of, sinks);
  }

  /** As above, the Gateways' status addresses from {@code addresses}. */
  private static IngressWatcher watcher(
      ApiClient client,
      String ns,
      GatewayApiOptions.Mode mode,
      java.util.function.Supplier<List<String>> addresses,
      TranslationSink... sinks) {
    IngressWatcherOptions o =
        IngressWatcherOptions.DEFAULTS.withNamespaces(ns.isEmpty() ? List.of() : List.of(ns));
    List<TranslationSink> all = new ArrayList<>(List.of(new TableSink(new InMemoryRouteTable())));
    all.addAll(List.of(sinks));
    return new IngressWatcher(
        client,
        o,
        new GatewayApiOptions(mode, GatewaySettings.defaults(List.of()), addresses),
        Clock.systemUTC(),
        Map::of,
        all);
  }

  /** With {@code settings} (a pool, say), writing routes and sockets to {@code table}. */
  private static IngressWatcher watcher(
      ApiClient client,
      String ns,
      GatewaySettings settings,
      InMemoryRouteTable table,
      TranslationSink... sinks) {
    List<TranslationSink> all = new ArrayList<>(List.of(new TableSink(table)));
    all.addAll(List.of(sinks));
    return new IngressWatcher(
        client,
        IngressWatcherOptions.DEFAULTS.withNamespaces(List.of(ns)),
        new GatewayApiOptions(GatewayApiOptions.Mode.AUTO, settings, List::of),
        Clock.systemUTC(),
        Map::of,
        all);
  }

  /** The Gateway state of the last rebuild. */
  static final class Captured implements TranslationSink {
    volatile GatewayState last = GatewayState.NONE;
    volatile int publishes;

    @Override
    public void publish(Translation translation, ListedClusterState state) {}

    @Override
    public void publish(Translations t, ListedClusterState state, GatewayState gateways) {
      last = gateways;
      publishes++;
    }
  }
}
