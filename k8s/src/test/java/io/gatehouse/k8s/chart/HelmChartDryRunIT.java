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
 * Every object the chart renders, in each mode, passes a server-side dry run (server-side apply
 * with {@code dryRun=All}, through the Java client) against the project's real kube-apiserver: the
 * schema, defaulting and validation of the API server itself, not a copy of them. The release
 * namespace is created first and the Gateway API CRDs installed (the loadBalancer case renders a
 * GatewayClass). A dry run stores nothing, and an object the server would refuse is refused.
 */
@ExtendWith(ApiServerExtension.class)
class HelmChartDryRunIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final PatchOptions DRY_RUN =
      new PatchOptions().dryRun("All").fieldManager("gatehouse-chart-test").force(true);
  private static final ObjectMapper JSON = new ObjectMapper();
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
        Helm.documents(Helm.template(ns, Helm.CASES.resolve(name).resolve("values.yaml")));
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
        Helm.documents(Helm.template(ns, Helm.CASES.resolve("node-port").resolve("values.yaml")))
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
