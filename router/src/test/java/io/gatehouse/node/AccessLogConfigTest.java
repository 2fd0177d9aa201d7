package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.accesslog.AccessField;
import io.gatehouse.accesslog.AccessFormat;
import io.gatehouse.accesslog.AccessLogOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The access log's {@code log.*} keys through the loader: YAML, environment, messages. */
class AccessLogConfigTest {
  @Test
  void the_defaults_keep_log_access_and_the_default_fields() throws Exception {
    NodeConfig c = new ConfigLoader().load();
    assertThat(c.log().access()).isTrue();
    AccessLogOptions o = ConfigLoader.accessLog(c.log());
    assertThat(o.enabled()).isTrue();
    assertThat(o.format()).isEqualTo(AccessFormat.JSON);
    assertThat(o.fields()).isEqualTo(AccessLogOptions.DEFAULT_FIELDS);
    assertThat(o.file()).isEmpty();
  }

  @Test
  void yaml_sets_every_access_key() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .yaml(
                """
                log:
                  access: true
                  accessFormat: text
                  accessFields: [time, route, status]
                  accessFile: /var/log/gatehouse/access.log
                  accessQueueLines: 100
                  accessSampleRatio: 0.25
                  accessSampleErrors: 1
                  accessRoutes: ["default/file/health=off", "shop/rest/api=0.1/1"]
                """,
                "test.yaml")
            .load();
    AccessLogOptions o = ConfigLoader.accessLog(c.log());
    assertThat(o.format()).isEqualTo(AccessFormat.TEXT);
    assertThat(o.fields()).containsExactly(AccessField.TIME, AccessField.ROUTE, AccessField.STATUS);
    assertThat(o.file()).isEqualTo("/var/log/gatehouse/access.log");
    assertThat(o.queueLines()).isEqualTo(100);
    assertThat(o.sampleRatio()).isEqualTo(0.25);
    assertThat(o.routes()).containsKeys("default/file/health", "shop/rest/api");
  }

  @Test
  void log_access_false_still_works() throws Exception {
    NodeConfig c = new ConfigLoader().yaml("log: {access: false}\n", "test.yaml").load();
    assertThat(ConfigLoader.accessLog(c.log()).enabled()).isFalse();
  }

  @Test
  void environment_variables_name_the_keys() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .env(
                Map.of(
                    "GATEHOUSE_LOG_ACCESS_FIELDS", "status,route",
                    "GATEHOUSE_LOG_ACCESS_FORMAT", "TEXT"))
            .load();
    assertThat(c.log().accessFields()).isEqualTo(List.of("status", "route"));
    assertThat(c.log().accessFormat()).isEqualTo(AccessFormat.TEXT);
  }

  @Test
  void a_bad_value_names_its_key_and_where_it_came_from() {
    assertThatThrownBy(
            () -> new ConfigLoader().yaml("log:\n  accessSampleRatio: 2\n", "test.yaml").load())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad value for configuration key \"log.accessSampleRatio\" in test.yaml line 2:"
                + " \"2.0\" (expected: a ratio from 0 (none) to 1 (every request))");
    assertThatThrownBy(
            () -> new ConfigLoader().yaml("log: {accessFormat: xml}\n", "test.yaml").load())
        .hasMessageContaining("\"log.accessFormat\"")
        .hasMessageContaining("one of json, text");
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .yaml("log: {accessRoutes: [\"a/b/c=sometimes\"]}\n", "test.yaml")
                    .load())
        .hasMessageStartingWith(
            "bad value for configuration key \"log.accessRoutes\" in test.yaml line 1:"
                + " \"a/b/c=sometimes\" (expected: ROUTE_ID=off");
  }
}
