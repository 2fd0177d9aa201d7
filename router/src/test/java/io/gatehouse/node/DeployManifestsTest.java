package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped manifests in k8s/deploy serve HTTP on 80 and HTTPS on 443 in both modes (Deployment
 * behind the NodePort Service, DaemonSet on the nodes' ports) as uid 10001 with only
 * NET_BIND_SERVICE; {@link PrivilegedPortsIT} shows the image can do that.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("..", "k8s", "deploy");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode read(String file) throws Exception {
    return YAML.readTree(Files.readString(DEPLOY.resolve(file)));
  }

  @Test
  void the_configmap_listens_on_80_and_443_with_https_on() throws Exception {
    String yaml = read("04-configmap.yaml").path("data").path("gatehouse.yaml").asText();
    NodeConfig c = new ConfigLoader().yaml(yaml, "04-configmap.yaml").load();

    assertThat(c.http().port()).isEqualTo(80);
    assertThat(c.tls().listens()).isTrue();
    assertThat(c.tls().port()).isEqualTo(443);
  }

  /**
   * As the Helm chart: turned on without a token the admin API would log a bootstrap token into the
   * pod's log; k8s/README.md turns it on with a Secret.
   */
  @Test
  void the_configmap_leaves_the_admin_api_off() throws Exception {
    String yaml = read("04-configmap.yaml").path("data").path("gatehouse.yaml").asText();
    NodeConfig c = new ConfigLoader().yaml(yaml, "04-configmap.yaml").load();

    assertThat(c.admin().enabled()).isFalse();
  }

  @Test
  void the_deployment_declares_http_and_https() throws Exception {
    JsonNode container = container(read("10-deployment.yaml"));

    assertThat(ports(container, "containerPort"))
        .containsEntry("http", 80)
        .containsEntry("https", 443);
    assertNonRootWithOnlyNetBindService(read("10-deployment.yaml"), container);
  }

  @Test
  void the_nodeport_service_exposes_http_and_https() throws Exception {
    JsonNode service = read("11-service-nodeport.yaml");
    Map<String, String> targets = new HashMap<>();
    Map<String, Integer> ports = new HashMap<>();
    for (JsonNode p : service.path("spec").path("ports")) {
      targets.put(p.path("name").asText(), p.path("targetPort").asText());
      ports.put(p.path("name").asText(), p.path("port").asInt());
    }
    assertThat(ports).containsEntry("http", 80).containsEntry("https", 443);
    assertThat(targets).containsEntry("http", "http").containsEntry("https", "https");
  }

  @Test
  void the_daemonset_takes_80_and_443_of_the_node() throws Exception {
    JsonNode ds = read("20-daemonset.yaml");
    JsonNode container = container(ds);

    assertThat(ds.path("spec").path("template").path("spec").path("hostNetwork").asBoolean())
        .isTrue();
    assertThat(ports(container, "containerPort"))
        .containsEntry("http", 80)
        .containsEntry("https", 443);
    assertThat(ports(container, "hostPort")).containsEntry("http", 80).containsEntry("https", 443);
    // the port comes from the ConfigMap, not an override that could drift from it
    for (JsonNode env : container.path("env")) {
      assertThat(env.path("name").asText())
          .doesNotStartWith("GATEHOUSE_HTTP_")
          .doesNotStartWith("GATEHOUSE_TLS_");
    }
    assertNonRootWithOnlyNetBindService(ds, container);
  }

  private static JsonNode container(JsonNode workload) {
    return workload.path("spec").path("template").path("spec").path("containers").get(0);
  }

  private static Map<String, Integer> ports(JsonNode container, String field) {
    Map<String, Integer> out = new HashMap<>();
    for (JsonNode p : container.path("ports")) {
      if (p.has(field)) {
        out.put(p.path("name").asText(), p.path(field).asInt());
      }
    }
    return out;
  }

  private static void assertNonRootWithOnlyNetBindService(JsonNode workload, JsonNode container) {
    JsonNode pod = workload.path("spec").path("template").path("spec").path("securityContext");
    assertThat(pod.path("runAsUser").asInt()).isEqualTo(10001);
    assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
    JsonNode caps = container.path("securityContext").path("capabilities");
    assertThat(caps.path("drop").toString()).isEqualTo("[\"ALL\"]");
    assertThat(caps.path("add").toString()).isEqualTo("[\"NET_BIND_SERVICE\"]");
  }
}
