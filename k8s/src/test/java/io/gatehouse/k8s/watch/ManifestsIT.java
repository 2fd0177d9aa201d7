package io.gatehouse.k8s.watch;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;
import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static io.gatehouse.k8s.watch.IngressWatcherIT.service;
import static io.gatehouse.k8s.watch.IngressWatcherIT.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.RouteKey;
import io.gatehouse.table.InMemoryRouteTable;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The manifests under {@code k8s/deploy/}: every one is valid for the real API server, and the
 * ServiceAccount with exactly the RBAC they grant runs the watcher, its status and events writes
 * and its leader election; with one permission taken away it fails naming that permission.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManifestsIT {
  private static final Path DEPLOY = Path.of("deploy");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "gatehouse";

  @BeforeAll
  static void namespaceAndServiceAccount(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    // the manifests name their namespace; it must exist for a server-side dry run of the rest
    try {
      new CoreV1Api(admin)
          .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(NS)))
          .execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    for (String file : List.of("01-serviceaccount.yaml", "02-rbac.yaml")) {
      ApiServerHarness.CommandResult r =
          server.kubectl(WAIT, "apply", "-f", DEPLOY.resolve(file).toString());
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
  }

  @Test
  void every_manifest_passes_a_server_side_dry_run(ApiServerHarness server) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(DEPLOY)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);
    for (Path f : files) {
      ApiServerHarness.CommandResult r =
          server.kubectl(WAIT, "apply", "--dry-run=server", "-f", f.toString());
      assertThat(r.exitCode()).as(f + ": " + r.output()).isZero();
    }
  }

  @Test
  void the_manifests_service_account_runs_the_whole_controller(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("rbac-ok");
    String cls = ingressClass(admin, "rbac");
    service(admin, ns, "web");
    slice(admin, ns, "web", "192.0.2.1");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    net.createNamespacedIngress(ns, ingress(ns, "web", cls, "a.example.test", "missing-tls"))
        .execute();

    ApiClient sa = server.serviceAccountClient(NS, "gatehouse");
    await("rbac active")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> new NetworkingV1Api(sa).listIngressForAllNamespaces().execute() != null);
    // the status address comes from the Service the shipped ConfigMap names (publishService)
    String publishService = shippedPublishService();
    assertThat(publishService).isEqualTo(NS + "/gatehouse");
    ApiServerHarness.CommandResult applied =
        server.kubectl(WAIT, "apply", "-f", DEPLOY.resolve("11-service-nodeport.yaml").toString());
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    String clusterIp =
        new CoreV1Api(admin)
            .readNamespacedService("gatehouse", NS)
            .execute()
            .getSpec()
            .getClusterIP();
    InMemoryRouteTable table = new InMemoryRouteTable();
    IngressWatcher[] poked = new IngressWatcher[1];
    try (PublishedService published =
            new PublishedService(
                sa,
                publishService,
                () -> {
                  if (poked[0] != null) {
                    poked[0].poke();
                  }
                });
        LeaseLeadership lease =
            new LeaseLeadership(
                    sa,
                    NS,
                    "gatehouse-leader",
                    "rbac-test",
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(2),
                    Duration.ofMillis(200),
                    leading -> {})
                .start();
        IngressWatcher watcher =
            new IngressWatcher(
                sa,
                options(cls),
                Clock.systemUTC(),
                () -> table.view().hostClaims(),
                List.of(
                    new TableSink(table),
                    new StatusWriter(sa, lease::isLeader, published::addresses),
                    new ProblemEvents(sa, lease::isLeader, "rbac-test", Clock.systemUTC())))) {
      poked[0] = watcher;
      published.start();
      watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(table.view().routes()).containsKey(RouteKey.of(ns, "k8s", "web.r0.p0"));
      await("leader").atMost(WAIT).until(lease::isLeader);
      watcher.poke();
      await("status written by the service account")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          net.readNamespacedIngress("web", ns)
                              .execute()
                              .getStatus()
                              .getLoadBalancer()
                              .getIngress())
                      .extracting(i -> i.getIp())
                      .containsExactly(clusterIp));
      await("event written by the service account")
          .atMost(WAIT)
          .until(
              () ->
                  new CoreV1Api(admin)
                      .listNamespacedEvent(ns).execute().getItems().stream()
                          .anyMatch(e -> "SecretNotFound".equals(e.getReason())));
      assertThat(watcher.errors()).isEmpty();
    }
  }

  /** {@code kubernetes.publishService} in the shipped ConfigMap's gatehouse.yaml. */
  @SuppressWarnings("unchecked")
  private static String shippedPublishService() throws Exception {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    Map<String, Object> cm = yaml.load(Files.readString(DEPLOY.resolve("04-configmap.yaml")));
    Map<String, Object> data = (Map<String, Object>) cm.get("data");
    Map<String, Object> config = yaml.load((String) data.get("gatehouse.yaml"));
    return (String) ((Map<String, Object>) config.get("kubernetes")).get("publishService");
  }

  @Test
  void a_removed_permission_fails_naming_it(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    // the manifest's ClusterRole without its endpointslices rule, bound to another account
    V1ClusterRole role = null;
    JSON json = new JSON();
    for (Object doc :
        new org.yaml.snakeyaml.Yaml(
                new org.yaml.snakeyaml.constructor.SafeConstructor(
                    new org.yaml.snakeyaml.LoaderOptions()))
            .loadAll(Files.readString(DEPLOY.resolve("02-rbac.yaml")))) {
      if (doc instanceof java.util.Map<?, ?> m && "ClusterRole".equals(m.get("kind"))) {
        role = json.deserialize(json.serialize(m), V1ClusterRole.class);
      }
    }
    assertThat(role).isNotNull();
    role.getMetadata().name("gatehouse-without-endpointslices").resourceVersion(null);
    role.setRules(
        role.getRules().stream()
            .filter(r -> !r.getResources().contains("endpointslices"))
            .toList());
    RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(admin);
    rbac.createClusterRole(role).execute();
    new CoreV1Api(admin)
        .createNamespacedServiceAccount(
            NS, new V1ServiceAccount().metadata(new V1ObjectMeta().name("limited")))
        .execute();
    rbac.createClusterRoleBinding(
            new V1ClusterRoleBinding()
                .metadata(new V1ObjectMeta().name("gatehouse-without-endpointslices"))
                .roleRef(
                    new V1RoleRef()
                        .apiGroup("rbac.authorization.k8s.io")
                        .kind("ClusterRole")
                        .name("gatehouse-without-endpointslices"))
                .subjects(
                    List.of(
                        new RbacV1Subject().kind("ServiceAccount").name("limited").namespace(NS))))
        .execute();
    ApiClient sa = server.serviceAccountClient(NS, "limited");
    await("rbac active")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> new NetworkingV1Api(sa).listIngressForAllNamespaces().execute() != null);

    InMemoryRouteTable table = new InMemoryRouteTable();
    try (IngressWatcher watcher =
        new IngressWatcher(
            sa,
            options(""),
            Clock.systemUTC(),
            () -> table.view().hostClaims(),
            List.of(new TableSink(table)))) {
      assertThatThrownBy(() -> watcher.start().get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("missing permission")
          .hasMessageContaining("cannot list resource \"endpointslices\"");
    }
  }

  private static IngressWatcherOptions options(String cls) {
    IngressWatcherOptions d = IngressWatcherOptions.DEFAULTS;
    return new IngressWatcherOptions(
        List.of(), "", cls, d.holdOff(), d.maxDelay(), d.endpointMapper());
  }
}
