package io.gatehouse.k8s.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.k8s.watch.testing.GatewayCrds;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.PatchOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart against the project's real kube-apiserver (envtest): every object it renders, in each
 * mode, passes a server-side dry run (server-side apply with {@code dryRun=All}, through the Java
 * client): the schema, defaulting and validation of the API server itself, not a copy of them. The
 * release namespace is created first and the Gateway API CRDs installed (the loadBalancer case
 * renders a GatewayClass). A dry run stores nothing, and an object the server would refuse is
 * refused. Then helm itself installs, upgrades and uninstalls a release.
 */
@ExtendWith(ApiServerExtension.class)
class HelmChartApiServerIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final PatchOptions DRY_RUN =
      new PatchOptions().dryRun("All").fieldManager("gatehouse-chart-test").force(true);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The API server allocates node ports for the whole cluster, and other ITs in this JVM hold the
   * shipped 30080 and 30443 (ManifestsIT): the releases here let it pick free ones.
   */
  private static final String[] ANY_NODE_PORTS = {
    "--set", "service.nodePorts.http=null", "--set", "service.nodePorts.https=null"
  };

  private static Set<Discovery.APIResource> resources;

  @BeforeAll
  @Timeout(value = 35, unit = TimeUnit.MINUTES)
  static void helmAndCrds(ApiServerHarness server) throws ApiException {
    Helm.binary();
    GatewayCrds.installStandard(server, WAIT);
    resources = new Discovery(server.adminClient()).findAll();
  }

  static Stream<String> cases() throws Exception {
    return HelmChartIT.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void every_object_of_the_mode_passes_a_server_side_dry_run(String name, ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("chart-" + name);
    List<Map<String, Object>> docs =
        Helm.documents(
            Helm.template(ns, Helm.CASES.resolve(name).resolve("values.yaml"), ANY_NODE_PORTS));
    assertThat(docs).hasSizeGreaterThanOrEqualTo(10);
    List<String> kinds = new ArrayList<>();
    for (Map<String, Object> doc : docs) {
      KubernetesApiResponse<DynamicKubernetesObject> r = dryRunApply(admin, doc);
      assertThat(r.isSuccess())
          .as("%s %s: %s", doc.get("kind"), HelmChartIT.name(doc), r.getStatus())
          .isTrue();
      kinds.add((String) doc.get("kind"));
    }
    assertThat(kinds)
        .contains(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "IngressClass",
            "ConfigMap",
            "Service",
            "PodDisruptionBudget");
    // a dry run stores nothing
    String workload = kinds.contains("DaemonSet") ? "gatehouse-edge" : "gatehouse";
    int code = 0;
    try {
      if (kinds.contains("DaemonSet")) {
        new AppsV1Api(admin).readNamespacedDaemonSet(workload, ns).execute();
      } else {
        new AppsV1Api(admin).readNamespacedDeployment(workload, ns).execute();
      }
    } catch (ApiException e) {
      code = e.getCode();
    }
    assertThat(code).as("%s stored by a dry run", workload).isEqualTo(404);
    assertThat(new CoreV1Api(admin).listNamespacedConfigMap(ns).execute().getItems())
        .noneMatch(cm -> cm.getMetadata().getName().startsWith("gatehouse"));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void an_object_the_server_would_refuse_fails_its_dry_run(ApiServerHarness server)
      throws Exception {
    String ns = server.createNamespace("chart-refused");
    Map<String, Object> deployment =
        Helm.documents(
                Helm.template(
                    ns, Helm.CASES.resolve("node-port").resolve("values.yaml"), ANY_NODE_PORTS))
            .stream()
            .filter(d -> "Deployment".equals(d.get("kind")))
            .findFirst()
            .orElseThrow();
    Map<String, Object> container =
        HelmChartIT.maps(
                HelmChartIT.map(
                    HelmChartIT.map(HelmChartIT.map(deployment, "spec"), "template"), "spec"),
                "containers")
            .get(0);
    // a port name longer than 15 characters is invalid (IANA_SVC_NAME)
    HelmChartIT.maps(container, "ports").get(0).put("name", "http-but-far-too-long");
    KubernetesApiResponse<DynamicKubernetesObject> r =
        dryRunApply(server.adminClient(), deployment);
    assertThat(r.isSuccess()).isFalse();
    assertThat(r.getHttpStatusCode()).isEqualTo(422);
    assertThat(r.getStatus().getMessage()).contains("ports[0].name");
  }

  /**
   * helm itself against the API server: install, an upgrade that changes the node config (the pods
   * roll: a new checksum) and the mode (NodePort to LoadBalancer), and an uninstall that leaves
   * nothing of the release, cluster-scoped objects included. Its own release name, so it never
   * meets the objects {@code ManifestsIT} applies in the same API server.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void helm_installs_upgrades_and_uninstalls_a_release(ApiServerHarness server) throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("chart-install");
    String release = "gh-install";
    String name = release + "-gatehouse";
    List<String> common =
        new ArrayList<>(
            List.of(
                "--namespace",
                ns,
                "--kubeconfig",
                server.kubeconfig().toString(),
                "--values",
                Helm.CASES.resolve("node-port").resolve("values.yaml").toString(),
                "--set",
                "ingressClass.name=" + release));
    common.addAll(List.of(ANY_NODE_PORTS));
    AppsV1Api apps = new AppsV1Api(admin);
    CoreV1Api core = new CoreV1Api(admin);
    helm(List.of("install", release, Helm.CHART.toString()), common);
    try {
      assertThat(apps.readNamespacedDeployment(name, ns).execute().getSpec().getReplicas())
          .isEqualTo(3);
      assertThat(core.readNamespacedService(name, ns).execute().getSpec().getType())
          .isEqualTo("NodePort");
      String checksum = checksum(apps.readNamespacedDeployment(name, ns).execute());

      List<String> upgrade = new ArrayList<>(common);
      upgrade.addAll(List.of("--set", "config.log.level=warn", "--set", "mode=loadBalancer"));
      helm(List.of("upgrade", release, Helm.CHART.toString()), upgrade);
      assertThat(core.readNamespacedConfigMap(name, ns).execute().getData().get("gatehouse.yaml"))
          .contains("level: warn");
      assertThat(checksum(apps.readNamespacedDeployment(name, ns).execute()))
          .isNotEqualTo(checksum);
      assertThat(core.readNamespacedService(name, ns).execute().getSpec().getType())
          .isEqualTo("LoadBalancer");
    } finally {
      // nothing of the release stays for the next test (its node ports, cluster-scoped objects)
      helm(
          List.of("uninstall", release, "--namespace", ns),
          List.of("--kubeconfig", server.kubeconfig().toString()));
    }
    assertThat(status(() -> apps.readNamespacedDeployment(name, ns).execute())).isEqualTo(404);
    assertThat(status(() -> core.readNamespacedConfigMap(name, ns).execute())).isEqualTo(404);
    assertThat(status(() -> new RbacAuthorizationV1Api(admin).readClusterRole(name).execute()))
        .isEqualTo(404);
  }

  private static void helm(List<String> command, List<String> more) {
    List<String> args = new ArrayList<>(command);
    args.addAll(more);
    Helm.Result r = Helm.run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as("helm %s:\n%s", args, r.both()).isZero();
  }

  private static String checksum(V1Deployment d) {
    return d.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
  }

  private interface Call {
    Object run() throws ApiException;
  }

  private static int status(Call call) {
    try {
      call.run();
      return 200;
    } catch (ApiException e) {
      return e.getCode();
    }
  }

  /** Server-side apply of one object with {@code dryRun=All}, at its kind's preferred version. */
  private static KubernetesApiResponse<DynamicKubernetesObject> dryRunApply(
      ApiClient client, Map<String, Object> doc) throws Exception {
    String apiVersion = (String) doc.get("apiVersion");
    String kind = (String) doc.get("kind");
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    Discovery.APIResource resource =
        resources.stream()
            .filter(r -> r.getGroup().equals(group) && r.getKind().equals(kind))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("the API server serves no " + apiVersion + " " + kind));
    assertThat(resource.getVersions()).as("%s %s served", apiVersion, kind).contains(version);
    DynamicKubernetesApi api =
        new DynamicKubernetesApi(group, version, resource.getResourcePlural(), client);
    Map<String, Object> metadata = HelmChartIT.map(doc, "metadata");
    String name = (String) metadata.get("name");
    V1Patch body = new V1Patch(JSON.writeValueAsString(new LinkedHashMap<>(doc)));
    return resource.getNamespaced()
        ? api.patch(
            (String) metadata.get("namespace"),
            name,
            V1Patch.PATCH_FORMAT_APPLY_YAML,
            body,
            DRY_RUN)
        : api.patch(name, V1Patch.PATCH_FORMAT_APPLY_YAML, body, DRY_RUN);
  }
}
