package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The node config the Helm chart renders in each mode (the golden renders under {@code
 * k8s/src/test/resources/chart/}, which {@code HelmChartIT} pins to the chart) is one this node
 * loads: no unknown key, no bad value, and the ports, Service names and admin settings the chart's
 * other objects rely on.
 */
class ChartConfigTest {
  private static final Path CASES = Path.of("..", "k8s", "src", "test", "resources", "chart");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs
          .filter(d -> Files.exists(d.resolve("rendered.yaml")))
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void the_chart_renders_a_node_config_the_node_loads(String name) throws Exception {
    List<JsonNode> docs = documents(CASES.resolve(name).resolve("rendered.yaml"));
    JsonNode cm =
        docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")).findFirst().get();
    String yaml = cm.path("data").path("gatehouse.yaml").asText();
    NodeConfig c = new ConfigLoader().yaml(yaml, name + "/rendered.yaml").load();

    assertThat(c.http().port()).isEqualTo(80);
    assertThat(c.tls().listens()).isTrue();
    assertThat(c.tls().port()).isEqualTo(443);
    assertThat(c.status().host()).isEqualTo("0.0.0.0");
    assertThat(c.store().dir()).isEmpty();
    assertThat(c.kubernetes().enabled()).isTrue();
    assertThat(c.kubernetes().publishService()).startsWith("gatehouse/gatehouse");
    assertThat(c.kubernetes().leaseNamespace()).isEqualTo("gatehouse");
    assertThat(c.cluster().enabled()).isTrue();
    assertThat(c.cluster().kubernetesService())
        .isEqualTo("gatehouse-cluster.gatehouse.svc.cluster.local");
    // no credential in the config: the admin API is off, or reads its token from the mounted Secret
    assertThat(c.admin().token()).isEmpty();
    if (c.admin().enabled()) {
      assertThat(c.admin().tokenFile()).startsWith("/etc/gatehouse/admin/");
    }
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (YAMLParser p = new YAMLFactory().createParser(file.toFile())) {
      for (JsonNode n : YAML.readValues(p, JsonNode.class).readAll()) {
        if (n != null && !n.isMissingNode() && !n.isNull()) {
          out.add(n);
        }
      }
    }
    return out;
  }
}
