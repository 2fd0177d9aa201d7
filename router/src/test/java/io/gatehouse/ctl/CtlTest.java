package io.gatehouse.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse ctl} without a server: usage errors (exit 2), contexts in their file, input
 * reading and an unreachable server (exit 3). The verbs against a real node are in {@code CtlIT}.
 */
@Timeout(30)
class CtlTest {
  @TempDir Path dir;

  private Map<String, String> env() {
    return Map.of(CtlConfig.ENV_CONFIG, dir.resolve("ctl.yaml").toString());
  }

  private CtlRunner.Result ctl(String... args) {
    return CtlRunner.run(env(), "", args);
  }

  @Test
  void no_command_is_a_usage_error() {
    CtlRunner.Result r = ctl();
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("a command is missing");
  }

  @Test
  void help_lists_the_commands_and_the_exit_codes() {
    CtlRunner.Result r = ctl("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith("Usage: gatehouse ctl ")
        .contains("get", "apply", "delete", "explain", "status", "watch", "config")
        .contains("1 the API refused", "3 cannot reach the server", "4 not found");
  }

  @Test
  void an_unknown_kind_a_bad_output_and_an_unknown_flag_are_usage_errors() {
    CtlRunner.Result kind = ctl("get", "gizmos", "--server", "http://127.0.0.1:9");
    assertThat(kind.code()).isEqualTo(2);
    assertThat(kind.err())
        .isEqualTo(
            "gatehouse ctl: unknown kind \"gizmos\" (expected one of tenants, claims, routes,"
                + " backends, certificates, tokens)\n");
    CtlRunner.Result output = ctl("get", "routes", "-o", "xml");
    assertThat(output.code()).isEqualTo(2);
    assertThat(output.err()).contains("'--output': \"xml\" (expected: table, yaml or json)");
    CtlRunner.Result flag = ctl("get", "routes", "--colour");
    assertThat(flag.code()).isEqualTo(2);
    assertThat(flag.err())
        .contains("Unknown option: '--colour'")
        .contains("(see gatehouse ctl --help)");
  }

  @Test
  void no_server_anywhere_is_a_usage_error_that_says_how_to_set_one() {
    CtlRunner.Result r = ctl("get", "tenants");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no server: pass --server URL or create a context");
    CtlRunner.Result bad = ctl("get", "tenants", "--server", "ftp://x");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err())
        .contains("server: \"ftp://x\" (expected: http:// or https:// and a host)");
  }

  @Test
  void a_tenant_scoped_kind_without_a_tenant_is_a_usage_error() {
    CtlRunner.Result r = ctl("get", "routes", "--server", "http://127.0.0.1:9");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("routes belong to a tenant: pass --tenant");
  }

  @Test
  void a_server_that_refuses_connections_exits_three() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CtlRunner.Result r = ctl("get", "tenants", "--server", "http://127.0.0.1:" + port);
    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.err())
        .isEqualTo(
            "gatehouse ctl: cannot reach http://127.0.0.1:" + port + ": connection refused\n");
  }

  @Test
  void contexts_are_created_listed_switched_and_deleted_and_tokens_never_shown() {
    CtlRunner.Result dev =
        ctl(
            "config",
            "set-context",
            "dev",
            "--server",
            "http://127.0.0.1:9902",
            "--token",
            "id.secret-value",
            "--tenant",
            "acme");
    assertThat(dev.code()).as(dev.toString()).isZero();
    assertThat(dev.out()).startsWith("context \"dev\" created in ");
    CtlRunner.Result prod =
        ctl(
            "config",
            "set-context",
            "prod",
            "--server",
            "https://gh.example:9902",
            "--token-file",
            "/run/gh/token",
            "--ca-file",
            "/etc/ca.pem");
    assertThat(prod.code()).as(prod.toString()).isZero();
    CtlRunner.Result list = ctl("config", "get-contexts");
    assertThat(list.out())
        .isEqualTo(
            """
            CURRENT   NAME   SERVER                    TENANT   AUTH                 CA
            *         dev    http://127.0.0.1:9902     acme     token                <default>
                      prod   https://gh.example:9902   <none>   file /run/gh/token   /etc/ca.pem
            """);
    assertThat(list.out()).doesNotContain("secret-value");
    assertThat(ctl("config", "current-context").out()).isEqualTo("dev\n");
    assertThat(ctl("config", "use-context", "prod").code()).isZero();
    assertThat(ctl("config", "current-context").out()).isEqualTo("prod\n");
    CtlRunner.Result missing = ctl("config", "use-context", "staging");
    assertThat(missing.code()).isEqualTo(4);
    assertThat(missing.err()).contains("context \"staging\" not found");
    // an update keeps what the flags do not name
    assertThat(ctl("config", "set-context", "dev", "--tenant", "other").code()).isZero();
    assertThat(ctl("config", "get-contexts").out())
        .contains("dev    http://127.0.0.1:9902     other");
    assertThat(ctl("config", "delete-context", "dev").code()).isZero();
    assertThat(ctl("config", "delete-context", "dev").code()).isEqualTo(4);
  }

  @Test
  void the_contexts_file_is_readable_by_its_owner_only() throws IOException {
    assertThat(
            ctl("config", "set-context", "dev", "--server", "http://h:1", "--token", "a.b").code())
        .isZero();
    Path file = dir.resolve("ctl.yaml");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file))
        .isEqualTo(
            """
            current-context: dev
            contexts:
              - name: dev
                server: http://h:1
                token: a.b
            """);
  }

  @Test
  void a_context_named_by_flag_that_does_not_exist_is_a_usage_error() {
    CtlRunner.Result r = ctl("get", "tenants", "--context", "nope");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("context \"nope\" is not in");
  }

  @Test
  void apply_input_errors_name_the_file_and_line_and_exit_two() throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "kind: route\nname: web\nhosts: [a\n");
    CtlRunner.Result r = ctl("apply", "-f", bad.toString(), "--server", "http://h:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "gatehouse ctl: "
                + bad
                + ":3: not YAML or JSON: while parsing a flow sequence; expected ',' or ']', but"
                + " got <stream end>\n");
    Path nokind = dir.resolve("nokind.yaml");
    Files.writeString(nokind, "name: web\n---\nkind: route\nname: x\n");
    CtlRunner.Result k = ctl("apply", "-f", nokind.toString(), "--server", "http://h:1");
    assertThat(k.code()).isEqualTo(2);
    assertThat(k.err())
        .isEqualTo(
            "gatehouse ctl: "
                + nokind
                + ": document 1: kind is missing (expected one of tenants, claims, routes,"
                + " backends, certificates, tokens)\n");
    CtlRunner.Result missing = ctl("apply", "-f", dir.resolve("none.yaml").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read");
  }

  @Test
  void a_certificate_without_its_key_is_refused_before_anything_is_sent() {
    CtlRunner.Result r =
        CtlRunner.run(
            env(),
            "{\"kind\": \"certificate\", \"name\": \"www\", \"tenant\": \"acme\","
                + " \"certFile\": \"www.crt\"}",
            "apply",
            "-f",
            "-",
            "--server",
            "http://127.0.0.1:9");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "stdin: document 1: keyFile or privateKeyPem is missing (a certificate read back");
  }

  @Test
  void a_document_tenant_that_differs_from_the_flag_is_refused() {
    CtlRunner.Result r =
        CtlRunner.run(
            env(),
            "kind: claim\nhost: a.example\ntenant: acme\n",
            "apply",
            "-f",
            "-",
            "--tenant",
            "other",
            "--server",
            "http://127.0.0.1:9");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("stdin: document 1: tenant \"acme\" is not --tenant \"other\"");
  }

  @Test
  void documents_come_as_a_stream_a_json_array_or_an_items_list() throws CtlException {
    String stream = "kind: tenant\nname: a\n---\nkind: claim\nhost: x.example\n";
    assertThat(Documents.read("-", in(stream)))
        .extracting(d -> d.kind() + "/" + d.name())
        .containsExactly("TENANT/a", "CLAIM/x.example");
    String array = "[{\"kind\": \"route\", \"name\": \"r\"}, {\"kind\": \"Token\"}]";
    assertThat(Documents.read("-", in(array)))
        .extracting(d -> d.kind() + "/" + d.name())
        .containsExactly("ROUTE/r", "TOKEN/");
    String items = "items:\n  - kind: backend\n    name: pool\n  - kind: certs\n    name: www\n";
    assertThat(Documents.read("-", in(items)))
        .extracting(d -> d.kind() + "/" + d.name() + " " + d.where())
        .containsExactly(
            "BACKEND/pool stdin: document 1, item 0", "CERTIFICATE/www stdin: document 1, item 1");
  }

  @Test
  void a_refusal_names_its_problem_type_and_title_and_a_rate_limit_its_wait() {
    CtlException limited =
        AdminClient.refused(
            new AdminClient.Answer(
                429,
                Documents.parse(
                    "{\"type\": \"https://gatehouse.dev/problems/rate-limited\","
                        + " \"title\": \"Too many requests\", \"status\": 429}"),
                "",
                "3"),
            "route/web");
    assertThat(limited.code()).isEqualTo(1);
    assertThat(limited.getMessage())
        .isEqualTo("429 rate-limited: Too many requests\n  retry after 3 s");
    CtlException plain =
        AdminClient.refused(new AdminClient.Answer(502, null, "", ""), "route/web");
    assertThat(plain.code()).isEqualTo(1);
    assertThat(plain.getMessage()).isEqualTo("502: refused");
    CtlException missing =
        AdminClient.refused(new AdminClient.Answer(404, null, "", ""), "route/web (tenant a)");
    assertThat(missing.code()).isEqualTo(4);
    assertThat(missing.getMessage()).isEqualTo("route/web (tenant a) not found");
  }

  @Test
  void yaml_output_reads_back_as_the_same_strings() throws Exception {
    ObjectNode o = Documents.JSON.createObjectNode();
    for (String v :
        List.of(
            "*.apps.example",
            "&x",
            "!tag",
            "- a",
            "yes",
            "on",
            "null",
            "010",
            "1e3",
            "a: b",
            "#c",
            "x # y",
            "'q'",
            "\"dq\"",
            "@at",
            "`bt`",
            "%p",
            "|",
            ">",
            "",
            " lead")) {
      o.put("k" + o.size(), v);
    }
    assertThat(Documents.YAML.readTree(Documents.write(o, "yaml"))).isEqualTo(o);
  }

  @Test
  void a_table_cell_cannot_carry_control_characters() {
    assertThat(Table.clean("ok\u001b[2Jfake\nrow")).isEqualTo("ok?[2Jfake?row");
  }

  @Test
  void the_watch_interval_reads_seconds_milliseconds_and_minutes() throws CtlException {
    assertThat(Commands.Watch.duration("2s").toMillis()).isEqualTo(2000);
    assertThat(Commands.Watch.duration("250ms").toMillis()).isEqualTo(250);
    assertThat(Commands.Watch.duration("1m").toMillis()).isEqualTo(60_000);
    CtlRunner.Result r = ctl("watch", "routes", "--interval", "10ms", "--server", "http://h:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("(expected: at least 100ms)");
  }

  private static InputStream in(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
