package io.gatehouse.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.node.ConfigException;
import io.gatehouse.node.ConfigLoader;
import io.gatehouse.node.NodeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's {@code tracing.*} keys: off by default, read from every layer, checked at load. */
class TracingConfigTest {
  @Test
  void off_by_default_with_the_otlp_default_endpoint() {
    NodeConfig.Tracing t = NodeConfig.DEFAULTS.tracing();
    assertThat(t.enabled()).isFalse();
    assertThat(t.endpoint()).isEqualTo("http://127.0.0.1:4318/v1/traces");
    assertThat(t.sampleRatio()).isEqualTo(0.01);
    assertThat(t.parentBased()).isTrue();
    assertThat(ConfigLoader.keys())
        .contains(
            "tracing.enabled",
            "tracing.endpoint",
            "tracing.sampleRatio",
            "tracing.parentBased",
            "tracing.serviceName",
            "tracing.exportInterval",
            "tracing.exportTimeout",
            "tracing.queueSize",
            "tracing.headersFile");
  }

  @Test
  void read_from_yaml_env_and_flags() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .yaml(
                """
                tracing:
                  enabled: true
                  endpoint: https://collector.example:4318/v1/traces
                  sampleRatio: 0.25
                  exportInterval: 2s
                """,
                "node.yaml")
            .env(Map.of("GATEHOUSE_TRACING_SERVICE_NAME", "edge-eu"))
            .set("tracing.parentBased", "false", "--set")
            .load();
    NodeConfig.Tracing t = c.tracing();
    assertThat(t.enabled()).isTrue();
    assertThat(t.endpoint()).isEqualTo("https://collector.example:4318/v1/traces");
    assertThat(t.sampleRatio()).isEqualTo(0.25);
    assertThat(t.exportInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(t.serviceName()).isEqualTo("edge-eu");
    assertThat(t.parentBased()).isFalse();
    assertThat(t.queueSize()).isEqualTo(2048);
  }

  @Test
  void refused_settings_name_their_key_and_never_echo_credentials() throws Exception {
    record Case(String name, Map<String, String> set, String key) {}
    List<Case> cases =
        List.of(
            new Case(
                "a ratio above 1", Map.of("tracing.sampleRatio", "1.5"), "tracing.sampleRatio"),
            new Case(
                "a negative ratio", Map.of("tracing.sampleRatio", "-0.1"), "tracing.sampleRatio"),
            new Case(
                "a ratio as a percentage",
                Map.of("tracing.sampleRatio", "1%"),
                "tracing.sampleRatio"),
            new Case(
                "a gRPC endpoint", Map.of("tracing.endpoint", "grpc://c:4317"), "tracing.endpoint"),
            new Case(
                "no host", Map.of("tracing.endpoint", "http:///v1/traces"), "tracing.endpoint"),
            new Case("not a URL", Map.of("tracing.endpoint", "collector:4318"), "tracing.endpoint"),
            new Case("a blank service", Map.of("tracing.serviceName", " "), "tracing.serviceName"),
            new Case(
                "no export interval",
                Map.of("tracing.exportInterval", "0s"),
                "tracing.exportInterval"),
            new Case("no queue", Map.of("tracing.queueSize", "0"), "tracing.queueSize"));
    for (Case c : cases) {
      ConfigLoader l = new ConfigLoader();
      for (Map.Entry<String, String> e : c.set().entrySet()) {
        l.set(e.getKey(), e.getValue(), "--set");
      }
      assertThatThrownBy(l::load)
          .as(c.name())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(c.key());
    }
    ConfigLoader withPassword =
        new ConfigLoader()
            .set("tracing.endpoint", "https://user:hunter2@collector.example/v1/traces", "--set");
    assertThatThrownBy(withPassword::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.endpoint")
        .hasMessageNotContaining("hunter2");
  }
}
