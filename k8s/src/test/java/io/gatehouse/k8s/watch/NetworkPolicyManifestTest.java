package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.Yaml;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped NetworkPolicy, read against the shipped Deployment: Hazelcast's member port (no
 * authentication in open-source Hazelcast: whoever reaches it can change routes) admits only
 * Gatehouse pods, HTTP and HTTPS stay open to everyone, and the status port is not open to all.
 * {@code ManifestsIT} checks that the API server accepts it.
 */
class NetworkPolicyManifestTest {
  private static final Path DEPLOY = Path.of("deploy");
  private static final Map<String, String> GATEHOUSE =
      Map.of("app.kubernetes.io/name", "gatehouse");

  private static V1NetworkPolicy policy;
  private static List<V1ContainerPort> ports;

  @BeforeAll
  static void load() throws IOException {
    policy = Yaml.loadAs(DEPLOY.resolve("07-networkpolicy.yaml").toFile(), V1NetworkPolicy.class);
    V1Deployment deployment =
        Yaml.loadAs(DEPLOY.resolve("10-deployment.yaml").toFile(), V1Deployment.class);
    ports = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
    assertThat(policy.getMetadata().getNamespace())
        .isEqualTo(deployment.getMetadata().getNamespace());
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .isEqualTo(GATEHOUSE);
    assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
  }

  @Test
  void only_gatehouse_pods_reach_the_hazelcast_member_port() throws IOException {
    V1ContainerPort hazelcast = port("hazelcast");
    V1Service members =
        Yaml.loadAs(DEPLOY.resolve("05-service-cluster.yaml").toFile(), V1Service.class);
    assertThat(members.getSpec().getPorts().get(0).getTargetPort())
        .isEqualTo(new IntOrString(hazelcast.getContainerPort()));

    List<V1NetworkPolicyIngressRule> admitting = rulesAdmitting(hazelcast);
    assertThat(admitting).as("rules admitting %s", hazelcast).isNotEmpty();
    for (V1NetworkPolicyIngressRule rule : admitting) {
      assertThat(rule.getFrom()).as("an open rule admits the member port").isNotEmpty();
      for (V1NetworkPolicyPeer peer : rule.getFrom()) {
        // A podSelector alone selects pods of the policy's own namespace.
        assertThat(peer.getNamespaceSelector()).isNull();
        assertThat(peer.getIpBlock()).isNull();
        assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(GATEHOUSE);
        assertThat(peer.getPodSelector().getMatchExpressions()).isNullOrEmpty();
      }
    }
  }

  @Test
  void http_is_open_to_everyone_and_nothing_else_is() {
    assertThat(openRules()).isNotEmpty();
    assertThat(ports).isNotEmpty();
    for (V1ContainerPort p : ports) {
      boolean open = openRules().stream().anyMatch(r -> admits(r, p));
      boolean web = "http".equals(p.getName()) || "https".equals(p.getName());
      assertThat(open).as("%s open to everyone", p.getName()).isEqualTo(web);
    }
    // The status port is admitted, but only from namespaces that opt in (and the node's kubelet).
    assertThat(rulesAdmitting(port("status"))).isNotEmpty();
  }

  private static List<V1NetworkPolicyIngressRule> openRules() {
    return policy.getSpec().getIngress().stream()
        .filter(r -> r.getFrom() == null || r.getFrom().isEmpty())
        .toList();
  }

  private static List<V1NetworkPolicyIngressRule> rulesAdmitting(V1ContainerPort p) {
    return policy.getSpec().getIngress().stream().filter(r -> admits(r, p)).toList();
  }

  /** A rule without ports admits every port; a port is matched by number or by name. */
  private static boolean admits(V1NetworkPolicyIngressRule rule, V1ContainerPort p) {
    if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
      return true;
    }
    for (V1NetworkPolicyPort np : rule.getPorts()) {
      IntOrString port = np.getPort();
      if (port == null
          || (port.isInteger() && port.getIntValue().equals(p.getContainerPort()))
          || (!port.isInteger() && port.getStrValue().equals(p.getName()))) {
        return true;
      }
    }
    return false;
  }

  private static V1ContainerPort port(String name) {
    return ports.stream().filter(p -> name.equals(p.getName())).findFirst().orElseThrow();
  }
}
