package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.flags.RouteFlagTranslator;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private Cli.Result parse(Map<String, String> env, String... args) {
    return Cli.parse(args, env, new PrintWriter(out), new PrintWriter(err));
  }

  private Cli.Run run(String... args) {
    Cli.Result r = parse(Map.of(), args);
    assertThat(r).as("stderr: %s", err).isInstanceOf(Cli.Run.class);
    return (Cli.Run) r;
  }

  private String failure(String... args) {
    assertThat(parse(Map.of(), args)).isEqualTo(new Cli.Exit(2));
    String message = err.toString();
    assertThat(message.strip()).doesNotContain("\n");
    return message;
  }

  @Test
  void no_arguments_give_the_defaults_and_no_routes() {
    Cli.Run r = run();

    assertThat(r.config()).isEqualTo(NodeConfig.DEFAULTS);
    assertThat(r.cliRoutes()).isEmpty();
  }

  @Test
  void ingress_class_repeats_or_takes_a_comma_list() {
    assertThat(
            run("--ingress-class", "gatehouse", "--ingress-class", "nginx")
                .config()
                .kubernetes()
                .ingressClasses())
        .containsExactly("gatehouse", "nginx");
    assertThat(run("--ingress-class=gatehouse,nginx").config().kubernetes().ingressClasses())
        .containsExactly("gatehouse", "nginx");
    assertThat(failure("--ingress-class", "Not Valid")).contains("kubernetes.ingressClass");
  }

  @Test
  void a_proxy_protocol_listener_other_than_http_or_https_is_an_error() {
    assertThat(failure("--proxy-protocol=status"))
        .contains("--proxy-protocol")
        .contains("\"status\"")
        .contains("expected: http or https");
  }

  @Test
  void help_exits_0_and_lists_every_option() {
    assertThat(parse(Map.of(), "--help")).isEqualTo(new Cli.Exit(0));

    String help = out.toString();
    assertThat(help.lines().findFirst()).hasValue("Gatehouse edge router");
    assertThat(help)
        .contains(
            "--config=PATH",
            "--http-port=N",
            "--http-host=ADDR",
            "--status-port=N",
            "--status-host=ADDR",
            "--routes-file=PATH",
            "--default-backend=HOST:PORT",
            "--trusted-proxy=CIDR",
            "--route=SPEC",
            "--set=KEY=VALUE",
            "--log-level=LEVEL",
            "--https-port=N",
            "--cert-dir=PATH",
            "--help",
            "--version")
        .contains("(default: 80)", "(default: 9901)", "(default: 443)")
        .contains("limits.maxHeaderCount", "http2.cleartext", "http2.cleartextOnly");
    assertThat(Cli.usage()).startsWith("Gatehouse edge router");
  }

  @Test
  void version_exits_0() {
    assertThat(parse(Map.of(), "--version")).isEqualTo(new Cli.Exit(0));
    assertThat(out.toString()).startsWith("Gatehouse ");
  }

  @Test
  void an_unknown_option_is_a_usage_error_naming_it() {
    assertThat(failure("--http-prot", "80")).contains("'--http-prot'");
  }

  @Test
  void a_bad_option_value_names_the_option() {
    assertThat(failure("--http-port", "eighty")).contains("'--http-port'").contains("eighty");
  }

  @Test
  void named_flags_set_their_keys() {
    NodeConfig c =
        run(
                "--http-port=8080",
                "--http-host=127.0.0.1",
                "--status-port=0",
                "--status-host=::1",
                "--routes-file=/etc/routes.yaml",
                "--default-backend=127.0.0.1:9000",
                "--trusted-proxy=10.0.0.0/8",
                "--trusted-proxy=192.168.1.1",
                "--allow-client=10.0.0.0/8",
                "--deny-client=10.1.0.0/16",
                "--deny-client=::1",
                "--proxy-protocol=http",
                "--proxy-protocol=https",
                "--log-level=debug",
                "--https-port=8443",
                "--cert-dir=/certs")
            .config();

    assertThat(c.http()).isEqualTo(new NodeConfig.Listener("127.0.0.1", 8080));
    assertThat(c.status()).isEqualTo(new NodeConfig.Listener("::1", 0));
    assertThat(c.routes().file()).isEqualTo("/etc/routes.yaml");
    assertThat(c.defaultBackend().upstream()).isEqualTo("127.0.0.1:9000");
    assertThat(c.proxy().trustedProxies()).containsExactly("10.0.0.0/8", "192.168.1.1");
    assertThat(c.proxy().allow()).containsExactly("10.0.0.0/8");
    assertThat(c.proxy().deny()).containsExactly("10.1.0.0/16", "::1");
    assertThat(c.proxy().proxyProtocol().http()).isTrue();
    assertThat(c.proxy().proxyProtocol().https()).isTrue();
    assertThat(c.log().level()).isEqualTo("debug");
    assertThat(c.tls().port()).isEqualTo(8443);
    assertThat(c.tls().certDir()).isEqualTo("/certs");
    assertThat(c.tls().listens()).isTrue();
  }

  @Test
  void file_then_env_then_flag() throws Exception {
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, "http: {port: 1000}\nstatus: {port: 1001}\nlog: {level: warn}\n");
    Map<String, String> env =
        Map.of("GATEHOUSE_HTTP_PORT", "2000", "GATEHOUSE_STATUS_PORT", "2001");

    Cli.Result r = parse(env, "--config", file.toString(), "--http-port", "3000");

    NodeConfig c = ((Cli.Run) r).config();
    assertThat(c.http().port()).isEqualTo(3000);
    assertThat(c.status().port()).isEqualTo(2001);
    assertThat(c.log().level()).isEqualTo("warn");
  }

  @Test
  void the_config_file_can_come_from_the_environment() throws Exception {
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, "http: {port: 1000}\n");

    Cli.Result r = parse(Map.of("GATEHOUSE_CONFIG", file.toString()));

    assertThat(((Cli.Run) r).config().http().port()).isEqualTo(1000);
  }

  @Test
  void set_takes_any_key_and_named_flags_win_over_it() {
    NodeConfig c =
        run("--set", "limits.maxHeaderCount=50", "--set=http.port=1", "--http-port=2").config();

    assertThat(c.limits().maxHeaderCount()).isEqualTo(50);
    assertThat(c.http().port()).isEqualTo(2);
  }

  @Test
  void set_with_an_unknown_key_names_it() {
    assertThat(failure("--set", "limits.maxHeaderBites=1"))
        .contains("unknown configuration key \"limits.maxHeaderBites\"");
    err.getBuffer().setLength(0);
    assertThat(failure("--set", "novalue")).contains("--set").contains("KEY=VALUE");
  }

  @Test
  void another_tools_gatehouse_variable_does_not_stop_the_node() {
    Cli.Result r = parse(Map.of("GATEHOUSE_ENVTEST_DIR", "/opt/envtest"));

    assertThat(r).as("stderr: %s", err).isInstanceOf(Cli.Run.class);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void a_typo_of_a_key_variable_runs_with_a_warning() {
    Cli.Result r = parse(Map.of("GATEHOUSE_HTTP_PROT", "80"));

    assertThat(r).isInstanceOf(Cli.Run.class);
    assertThat(((Cli.Run) r).config().http().port()).isEqualTo(NodeConfig.DEFAULTS.http().port());
    assertThat(err.toString())
        .startsWith("gatehouse: warning: environment variable GATEHOUSE_HTTP_PROT")
        .contains("did you mean GATEHOUSE_HTTP_PORT (http.port)?");
  }

  @Test
  void kubernetes_without_any_credentials_fails_at_once_saying_what_is_missing() {
    assertThat(parse(Map.of(), "--set", "kubernetes.enabled=true")).isEqualTo(new Cli.Exit(2));

    assertThat(err.toString())
        .contains("no Kubernetes API credentials")
        .contains("KUBERNETES_SERVICE_HOST")
        .contains("--kubeconfig")
        .contains("KUBECONFIG");
  }

  @Test
  void kubernetes_takes_kubeconfig_from_the_flag_or_the_kubeconfig_variable() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\n");

    Cli.Result flag =
        parse(Map.of(), "--set", "kubernetes.enabled=true", "--kubeconfig", kubeconfig.toString());
    assertThat(flag).as("stderr: %s", err).isInstanceOf(Cli.Run.class);
    assertThat(((Cli.Run) flag).config().kubernetes().kubeconfig())
        .isEqualTo(kubeconfig.toString());

    Cli.Result env =
        parse(
            Map.of("KUBECONFIG", dir.resolve("missing") + ":" + kubeconfig),
            "--set",
            "kubernetes.enabled=true");
    assertThat(env).as("stderr: %s", err).isInstanceOf(Cli.Run.class);
    assertThat(((Cli.Run) env).config().kubernetes().kubeconfig()).isEqualTo(kubeconfig.toString());
  }

  @Test
  void a_kubeconfig_that_does_not_exist_is_named() {
    assertThat(
            parse(
                Map.of(),
                "--set",
                "kubernetes.enabled=true",
                "--kubeconfig",
                dir.resolve("nope").toString()))
        .isEqualTo(new Cli.Exit(2));
    assertThat(err.toString()).contains("kubernetes.kubeconfig").contains("nope");
  }

  @Test
  void a_config_file_error_names_the_key_and_line() throws Exception {
    Path file = dir.resolve("g.yaml");
    Files.writeString(file, "limits:\n  maxHeaderBites: 1\n");

    assertThat(failure("--config", file.toString()))
        .contains("\"limits.maxHeaderBites\" in " + file + " line 2");
  }

  @Test
  void a_quick_route_becomes_a_cli_spec() {
    List<RouteSpec> routes = run("--route", "a.example=127.0.0.1:18081").cliRoutes();

    assertThat(routes).hasSize(1);
    RouteSpec r = routes.get(0);
    assertThat(r.key()).isEqualTo(RouteKey.of("default", "cli", "a.example"));
    assertThat(r.hosts()).containsExactly("a.example");
    assertThat(r.paths()).containsExactly(PathMatch.prefix("/"));
    assertThat(r.backend().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(r.backend().endpoints()).containsExactly(Endpoint.of("127.0.0.1", 18081));
  }

  @Test
  void a_quick_route_with_a_path_and_several_endpoints() {
    List<RouteSpec> routes =
        run(
                "--route",
                "API.example/v1/=127.0.0.1:1,[::1]:2",
                "--route",
                "*.apps.example=127.0.0.1:3")
            .cliRoutes();

    assertThat(routes)
        .extracting(r -> r.key().name())
        .containsExactly("api.example-v1", "wildcard.apps.example");
    assertThat(routes.get(0).hosts()).containsExactly("api.example");
    assertThat(routes.get(0).paths()).containsExactly(PathMatch.prefix("/v1"));
    assertThat(routes.get(0).backend().endpoints())
        .containsExactly(Endpoint.of("127.0.0.1", 1), Endpoint.of("::1", 2));
  }

  @Test
  void quick_route_names_are_deterministic_and_unique() {
    List<RouteSpec> routes =
        run("--route", "a.b/c=127.0.0.1:1", "--route", "a.b-c=127.0.0.1:2").cliRoutes();

    assertThat(routes).extracting(r -> r.key().name()).containsExactly("a.b-c", "a.b-c-2");
    assertThat(RouteFlagTranslator.name("a.b", "/c")).isEqualTo("a.b-c");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a.example                   | HOST[/PATH]=HOST:PORT",
        "a.example=                  | HOST[/PATH]=HOST:PORT",
        "/api=127.0.0.1:1            | with a host before the path",
        "a.example=127.0.0.1         | \"127.0.0.1\" (expected: HOST:PORT",
        "a.example=127.0.0.1:0       | \"127.0.0.1:0\" (expected: HOST:PORT",
        "bad host=127.0.0.1:1        | hosts[0]: \"bad host\"",
        "a.example/a/../b=127.0.0.1:1 | paths[0].value"
      })
  void an_invalid_quick_route_is_a_usage_error(String spec, String message) {
    assertThat(failure("--route", spec)).contains("--route").contains(message);
  }

  @Test
  void the_same_quick_route_twice_is_an_error() {
    assertThat(failure("--route", "a.example=127.0.0.1:1", "--route", "a.example=127.0.0.1:2"))
        .contains("the same host and path");
  }
}
