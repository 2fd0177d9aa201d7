package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload's all-or-nothing rule, without a node: what is applied, what is refused and why. */
class ConfigReloadTest {
  @TempDir Path dir;
  final List<NodeConfig> applied = new ArrayList<>();
  String failApply;

  ConfigReload reload(String yaml) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, yaml);
    ConfigSource source = () -> new ConfigLoader().file(file).load();
    return new ConfigReload(
        file,
        source,
        source.read(),
        (next, reopen) -> {
          if (failApply != null) {
            throw new ConfigException(failApply);
          }
          applied.add(next);
        });
  }

  void write(ConfigReload r, String yaml) throws Exception {
    Files.writeString(r.file(), yaml);
  }

  @Test
  void an_unchanged_file_is_not_read_again() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.UNCHANGED);
    assertThat(applied).isEmpty();
    assertThat(r.last()).isNull();
  }

  @Test
  void an_edit_made_before_the_watch_began_is_applied_by_the_first_check() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    // edited after the node read its configuration, before this watch took its first look
    write(r, "log: {level: debug}\n");
    ConfigReload late =
        new ConfigReload(
            r.file(),
            () -> new ConfigLoader().file(r.file()).load(),
            r.current(),
            (next, reopen) -> applied.add(next));
    assertThat(late.check(false)).isEqualTo(ConfigReload.Result.APPLIED);
    assertThat(late.current().log().level()).isEqualTo("debug");
    assertThat(late.check(false)).isEqualTo(ConfigReload.Result.UNCHANGED);
  }

  @Test
  void log_keys_are_applied() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    write(r, "log: {level: debug, accessFormat: text, accessFields: [status, route]}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.APPLIED);
    assertThat(applied).hasSize(1);
    assertThat(applied.get(0).log().level()).isEqualTo("debug");
    assertThat(r.current().log().accessFields()).containsExactly("status", "route");
    assertThat(r.applied()).isEqualTo(1);
    assertThat(r.last().detail()).isEqualTo("log.level, log.accessFormat, log.accessFields");
  }

  @Test
  void a_comment_alone_changes_nothing() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    write(r, "# a comment\nlog: {level: info}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.UNCHANGED);
    assertThat(applied).isEmpty();
  }

  @Test
  void putting_a_refused_file_back_clears_the_refusal() throws Exception {
    ConfigReload r = reload("http: {port: 8080}\nlog: {level: info}\n");
    write(r, "http: {port: 8081}\nlog: {level: info}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.REFUSED);
    write(r, "# back as it runs\nhttp: {port: 8080}\nlog: {level: info}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.UNCHANGED);
    assertThat(applied).isEmpty();
    assertThat(r.last().result()).isEqualTo(ConfigReload.Result.UNCHANGED);
    assertThat(r.last().detail()).isEqualTo("the file matches the running settings");
  }

  @Test
  void a_key_that_needs_a_restart_refuses_the_whole_file() throws Exception {
    ConfigReload r = reload("http: {port: 8080}\nlog: {level: info}\n");
    write(r, "http: {port: 8081}\nlog: {level: debug}\nlimits: {maxConnections: 5}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.REFUSED);
    assertThat(applied).isEmpty();
    assertThat(r.current().log().level()).isEqualTo("info");
    assertThat(r.current().limits().maxConnections()).isEqualTo(10_000);
    assertThat(r.last().detail())
        .startsWith(
            "configuration key \"http.port\" cannot change while the node runs (restart it to"
                + " apply)");
  }

  @Test
  void limits_gatehouse_enforces_itself_reload() throws Exception {
    ConfigReload r = reload("limits: {maxHeaderCount: 100}\n");
    write(
        r,
        """
        limits:
          maxHeaderCount: 10
          maxHeaderLineBytes: 4096
          headerReadTimeout: 3s
          maxConnections: 50
          maxConnectionsPerClient: 2
          underscoreHeaders: drop
          overloadHeapRatio: 0.9
          overloadLoopLag: 500ms
          writeQueueBytes: 65536
          pacedConnectionsPerSecond: 2
        """);
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.APPLIED);
    assertThat(applied.get(0).limits().maxConnectionsPerClient()).isEqualTo(2);
    assertThat(r.last().detail())
        .isEqualTo(
            "limits.maxHeaderLineBytes, limits.maxHeaderCount, limits.headerReadTimeout,"
                + " limits.maxConnections, limits.maxConnectionsPerClient,"
                + " limits.underscoreHeaders, limits.overloadHeapRatio, limits.overloadLoopLag,"
                + " limits.writeQueueBytes, limits.pacedConnectionsPerSecond");
  }

  @Test
  void limits_the_listeners_hold_are_refused_each_with_its_reason() throws Exception {
    for (String change :
        List.of(
            "maxHeaderBytes: 65536", "maxRequestLineBytes: 4096", "keepAliveIdleTimeout: 30s")) {
      ConfigReload r = reload("limits: {maxHeaderCount: 100}\n");
      write(r, "limits: {maxHeaderCount: 10, " + change + "}\n");
      assertThat(r.check(false)).as(change).isEqualTo(ConfigReload.Result.REFUSED);
      String key = "limits." + change.substring(0, change.indexOf(':'));
      assertThat(r.last().detail())
          .as(change)
          .isEqualTo(
              "configuration key \""
                  + key
                  + "\" cannot change while the node runs (restart it to apply); \""
                  + key
                  + "\": the listeners' HTTP decoder and idle handler are built with it at start;"
                  + " keys that reload: log.*; proxy.trustedProxies; limits.* but"
                  + " limits.maxHeaderBytes, limits.maxRequestLineBytes,"
                  + " limits.keepAliveIdleTimeout; metrics.* but metrics.enabled");
      assertThat(r.current().limits().maxHeaderCount()).isEqualTo(100);
    }
    assertThat(applied).isEmpty();
  }

  @Test
  void metrics_options_reload_but_enabled_needs_a_restart() throws Exception {
    ConfigReload r = reload("metrics: {routeLabels: true}\n");
    write(r, "metrics: {routeLabels: false, durationBuckets: [0.1, 1], maxBackends: 5}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.APPLIED);
    assertThat(r.current().metrics().routeLabels()).isFalse();
    assertThat(r.current().metrics().maxBackends()).isEqualTo(5);

    write(r, "metrics: {enabled: false, routeLabels: true}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.REFUSED);
    assertThat(r.last().detail())
        .startsWith(
            "configuration key \"metrics.enabled\" cannot change while the node runs (restart it"
                + " to apply); \"metrics.enabled\": it registers or drops every traffic");
    assertThat(r.current().metrics().routeLabels()).isFalse();
    assertThat(applied).hasSize(1);
  }

  @Test
  void which_keys_reload() {
    assertThat(ConfigReload.reloadable("limits.maxHeaderCount")).isTrue();
    assertThat(ConfigReload.reloadable("limits.maxConnectionsPerClient")).isTrue();
    assertThat(ConfigReload.reloadable("metrics.durationBuckets")).isTrue();
    assertThat(ConfigReload.reloadable("limits.maxHeaderBytes")).isFalse();
    assertThat(ConfigReload.reloadable("limits.maxRequestLineBytes")).isFalse();
    assertThat(ConfigReload.reloadable("limits.keepAliveIdleTimeout")).isFalse();
    assertThat(ConfigReload.reloadable("metrics.enabled")).isFalse();
    assertThat(ConfigReload.reloadable("http.port")).isFalse();
    assertThat(ConfigReload.reloadable("tls.port")).isFalse();
  }

  @Test
  void a_bad_value_refuses_the_whole_file_naming_the_key_and_line() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    write(r, "log:\n  level: debug\n  accessFields: [status, cookie]\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.REFUSED);
    assertThat(applied).isEmpty();
    assertThat(r.current().log().level()).isEqualTo("info");
    assertThat(r.last().detail())
        .startsWith(
            "bad value for configuration key \"log.accessFields\" in "
                + r.file()
                + " line 3: \"cookie\"");
  }

  @Test
  void broken_yaml_is_refused_and_the_same_broken_file_is_reported_once() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    write(r, "log: {level: [\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.REFUSED);
    assertThat(r.last().detail()).startsWith("invalid YAML in " + r.file());
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.UNCHANGED);
    write(r, "log: {level: warn}\n");
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.APPLIED);
    assertThat(r.current().log().level()).isEqualTo("warn");
  }

  @Test
  void a_failed_application_keeps_the_old_settings() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    write(r, "log: {level: info, accessFile: /nonexistent/dir/access.log}\n");
    failApply = "log.accessFile: cannot open \"/nonexistent/dir/access.log\"";
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.REFUSED);
    assertThat(r.current().log().accessFile()).isEmpty();
    assertThat(r.last().detail()).isEqualTo(failApply);
  }

  @Test
  void a_forced_reload_applies_even_an_unchanged_file() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    assertThat(r.check(true)).isEqualTo(ConfigReload.Result.APPLIED);
    assertThat(applied).hasSize(1);
  }

  @Test
  void a_missing_file_is_refused() throws Exception {
    ConfigReload r = reload("log: {level: info}\n");
    Files.delete(r.file());
    assertThat(r.check(false)).isEqualTo(ConfigReload.Result.REFUSED);
    assertThat(r.last().detail()).endsWith("cannot be read");
  }
}
