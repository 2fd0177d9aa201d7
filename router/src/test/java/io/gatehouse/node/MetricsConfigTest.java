package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.metrics.MetricsOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code metrics:} section: defaults, YAML, environment, and bad values named by key. */
class MetricsConfigTest {
  @Test
  void metrics_are_on_with_route_labels_and_the_default_buckets() throws Exception {
    NodeConfig c = new ConfigLoader().load();
    assertThat(c.metrics().enabled()).isTrue();
    assertThat(c.metrics().routeLabels()).isTrue();
    MetricsOptions o = GatehouseNode.metricsOptions(c.metrics());
    assertThat(o.durationBuckets()).containsExactly(MetricsOptions.DEFAULT_BUCKETS);
    assertThat(o.maxBackends()).isEqualTo(MetricsOptions.DEFAULT_MAX_BACKENDS);
    assertThat(ConfigLoader.keys())
        .contains(
            "metrics.enabled",
            "metrics.routeLabels",
            "metrics.durationBuckets",
            "metrics.maxBackends");
  }

  @Test
  void yaml_and_the_environment_set_the_section() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .yaml(
                "metrics:\n  routeLabels: false\n  durationBuckets: [0.01, 0.1, 1]\n"
                    + "  maxBackends: 50\n",
                "test.yaml")
            .env(Map.of("GATEHOUSE_METRICS_ENABLED", "false"))
            .load();
    assertThat(c.metrics().enabled()).isFalse();
    assertThat(c.metrics().routeLabels()).isFalse();
    assertThat(c.metrics().maxBackends()).isEqualTo(50);
    assertThat(GatehouseNode.metricsOptions(c.metrics()).durationBuckets())
        .containsExactly(0.01, 0.1, 1.0);
  }

  @Test
  void buckets_out_of_order_or_not_numbers_are_refused_by_key() {
    for (String bad : new String[] {"0.1,0.01", "0.1,0.1", "fast", "-1", "0"}) {
      assertThatThrownBy(
              () -> new ConfigLoader().set("metrics.durationBuckets", bad, "--set").load())
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("metrics.durationBuckets")
          .hasMessageContaining("increasing order");
    }
    assertThatThrownBy(() -> new ConfigLoader().set("metrics.maxBackends", "0", "--set").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.maxBackends");
  }
}
