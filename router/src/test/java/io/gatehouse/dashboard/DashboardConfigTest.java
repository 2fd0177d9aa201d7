package io.gatehouse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.node.ConfigException;
import io.gatehouse.node.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dashboard.enabled}: off unless asked for, from the file, the environment or a flag. */
class DashboardConfigTest {
  @Test
  void the_dashboard_is_off_by_default() throws Exception {
    assertThat(new ConfigLoader().load().dashboard().enabled()).isFalse();
    assertThat(ConfigLoader.keys()).contains("dashboard.enabled");
    assertThat(ConfigLoader.envName("dashboard.enabled")).isEqualTo("GATEHOUSE_DASHBOARD_ENABLED");
  }

  @Test
  void the_file_the_environment_or_a_flag_turns_it_on() throws Exception {
    assertThat(
            new ConfigLoader()
                .yaml("dashboard:\n  enabled: true\n", "gatehouse.yaml")
                .load()
                .dashboard()
                .enabled())
        .isTrue();
    assertThat(
            new ConfigLoader()
                .env(Map.of("GATEHOUSE_DASHBOARD_ENABLED", "true"))
                .load()
                .dashboard()
                .enabled())
        .isTrue();
    assertThat(
            new ConfigLoader()
                .set("dashboard.enabled", "true", "--set")
                .load()
                .dashboard()
                .enabled())
        .isTrue();
  }

  @Test
  void a_bad_value_or_key_names_the_key() {
    assertThatThrownBy(
            () ->
                new ConfigLoader().yaml("dashboard:\n  enabled: maybe\n", "gatehouse.yaml").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dashboard.enabled");
    assertThatThrownBy(
            () -> new ConfigLoader().yaml("dashboard:\n  port: 8080\n", "gatehouse.yaml").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dashboard.port");
  }
}
