package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.k8s.watch.GatewayApiOptions;
import io.gatehouse.tls.TlsPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void nothing_given_is_the_defaults() throws Exception {
    assertThat(new ConfigLoader().load()).isEqualTo(NodeConfig.DEFAULTS);
    assertThat(new ConfigLoader().yaml("", "empty.yaml").env(Map.of("PATH", "/bin")).load())
        .isEqualTo(NodeConfig.DEFAULTS);
  }

  @Test
  void file_then_env_then_flag_for_the_same_key() throws Exception {
    Path file = write("http:\n  port: 1000\n");
    Map<String, String> env = Map.of("GATEHOUSE_HTTP_PORT", "2000");

    assertThat(new ConfigLoader().file(file).load().http().port()).isEqualTo(1000);
    assertThat(new ConfigLoader().file(file).env(env).load().http().port()).isEqualTo(2000);
    assertThat(
            new ConfigLoader()
                .file(file)
                .env(env)
                .set("http.port", "3000", "--http-port")
                .load()
                .http()
                .port())
        .isEqualTo(3000);
  }

  @Test
  void h2c_only_is_read_from_file_and_env_and_needs_cleartext() throws Exception {
    assertThat(NodeConfig.DEFAULTS.http2().cleartextOnly()).isFalse();
    assertThat(ConfigLoader.keys()).contains("http2.cleartext", "http2.cleartextOnly");
    NodeConfig c =
        new ConfigLoader().file(write("http2:\n  cleartext: true\n  cleartextOnly: true\n")).load();
    assertThat(c.http2().cleartext()).isTrue();
    assertThat(c.http2().cleartextOnly()).isTrue();
    assertThat(
            new ConfigLoader()
                .env(
                    Map.of(
                        "GATEHOUSE_HTTP2_CLEARTEXT", "true",
                        "GATEHOUSE_HTTP2_CLEARTEXT_ONLY", "true"))
                .load()
                .http2()
                .cleartextOnly())
        .isTrue();
    assertThatThrownBy(() -> new ConfigLoader().set("http2.cleartextOnly", "true", "--set").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http2.cleartextOnly")
        .hasMessageContaining("http2.cleartext: true");
  }

  @Test
  void the_kubernetes_section_reads_lists_and_env() throws Exception {
    Path file =
        write(
            "kubernetes:\n  enabled: true\n  namespaces: [shop, team-b]\n"
                + "  publishAddresses: [\"192.0.2.10\", lb.example.com]\n  ingressClass: gatehouse\n");
    NodeConfig c =
        new ConfigLoader()
            .file(file)
            .env(Map.of("GATEHOUSE_KUBERNETES_LEASE_NAME", "edge-leader"))
            .load();

    assertThat(c.kubernetes().enabled()).isTrue();
    assertThat(c.kubernetes().namespaces()).containsExactly("shop", "team-b");
    assertThat(c.kubernetes().publishAddresses()).containsExactly("192.0.2.10", "lb.example.com");
    assertThat(c.kubernetes().ingressClass()).isEqualTo("gatehouse");
    assertThat(c.kubernetes().leaseName()).isEqualTo("edge-leader");
    assertThat(c.kubernetes().leaderElection()).isTrue();
    assertThat(c.kubernetes().kubeconfig()).isEmpty();
  }

  @Test
  void the_ingress_classes_are_a_list_or_the_old_single_string() throws Exception {
    NodeConfig list =
        new ConfigLoader().file(write("kubernetes:\n  ingressClass: [gatehouse, nginx]\n")).load();
    assertThat(list.kubernetes().ingressClasses()).containsExactly("gatehouse", "nginx");
    assertThat(list.kubernetes().ingressClass()).isEqualTo("gatehouse,nginx");
    NodeConfig single =
        new ConfigLoader().file(write("kubernetes:\n  ingressClass: gatehouse\n")).load();
    assertThat(single.kubernetes().ingressClasses()).containsExactly("gatehouse");
    NodeConfig comma =
        new ConfigLoader()
            .env(Map.of("GATEHOUSE_KUBERNETES_INGRESS_CLASS", "gatehouse, nginx"))
            .load();
    assertThat(comma.kubernetes().ingressClasses()).containsExactly("gatehouse", "nginx");
    assertThat(NodeConfig.DEFAULTS.kubernetes().ingressClasses()).isEmpty();
    for (String bad : List.of("Nginx", "a b", "-x")) {
      assertThatThrownBy(
              () -> new ConfigLoader().set("kubernetes.ingressClass", bad, "--set").load())
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("kubernetes.ingressClass");
    }
  }

  @Test
  void the_publish_service_is_read_from_env_and_must_be_namespace_slash_name() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .env(Map.of("GATEHOUSE_KUBERNETES_PUBLISH_SERVICE", "gatehouse/gatehouse-edge"))
            .load();
    assertThat(c.kubernetes().publishService()).isEqualTo("gatehouse/gatehouse-edge");
    assertThat(NodeConfig.DEFAULTS.kubernetes().publishService()).isEmpty();
    assertThat(ConfigLoader.keys()).contains("kubernetes.publishService");

    for (String bad : List.of("gatehouse", "gatehouse/", "/gatehouse", "a/b/c", "Gate/house")) {
      assertThatThrownBy(
              () ->
                  new ConfigLoader()
                      .env(Map.of("GATEHOUSE_KUBERNETES_PUBLISH_SERVICE", bad))
                      .load())
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("kubernetes.publishService")
          .hasMessageContaining("namespace/name");
    }
  }

  @Test
  void the_nginx_configmap_is_a_key_a_flag_and_namespace_slash_name() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .env(
                Map.of(
                    "GATEHOUSE_KUBERNETES_NGINX_CONFIG_MAP",
                    "ingress-nginx/ingress-nginx-controller"))
            .load();
    assertThat(c.kubernetes().nginxConfigMap()).isEqualTo("ingress-nginx/ingress-nginx-controller");
    assertThat(NodeConfig.DEFAULTS.kubernetes().nginxConfigMap()).isEmpty();
    assertThat(ConfigLoader.keys()).contains("kubernetes.nginxConfigMap");
    Path file = write("kubernetes:\n  nginxConfigMap: ingress-nginx/nginx.conf-1\n");
    assertThat(new ConfigLoader().file(file).load().kubernetes().nginxConfigMap())
        .isEqualTo("ingress-nginx/nginx.conf-1");

    for (String bad : List.of("ingress-nginx", "a/", "/b", "a/b/c", "Ingress/x", "a/B")) {
      assertThatThrownBy(
              () ->
                  new ConfigLoader()
                      .env(Map.of("GATEHOUSE_KUBERNETES_NGINX_CONFIG_MAP", bad))
                      .load())
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("kubernetes.nginxConfigMap")
          .hasMessageContaining("namespace/name");
    }
  }

  @Test
  void gateway_api_is_auto_by_default_and_takes_yaml_booleans_and_ports() throws Exception {
    assertThat(NodeConfig.DEFAULTS.kubernetes().gatewayApi()).isEqualTo("auto");
    assertThat(NodeConfig.DEFAULTS.kubernetes().gatewayHttpPort()).isEqualTo(80);
    assertThat(NodeConfig.DEFAULTS.kubernetes().gatewayHttpsPort()).isEqualTo(443);
    assertThat(ConfigLoader.keys())
        .contains(
            "kubernetes.gatewayApi", "kubernetes.gatewayHttpPort", "kubernetes.gatewayHttpsPort");
    // YAML reads an unquoted true as a boolean: it still means "require the CRDs"
    NodeConfig c =
        new ConfigLoader()
            .file(
                write(
                    "kubernetes:\n  gatewayApi: true\n  gatewayHttpPort: 8080\n"
                        + "  gatewayHttpsPort: 8443\n"))
            .load();
    assertThat(GatewayApiOptions.Mode.parse(c.kubernetes().gatewayApi()))
        .isEqualTo(GatewayApiOptions.Mode.REQUIRED);
    assertThat(c.kubernetes().gatewayHttpPort()).isEqualTo(8080);
    assertThat(c.kubernetes().gatewayHttpsPort()).isEqualTo(8443);
    NodeConfig off =
        new ConfigLoader().env(Map.of("GATEHOUSE_KUBERNETES_GATEWAY_API", "FALSE")).load();
    assertThat(GatewayApiOptions.Mode.parse(off.kubernetes().gatewayApi()))
        .isEqualTo(GatewayApiOptions.Mode.OFF);

    assertThatThrownBy(
            () ->
                new ConfigLoader().env(Map.of("GATEHOUSE_KUBERNETES_GATEWAY_API", "maybe")).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kubernetes.gatewayApi")
        .hasMessageContaining("maybe")
        .hasMessageContaining("auto, true or false");
    assertThatThrownBy(
            () -> new ConfigLoader().file(write("kubernetes:\n  gatewayHttpPort: 443\n")).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kubernetes.gatewayHttpsPort");
    assertThatThrownBy(
            () -> new ConfigLoader().file(write("kubernetes:\n  gatewayHttpPort: 70000\n")).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kubernetes.gatewayHttpPort");
  }

  @Test
  void gateway_addresses_are_empty_and_ports_the_four_web_ports_by_default() throws Exception {
    NodeConfig.Kubernetes k = NodeConfig.DEFAULTS.kubernetes();
    assertThat(k.gatewayAddresses()).isEmpty();
    assertThat(k.gatewayPorts()).containsExactly(80, 443, 8080, 8443);
    assertThat(ConfigLoader.keys())
        .contains("kubernetes.gatewayAddresses", "kubernetes.gatewayPorts");
  }

  @Test
  void gateway_addresses_and_ports_are_read_from_yaml_lists_and_env_text() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .file(
                write(
                    "kubernetes:\n  gatewayAddresses: [127.0.1.0/24, 2001:db8::10]\n"
                        + "  gatewayPorts: [80, 9000]\n"))
            .load();
    assertThat(c.kubernetes().gatewayAddresses()).containsExactly("127.0.1.0/24", "2001:db8::10");
    assertThat(c.kubernetes().gatewayPorts()).containsExactly(80, 9000);
    NodeConfig env =
        new ConfigLoader()
            .env(
                Map.of(
                    "GATEHOUSE_KUBERNETES_GATEWAY_ADDRESSES", "192.0.2.0/28, 192.0.2.100",
                    "GATEHOUSE_KUBERNETES_GATEWAY_PORTS", "8080,8443"))
            .load();
    assertThat(env.kubernetes().gatewayAddresses()).containsExactly("192.0.2.0/28", "192.0.2.100");
    assertThat(env.kubernetes().gatewayPorts()).containsExactly(8080, 8443);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "gatewayAddresses: [gateway.example]|kubernetes.gatewayAddresses|gateway.example",
        "gatewayAddresses: [10.0.0.0/33]|kubernetes.gatewayAddresses|10.0.0.0/33",
        "gatewayAddresses: [010.0.0.1]|kubernetes.gatewayAddresses|010.0.0.1",
        "gatewayPorts: [0]|kubernetes.gatewayPorts|0",
        "gatewayPorts: [65536]|kubernetes.gatewayPorts|65536",
        "gatewayPorts: [http]|kubernetes.gatewayPorts|http",
      })
  void a_malformed_gateway_address_or_port_is_refused_with_its_key(
      String line, String key, String value) throws Exception {
    assertThatThrownBy(() -> new ConfigLoader().file(write("kubernetes:\n  " + line + "\n")).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(value);
  }

  @Test
  void a_kubernetes_namespace_must_be_a_dns_label() throws Exception {
    Path file = write("kubernetes:\n  namespaces: [Shop_1]\n");

    assertThatThrownBy(() -> new ConfigLoader().file(file).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("kubernetes.namespaces")
        .hasMessageContaining("Shop_1");
  }

  @Test
  void the_kubernetes_upstream_policy_refuses_loopback_unless_allowed() throws Exception {
    NodeConfig.Kubernetes defaults = new ConfigLoader().load().kubernetes();
    assertThat(defaults.allowLoopbackExternalNames()).isFalse();
    assertThat(defaults.deniedUpstreams()).isEmpty();

    NodeConfig c =
        new ConfigLoader()
            .file(write("kubernetes:\n  deniedUpstreams: [\"10.96.0.0/12\", \"fd00::/8\"]\n"))
            .env(Map.of("GATEHOUSE_KUBERNETES_ALLOW_LOOPBACK_EXTERNAL_NAMES", "true"))
            .load();
    assertThat(c.kubernetes().deniedUpstreams()).containsExactly("10.96.0.0/12", "fd00::/8");
    assertThat(c.kubernetes().allowLoopbackExternalNames()).isTrue();
    assertThat(
            new ConfigLoader()
                .env(Map.of("GATEHOUSE_KUBERNETES_DENIED_UPSTREAMS", "10.0.0.0/8,192.0.2.7"))
                .load()
                .kubernetes()
                .deniedUpstreams())
        .containsExactly("10.0.0.0/8", "192.0.2.7");
  }

  @ParameterizedTest
  @CsvSource({
    "kubernetes.deniedUpstreams, 10.0.0.0/33",
    "kubernetes.deniedUpstreams, 300.1.1.0/24",
    "kubernetes.deniedUpstreams, cluster.local",
    "kubernetes.deniedUpstreams, 0x7f.1",
    "admin.deniedUpstreams, fd00::/129",
    "admin.deniedUpstreams, 10.0.0.0/x"
  })
  void a_denied_upstream_must_be_a_cidr(String key, String cidr) {
    assertThatThrownBy(() -> new ConfigLoader().setList(key, List.of(cidr), "--flag").load())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad value for configuration key \""
                + key
                + "\" in --flag: \""
                + cidr
                + "\" (expected: an IP address or CIDR such as 10.96.0.0/12 or fd00::/8)");
  }

  @ParameterizedTest
  @CsvSource({"0.0.0.0", "'::'", "'[::]'", "0:0:0:0:0:0:0:0"})
  void the_cluster_host_is_one_address_never_a_wildcard(String host) {
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .set("cluster.enabled", "true", "--flag")
                    .set("cluster.host", host, "--flag")
                    .load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.host")
        .hasMessageContaining("not a wildcard");
  }

  @Test
  void the_lease_duration_defaults_to_15s_and_takes_whole_seconds_of_at_least_2s()
      throws Exception {
    assertThat(new ConfigLoader().load().kubernetes().leaseDuration())
        .isEqualTo(Duration.ofSeconds(15));
    NodeConfig c =
        new ConfigLoader()
            .file(write("kubernetes:\n  enabled: true\n  leaseDuration: 4s\n"))
            .load();
    assertThat(c.kubernetes().leaseDuration()).isEqualTo(Duration.ofSeconds(4));

    for (String bad : List.of("1s", "2500ms")) {
      Path file = write("kubernetes:\n  enabled: true\n  leaseDuration: " + bad + "\n");
      assertThatThrownBy(() -> new ConfigLoader().file(file).load())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("kubernetes.leaseDuration")
          .hasMessageContaining("at least 2s");
    }
  }

  @Test
  void a_file_changes_only_the_keys_it_names() throws Exception {
    NodeConfig c = new ConfigLoader().file(write("limits:\n  maxHeaderCount: 50\n")).load();

    assertThat(c.limits().maxHeaderCount()).isEqualTo(50);
    assertThat(c.limits().maxHeaderBytes()).isEqualTo(EdgeLimits.DEFAULTS.maxHeaderBytes());
    assertThat(c.http()).isEqualTo(NodeConfig.DEFAULTS.http());
  }

  @Test
  void an_unknown_key_in_the_file_is_named_with_its_line() throws Exception {
    Path file = write("http:\n  port: 8080\nlimits:\n  maxHeaderCount: 50\n  maxHeaderBites: 1\n");

    assertThatThrownBy(() -> new ConfigLoader().file(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown configuration key \"limits.maxHeaderBites\" in " + file + " line 5");
  }

  @Test
  void an_unknown_top_level_key_is_named() throws Exception {
    Path file = write("htp:\n  port: 8080\n");

    assertThatThrownBy(() -> new ConfigLoader().file(file))
        .hasMessage("unknown configuration key \"htp\" in " + file + " line 1");
  }

  @Test
  void other_tools_gatehouse_variables_are_ignored_without_a_warning() throws Exception {
    // The project's own envtest README tells people to set GATEHOUSE_ENVTEST_DIR.
    ConfigLoader loader =
        new ConfigLoader()
            .env(
                Map.of(
                    "GATEHOUSE_ENVTEST_DIR", "/opt/envtest",
                    "GATEHOUSE_ENVTEST_CACHE", "/tmp/c",
                    "GATEHOUSE_ENVTEST_SKIP_BUILD", "1",
                    "GATEHOUSE_CMD", "x",
                    "GATEHOUSE_HTTP_PORT", "8081"));

    assertThat(loader.load().http().port()).isEqualTo(8081);
    assertThat(loader.warnings()).isEmpty();
  }

  @Test
  void a_typo_of_a_key_variable_is_ignored_with_a_warning_naming_the_key() throws Exception {
    ConfigLoader loader = new ConfigLoader().env(Map.of("GATEHOUSE_HTTP_PROT", "80"));

    assertThat(loader.load()).isEqualTo(NodeConfig.DEFAULTS);
    assertThat(loader.warnings())
        .containsExactly(
            "environment variable GATEHOUSE_HTTP_PROT is not a configuration key and is ignored;"
                + " did you mean GATEHOUSE_HTTP_PORT (http.port)?");
  }

  @Test
  void the_nearest_key_variable_is_found_only_within_a_small_edit_distance() {
    assertThat(ConfigLoader.nearestEnvName("GATEHOUSE_LIMITS_MAX_HEADER_BYTE"))
        .isEqualTo("GATEHOUSE_LIMITS_MAX_HEADER_BYTES");
    assertThat(ConfigLoader.nearestEnvName("GATEHOUSE_TLS_CERTDIR"))
        .isEqualTo("GATEHOUSE_TLS_CERT_DIR");
    assertThat(ConfigLoader.nearestEnvName("GATEHOUSE_ENVTEST_DIR")).isNull();
    assertThat(ConfigLoader.nearestEnvName("GATEHOUSE_X")).isNull();
    assertThat(ConfigLoader.editDistance("kitten", "sitting", 10)).isEqualTo(3);
    assertThat(ConfigLoader.editDistance("kitten", "sitting", 2)).isEqualTo(2);
  }

  @Test
  void the_server_header_defaults_to_gatehouse_and_can_be_set_or_turned_off() throws Exception {
    assertThat(new ConfigLoader().load().proxy().serverHeader()).isEqualTo("gatehouse");
    assertThat(new ConfigLoader().load().proxy().passUpstreamServerHeader()).isFalse();
    NodeConfig c =
        new ConfigLoader()
            .env(
                Map.of(
                    "GATEHOUSE_PROXY_SERVER_HEADER", "edge",
                    "GATEHOUSE_PROXY_PASS_UPSTREAM_SERVER_HEADER", "true"))
            .load();
    assertThat(c.proxy().serverHeader()).isEqualTo("edge");
    assertThat(c.proxy().passUpstreamServerHeader()).isTrue();
    assertThat(new ConfigLoader().yaml("proxy:\n  serverHeader: \"\"\n", "t").load().proxy())
        .extracting(NodeConfig.Proxy::serverHeader)
        .isEqualTo("");
  }

  @Test
  void a_server_header_that_is_not_a_field_value_is_refused() {
    assertThatThrownBy(
            () -> new ConfigLoader().set("proxy.serverHeader", "a\r\nX-Evil: 1", "--set").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.serverHeader")
        .hasMessageContaining("visible ASCII");
  }

  @Test
  void a_bad_duration_names_the_key_line_and_form() throws Exception {
    Path file = write("limits:\n  headerReadTimeout: ten seconds\n");

    assertThatThrownBy(() -> new ConfigLoader().file(file).load())
        .hasMessage(
            "bad value for configuration key \"limits.headerReadTimeout\" in "
                + file
                + " line 2: \"ten seconds\" (expected: a duration such as 10s, 250ms, 5m, 1h or"
                + " PT10S)");
  }

  @Test
  void a_bad_value_from_the_environment_names_the_variable() {
    assertThatThrownBy(
            () ->
                new ConfigLoader().env(Map.of("GATEHOUSE_LIMITS_MAX_HEADER_COUNT", "many")).load())
        .hasMessage(
            "bad value for configuration key \"limits.maxHeaderCount\" in environment variable"
                + " GATEHOUSE_LIMITS_MAX_HEADER_COUNT: \"many\" (expected: an integer)");
  }

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({"250ms,250", "10s,10000", "5m,300000", "1h,3600000", "PT10S,10000", "1m30s,90000"})
  void durations_take_short_and_iso_forms(String text, long millis) throws Exception {
    NodeConfig c = new ConfigLoader().set("routes.pollInterval", text, "--set").load();

    assertThat(c.routes().pollInterval()).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void byte_sizes_take_binary_units() throws Exception {
    NodeConfig c =
        new ConfigLoader()
            .yaml("limits:\n  maxHeaderBytes: 64KiB\n  writeQueueBytes: 1MiB\n", "c.yaml")
            .load();

    assertThat(c.limits().maxHeaderBytes()).isEqualTo(64 * 1024);
    assertThat(c.limits().writeQueueBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void enum_values_ignore_case() throws Exception {
    NodeConfig c =
        new ConfigLoader().env(Map.of("GATEHOUSE_LIMITS_UNDERSCORE_HEADERS", "drop")).load();

    assertThat(c.limits().underscoreHeaders()).isEqualTo(EdgeLimits.UnderscoreHeaders.DROP);
    assertThatThrownBy(
            () -> new ConfigLoader().set("limits.underscoreHeaders", "strip", "--set").load())
        .hasMessageContaining("(expected: one of reject, drop, allow)");
  }

  @Test
  void lists_come_from_yaml_lists_or_comma_separated_text() throws Exception {
    NodeConfig fromYaml =
        new ConfigLoader()
            .yaml("proxy:\n  trustedProxies:\n    - 10.0.0.0/8\n    - \"fd00::/8\"\n", "c.yaml")
            .load();
    NodeConfig fromEnv =
        new ConfigLoader()
            .env(Map.of("GATEHOUSE_PROXY_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8"))
            .load();

    assertThat(fromYaml.proxy().trustedProxies()).containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(fromEnv.proxy()).isEqualTo(fromYaml.proxy());
  }

  @Test
  void a_bad_cidr_names_the_key() {
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .setList("proxy.trustedProxies", List.of("10.0.0.0/33"), "--trusted-proxy")
                    .load())
        .hasMessageStartingWith(
            "bad value for configuration key \"proxy.trustedProxies\" in --trusted-proxy:"
                + " \"10.0.0.0/33\"");
  }

  @Test
  void the_client_address_settings_come_from_yaml_and_env() throws Exception {
    NodeConfig fromYaml =
        new ConfigLoader()
            .yaml(
                "proxy:\n  allow: [10.0.0.0/8]\n  deny: [\"10.1.0.0/16\", \"::1\"]\n"
                    + "  proxyProtocol: {https: true, headerTimeout: 2s}\n",
                "c.yaml")
            .load();
    NodeConfig fromEnv =
        new ConfigLoader()
            .env(
                Map.of(
                    "GATEHOUSE_PROXY_ALLOW", "10.0.0.0/8",
                    "GATEHOUSE_PROXY_DENY", "10.1.0.0/16,::1",
                    "GATEHOUSE_PROXY_PROXY_PROTOCOL_HTTPS", "true",
                    "GATEHOUSE_PROXY_PROXY_PROTOCOL_HEADER_TIMEOUT", "2s"))
            .load();

    assertThat(fromYaml.proxy().allow()).containsExactly("10.0.0.0/8");
    assertThat(fromYaml.proxy().deny()).containsExactly("10.1.0.0/16", "::1");
    assertThat(fromYaml.proxy().proxyProtocol())
        .isEqualTo(new NodeConfig.ProxyProtocol(false, true, Duration.ofSeconds(2)));
    assertThat(fromEnv.proxy()).isEqualTo(fromYaml.proxy());
    assertThat(NodeConfig.DEFAULTS.proxy().proxyProtocol()).isEqualTo(NodeConfig.ProxyProtocol.OFF);
    assertThat(NodeConfig.DEFAULTS.proxy().allow()).isEmpty();
    assertThat(NodeConfig.DEFAULTS.proxy().deny()).isEmpty();
  }

  @Test
  void a_bad_client_list_or_header_timeout_names_the_key() {
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .setList("proxy.deny", List.of("10.0.0.0/8", "1.2.3"), "x")
                    .load())
        .hasMessageStartingWith("bad value for configuration key \"proxy.deny\" in x: \"1.2.3\"");
    assertThatThrownBy(
            () -> new ConfigLoader().setList("proxy.allow", List.of("localhost"), "x").load())
        .hasMessageStartingWith("bad value for configuration key \"proxy.allow\"");
    assertThatThrownBy(
            () -> new ConfigLoader().set("proxy.proxyProtocol.headerTimeout", "5m", "--set").load())
        .hasMessageContaining("proxy.proxyProtocol.headerTimeout")
        .hasMessageContaining("between 1ms and 1m");
  }

  @Test
  void a_port_out_of_range_names_the_key() {
    assertThatThrownBy(() -> new ConfigLoader().set("http.port", "70000", "--http-port").load())
        .hasMessageContaining("\"http.port\" in --http-port: \"70000\" (expected: a port 0-65535");
  }

  @Test
  void a_mapping_where_a_value_belongs_and_the_reverse_are_errors() {
    assertThatThrownBy(() -> new ConfigLoader().yaml("http: 8080\n", "c.yaml"))
        .hasMessageContaining("\"http\" in c.yaml line 1: 8080 (expected: a mapping");
    assertThatThrownBy(() -> new ConfigLoader().yaml("http:\n  port: {a: 1}\n", "c.yaml").load())
        .hasMessageContaining("\"http.port\" in c.yaml line 2");
  }

  @Test
  void invalid_yaml_gives_the_line() {
    assertThatThrownBy(() -> new ConfigLoader().yaml("http:\n  port: [1\n", "c.yaml"))
        .hasMessageStartingWith("invalid YAML in c.yaml line 3");
  }

  @Test
  void environment_names_are_the_key_in_upper_snake_case() {
    assertThat(ConfigLoader.envName("limits.maxHeaderBytes"))
        .isEqualTo("GATEHOUSE_LIMITS_MAX_HEADER_BYTES");
    assertThat(ConfigLoader.envName("eventLoops")).isEqualTo("GATEHOUSE_EVENT_LOOPS");
    assertThat(ConfigLoader.keys()).contains("tls.port", "tls.certDir", "routes.pollInterval");
  }

  @Test
  void tls_is_off_by_default_and_a_cert_dir_turns_it_on() throws Exception {
    NodeConfig.Tls tls = new ConfigLoader().load().tls();
    assertThat(tls).isEqualTo(NodeConfig.DEFAULTS.tls());
    assertThat(tls.listens()).isFalse();
    assertThat(tls.engine()).isEqualTo(NodeConfig.Tls.Engine.AUTO);
    NodeConfig.Tls withDir =
        new ConfigLoader()
            .env(Map.of("GATEHOUSE_TLS_CERT_DIR", "/certs", "GATEHOUSE_TLS_ENGINE", "jdk"))
            .load()
            .tls();
    assertThat(withDir.listens()).isTrue();
    assertThat(withDir.engine()).isEqualTo(NodeConfig.Tls.Engine.JDK);
  }

  @Test
  void the_tls_policy_is_read_from_keys_and_refused_with_the_key_named() throws Exception {
    NodeConfig.Tls tls =
        new ConfigLoader()
            .yaml(
                String.join(
                    "\n",
                    "tls:",
                    "  protocols: [TLSv1.2]",
                    "  cipherSuites: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                    "  groups: [x25519, P-256]",
                    "  sessionTickets: false",
                    "  sessionTimeout: 5m",
                    "  minVersionByHost: []"),
                "c.yaml")
            .load()
            .tls();
    assertThat(tls.policy().protocols()).containsExactly("TLSv1.2");
    assertThat(tls.policy().cipherSuites())
        .containsExactly("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assertThat(tls.policy().groups()).containsExactly("X25519", "P-256");
    assertThat(tls.policy().sessionTickets()).isFalse();
    assertThat(tls.policy().sessionTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(new ConfigLoader().load().tls().policy()).isEqualTo(TlsPolicy.DEFAULTS);
    assertThatThrownBy(
            () -> new ConfigLoader().set("tls.protocols", "TLSv1.1,TLSv1.2", "--set").load())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad value for configuration key \"tls.protocols\" in --set: \"TLSv1.1\" (expected:"
                + " TLSv1.2 and/or TLSv1.3; older versions are insecure and refused)");
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .env(
                        Map.of(
                            "GATEHOUSE_TLS_CIPHER_SUITES", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"))
                    .load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("\"tls.cipherSuites\" in environment variable")
        .hasMessageContaining("HTTP/2's block list");
  }

  @Test
  void the_passthrough_limits_are_read_and_refused_outside_their_bounds() throws Exception {
    assertThat(new ConfigLoader().load().tls().passthrough())
        .isEqualTo(io.gatehouse.passthrough.Passthrough.Settings.DEFAULTS);
    NodeConfig.Tls tls =
        new ConfigLoader()
            .yaml(
                String.join(
                    "\n",
                    "tls:",
                    "  passthrough:",
                    "    helloTimeout: 3s",
                    "    maxHelloBytes: 32768",
                    "    connectTimeout: 750ms",
                    "    idleTimeout: 1h"),
                "c.yaml")
            .set("tls.passthrough.idleTimeout", "90s", "--set")
            .load()
            .tls();
    assertThat(tls.passthrough())
        .isEqualTo(
            new io.gatehouse.passthrough.Passthrough.Settings(
                java.time.Duration.ofSeconds(3),
                32768,
                java.time.Duration.ofMillis(750),
                java.time.Duration.ofSeconds(90)));
    record Bad(String key, String value, String expected) {}
    for (Bad b :
        List.of(
            new Bad("tls.passthrough.helloTimeout", "0s", "from 100ms to 1h"),
            new Bad("tls.passthrough.maxHelloBytes", "4096", "16384 to 1048576"),
            new Bad("tls.passthrough.maxHelloBytes", "2000000", "16384 to 1048576"),
            new Bad("tls.passthrough.connectTimeout", "2h", "from 1ms to 1h"),
            new Bad("tls.passthrough.idleTimeout", "500ms", "from 1s to 168h"))) {
      assertThatThrownBy(() -> new ConfigLoader().set(b.key(), b.value(), "--set").load())
          .as(b.toString())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("\"" + b.key() + "\" in --set")
          .hasMessageContaining(b.expected());
    }
  }

  @Test
  void engine_support_is_checked_only_when_https_listens() throws Exception {
    // groups cannot be honoured on the JDK engine: refused only when the listener runs.
    new ConfigLoader()
        .env(Map.of("GATEHOUSE_TLS_ENGINE", "jdk", "GATEHOUSE_TLS_GROUPS", "X25519"))
        .load();
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .env(
                        Map.of(
                            "GATEHOUSE_TLS_ENGINE",
                            "jdk",
                            "GATEHOUSE_TLS_GROUPS",
                            "X25519",
                            "GATEHOUSE_TLS_ENABLED",
                            "true"))
                    .load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("\"tls.groups\"")
        .hasMessageContaining("tls.engine: openssl");
  }

  @Test
  void the_redirect_port_defaults_to_the_bound_one_and_is_a_port() throws Exception {
    assertThat(new ConfigLoader().load().tls().redirectPort()).isZero();
    assertThat(
            new ConfigLoader()
                .env(Map.of("GATEHOUSE_TLS_REDIRECT_PORT", "443"))
                .load()
                .tls()
                .redirectPort())
        .isEqualTo(443);
    assertThatThrownBy(
            () -> new ConfigLoader().env(Map.of("GATEHOUSE_TLS_REDIRECT_PORT", "70000")).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls.redirectPort");
  }

  @Test
  void a_default_certificate_name_must_be_a_file_name() {
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .env(Map.of("GATEHOUSE_TLS_DEFAULT_CERTIFICATE", "../etc/key"))
                    .load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls.defaultCertificate");
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
