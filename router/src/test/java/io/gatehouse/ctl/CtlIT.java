package io.gatehouse.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.Cli;
import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.TestPki;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse ctl} end to end against a node with the admin API on: every verb, every exit
 * code, the table and YAML output pinned. Each test works in its own tenant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CtlIT {
  AdminNode an;
  String server;
  Path dir;

  @BeforeAll
  void start(@TempDir Path nodeDir, @TempDir Path work) throws Exception {
    an = AdminNode.start(nodeDir, c -> c);
    server = "http://127.0.0.1:" + an.node().node().adminPort();
    dir = work;
  }

  @AfterAll
  void stop() {
    if (an != null) {
      an.close();
    }
  }

  private Map<String, String> env() {
    return Map.of(CtlConfig.ENV_CONFIG, dir.resolve("ctl.yaml").toString());
  }

  /** Runs ctl as the admin, with the connection flags before the command. */
  private CtlRunner.Result ctl(String stdin, String... args) {
    return as(AdminNode.ADMIN, stdin, args);
  }

  private CtlRunner.Result as(String token, String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("--server", server, "--token", token));
    all.addAll(List.of(args));
    return CtlRunner.run(env(), stdin, all.toArray(String[]::new));
  }

  private static String revisions(String s) {
    return s.replaceAll("revision [0-9]+", "revision N");
  }

  private long revision(String path) throws Exception {
    HttpResponse<String> r = an.admin("GET", path, AdminNode.ADMIN, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getLong("revision");
  }

  /** A tenant with a claim on {@code www.TENANT.example} and a route {@code web} to it, served. */
  private CtlRunner.Result setUp(String tenant) {
    String docs =
        """
        kind: tenant
        name: %1$s
        displayName: %1$s Inc
        ---
        kind: claim
        tenant: %1$s
        host: www.%1$s.example
        ---
        kind: route
        tenant: %1$s
        name: web
        hosts: [www.%1$s.example]
        paths: [/api]
        backend:
          endpoints: [10.0.0.5:8080]
        """
            .formatted(tenant);
    CtlRunner.Result r = ctl(docs, "apply", "--wait", "-f", "-");
    assertThat(r.code()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void apply_creates_a_tenant_a_claim_and_a_route_and_get_prints_them_as_tables() throws Exception {
    CtlRunner.Result applied = setUp("shop");
    assertThat(revisions(applied.out()))
        .isEqualTo(
            """
            tenant/shop created (revision N)
            claim/www.shop.example (tenant shop) created (revision N)
            route/web (tenant shop) created (revision N)
            """);
    long route = revision("/v1/tenants/shop/routes/web");
    CtlRunner.Result routes = ctl("", "get", "routes", "--tenant", "shop");
    assertThat(routes.code()).as(routes.toString()).isZero();
    assertThat(routes.out())
        .isEqualTo(
            """
            NAME   HOSTS              PATHS   BACKEND         REVISION
            web    www.shop.example   /api    10.0.0.5:8080   %d
            """
                .formatted(route));
    long tenant = revision("/v1/tenants/shop");
    assertThat(ctl("", "get", "tenant", "shop").out())
        .isEqualTo(
            """
            NAME   DISPLAY-NAME   REVISION
            shop   shop Inc       %d
            """
                .formatted(tenant));
    long claim = revision("/v1/tenants/shop/host-claims/www.shop.example");
    assertThat(ctl("", "get", "claims", "-t", "shop").out())
        .isEqualTo(
            """
            HOST               TENANT   REVISION
            www.shop.example   shop     %d
            """
                .formatted(claim));
    // the same documents again change nothing: the same revision
    CtlRunner.Result again = setUp("shop");
    assertThat(again.out()).contains("route/web (tenant shop) applied (revision " + route + ")");
  }

  @Test
  void get_yaml_is_the_answer_with_its_kind_and_applies_back_unchanged() throws Exception {
    setUp("yamls");
    long route = revision("/v1/tenants/yamls/routes/web");
    CtlRunner.Result yaml = ctl("", "get", "route", "web", "-t", "yamls", "-o", "yaml");
    assertThat(yaml.code()).as(yaml.toString()).isZero();
    assertThat(yaml.out())
        .isEqualTo(
            """
            kind: route
            name: web
            tenant: yamls
            revision: %d
            hosts:
              - www.yamls.example
            paths:
              - type: Prefix
                value: /api
            methods: []
            headers: []
            queries: []
            backend:
              protocol: http1
              endpoints:
                - address: 10.0.0.5:8080
                  weight: 1
            timeouts:
              connect: 5s
              response: 15s
              bodyIdle: 1m
              request: 5m
            maxRequestBodyBytes: 10485760
            priority: 0
            """
                .formatted(route));
    CtlRunner.Result back = ctl(yaml.out(), "apply", "-f", "-");
    assertThat(back.code()).as(back.toString()).isZero();
    assertThat(back.out()).isEqualTo("route/web (tenant yamls) applied (revision " + route + ")\n");
    CtlRunner.Result json = ctl("", "get", "routes", "-t", "yamls", "-o", "json");
    assertThat(new JsonObject(json.out()).getJsonArray("items").getJsonObject(0).getString("kind"))
        .isEqualTo("route");
  }

  @Test
  void a_named_backend_and_a_split_route_show_in_their_tables_and_a_list_in_yaml()
      throws Exception {
    setUp("split");
    String docs =
        """
        kind: backend
        name: pool
        endpoints: [10.0.0.8:8080, 10.0.0.9:8080]
        ---
        kind: route
        name: canary
        hosts: [www.split.example]
        paths: [/canary]
        backendRefs:
          - {backend: pool, weight: 90}
          - {endpoints: [10.0.0.7:8080], weight: 10}
        """;
    CtlRunner.Result applied = ctl(docs, "apply", "-f", "-", "--tenant", "split");
    assertThat(applied.code()).as(applied.toString()).isZero();
    assertThat(ctl("", "get", "backends", "-t", "split").out())
        .isEqualTo(
            """
            NAME   SOURCE   PROTOCOL   ENDPOINTS                     REVISION
            pool   api      http1      10.0.0.8:8080,10.0.0.9:8080   %d
            """
                .formatted(revision("/v1/tenants/split/backends/pool")));
    assertThat(ctl("", "get", "route", "canary", "-t", "split").out())
        .isEqualTo(
            """
            NAME     HOSTS               PATHS     BACKEND                            REVISION
            canary   www.split.example   /canary   backend:pool*90 10.0.0.7:8080*10   %d
            """
                .formatted(revision("/v1/tenants/split/routes/canary")));
    assertThat(ctl("", "get", "claims", "-t", "split", "-o", "yaml").out())
        .isEqualTo(
            """
            items:
              - kind: claim
                host: www.split.example
                tenant: split
                revision: %d
            """
                .formatted(revision("/v1/tenants/split/host-claims/www.split.example")));
  }

  @Test
  void delete_removes_and_a_missing_object_exits_four() {
    setUp("gone");
    CtlRunner.Result deleted = ctl("", "delete", "route", "web", "-t", "gone");
    assertThat(deleted.code()).as(deleted.toString()).isZero();
    assertThat(deleted.out()).isEqualTo("route/web (tenant gone) deleted\n");
    CtlRunner.Result again = ctl("", "delete", "route", "web", "-t", "gone");
    assertThat(again.code()).isEqualTo(4);
    assertThat(again.err()).isEqualTo("gatehouse ctl: route/web (tenant gone) not found\n");
    CtlRunner.Result missing = ctl("", "get", "route", "web", "-t", "gone");
    assertThat(missing.code()).isEqualTo(4);
    assertThat(missing.err()).isEqualTo("gatehouse ctl: route/web (tenant gone) not found\n");
    CtlRunner.Result none = ctl("", "get", "routes", "-t", "gone");
    assertThat(none.code()).isZero();
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).isEqualTo("No routes found.\n");
    CtlRunner.Result ghost = ctl("", "get", "tenant", "ghost");
    assertThat(ghost.code()).isEqualTo(4);
    assertThat(ghost.err()).isEqualTo("gatehouse ctl: tenant/ghost not found\n");
    CtlRunner.Result ghostRoutes = ctl("", "get", "routes", "-t", "ghost");
    assertThat(ghostRoutes.code()).isEqualTo(4);
    CtlRunner.Result byFile =
        ctl("kind: claim\ntenant: gone\nhost: www.gone.example\n", "delete", "-f", "-");
    assertThat(byFile.code()).as(byFile.toString()).isZero();
    assertThat(byFile.out()).isEqualTo("claim/www.gone.example (tenant gone) deleted\n");
  }

  @Test
  void a_refused_write_exits_one_with_the_problem_detail() {
    setUp("refused");
    CtlRunner.Result unclaimed =
        ctl(
            "kind: route\nname: other\ntenant: refused\nhosts: [elsewhere.example]\n"
                + "backend: {endpoints: [10.0.0.5:8080]}\n",
            "apply",
            "-f",
            "-");
    assertThat(unclaimed.code()).as(unclaimed.toString()).isEqualTo(1);
    assertThat(unclaimed.err())
        .startsWith("gatehouse ctl: stdin: document 1: 403 host-not-claimed: ");
    CtlRunner.Result invalid =
        ctl(
            "{\"kind\": \"route\", \"name\": \"bad\", \"tenant\": \"refused\","
                + " \"hosts\": [\"www.refused.example\"], \"paths\": [\"api\"],"
                + " \"backend\": {\"endpoints\": [\"10.0.0.5:8080\"]}}",
            "apply",
            "-f",
            "-");
    assertThat(invalid.code()).as(invalid.toString()).isEqualTo(1);
    assertThat(invalid.err())
        .isEqualTo(
            "gatehouse ctl: stdin: document 1: 400 validation: The request is not valid\n"
                + "  /paths/0/value: \"api\" (expected: starts with '/')\n");
  }

  @Test
  void a_certificate_is_applied_from_its_files_and_its_key_never_printed() throws Exception {
    setUp("certs");
    TestPki.Issued www = TestPki.ca("CtlIT CA").server(List.of("www.certs.example"), List.of());
    Path sub = Files.createDirectories(dir.resolve("certs"));
    Files.writeString(sub.resolve("www.crt"), www.chainPem());
    Files.writeString(sub.resolve("www.key"), www.keyPem());
    Path doc = sub.resolve("cert.yaml");
    Files.writeString(
        doc, "kind: certificate\nname: www\ntenant: certs\ncertFile: www.crt\nkeyFile: www.key\n");
    CtlRunner.Result applied = ctl("", "apply", "-f", doc.toString(), "-o", "yaml");
    assertThat(applied.code()).as(applied.toString()).isZero();
    assertThat(applied.out())
        .startsWith("kind: certificate\nname: www\ntenant: certs\n")
        .contains("dnsNames:\n  - www.certs.example\n")
        .doesNotContain("PRIVATE KEY")
        .doesNotContain("privateKey");
    CtlRunner.Result table = ctl("", "get", "certs", "-t", "certs");
    String notAfter =
        new JsonObject(
                an.admin("GET", "/v1/tenants/certs/certificates/www", AdminNode.ADMIN, null).body())
            .getString("notAfter");
    assertThat(table.out())
        .isEqualTo(
            """
            NAME   DNS-NAMES           NOT-AFTER              REVISION
            www    www.certs.example   %s   %d
            """
                .formatted(notAfter, revision("/v1/tenants/certs/certificates/www")));
    CtlRunner.Result json = ctl("", "get", "certificate", "www", "-t", "certs", "-o", "json");
    assertThat(json.out()).doesNotContain("PRIVATE KEY").contains("\"sha256Fingerprint\"");
  }

  @Test
  void a_token_is_created_shown_once_listed_and_revoked() {
    setUp("tokens");
    CtlRunner.Result created =
        ctl("kind: token\ntenant: tokens\ndescription: ci deploys\n", "apply", "-f", "-");
    assertThat(created.code()).as(created.toString()).isZero();
    Matcher m =
        Pattern.compile(
                "token created \\(revision [0-9]+\\)\n  token \\(shown once\\): (([a-z0-9-]+)\\.\\S+)\n")
            .matcher(created.out());
    assertThat(m.matches()).as(created.out()).isTrue();
    String token = m.group(1);
    String id = m.group(2);
    CtlRunner.Result again =
        ctl("kind: token\ntenant: tokens\ndescription: ci deploys\n", "apply", "-f", "-");
    assertThat(again.out())
        .isEqualTo(
            "token/" + id + " unchanged (a token of this tenant with this description exists)\n");
    CtlRunner.Result list = ctl("", "get", "tokens");
    assertThat(list.out()).containsPattern(id + " +tokens +ci deploys +20[0-9-]+T");
    assertThat(list.out().lines().filter(l -> l.contains("ci deploys"))).hasSize(1);
    assertThat(list.out()).doesNotContain(token);
    CtlRunner.Result mine = as(token, "", "get", "routes", "-t", "tokens");
    assertThat(mine.code()).as(mine.toString()).isZero();
    assertThat(mine.out()).contains("web ");
    CtlRunner.Result rotated = ctl("", "rotate", "token", id);
    assertThat(rotated.code()).as(rotated.toString()).isZero();
    Matcher r =
        Pattern.compile("token/" + id + " rotated\n  token \\(shown once\\): (" + id + "\\.\\S+)\n")
            .matcher(rotated.out());
    assertThat(r.matches()).as(rotated.out()).isTrue();
    assertThat(as(token, "", "get", "routes", "-t", "tokens").code()).isEqualTo(1);
    token = r.group(1);
    assertThat(as(token, "", "get", "routes", "-t", "tokens").code()).isZero();
    CtlRunner.Result revoked = ctl("", "delete", "token", id);
    assertThat(revoked.out()).isEqualTo("token/" + id + " revoked\n");
    CtlRunner.Result after = as(token, "", "get", "routes", "-t", "tokens");
    assertThat(after.code()).isEqualTo(1);
    assertThat(after.err())
        .isEqualTo(
            "gatehouse ctl: 401 unauthorized: A valid bearer token is required\n"
                + "  unknown or revoked token\n");
    CtlRunner.Result change = ctl("kind: token\nid: " + id + "\n", "apply", "-f", "-");
    assertThat(change.code()).isEqualTo(2);
    assertThat(change.err()).contains("a token cannot be changed");
  }

  @Test
  void explain_summarises_what_the_node_would_do() throws Exception {
    setUp("explain");
    long route = revision("/v1/tenants/explain/routes/web");
    CtlRunner.Result r = ctl("", "explain", "http://www.explain.example/api/orders", "-X", "POST");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out().replaceAll("generation: +[0-9]+", "generation: G"))
        .isEqualTo(
            """
            outcome:     proxy
            route:       explain/web (source api, revision %d)
            host:        exact www.explain.example
            path:        Prefix /api
            backend:     http1 10.0.0.5:8080 (weight 1)
            generation: G
            """
                .formatted(route));
    CtlRunner.Result none = ctl("", "explain", "http://nothing.example/");
    assertThat(none.out()).startsWith("outcome:     defaultBackend\nroute:       <none>\n");
    CtlRunner.Result yaml = ctl("", "explain", "http://www.explain.example/api", "-o", "yaml");
    assertThat(yaml.out()).contains("outcome: proxy\n").contains("matched: true\n");
  }

  @Test
  void status_lists_the_members_and_a_tenant_token_is_refused() {
    setUp("status");
    CtlRunner.Result r = ctl("", "status");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsPattern("^generation: [0-9]+\nMEMBER +ADDRESS +SERVED +VERSION +STARTED\n")
        .contains(" (this node)   ");
    CtlRunner.Result tenant = as(an.token(), "", "status");
    assertThat(tenant.code()).isEqualTo(1);
    assertThat(tenant.err()).startsWith("gatehouse ctl: 403 forbidden: ");
  }

  @Test
  void watch_prints_added_modified_and_deleted_until_interrupted() throws Exception {
    setUp("watched");
    StringWriter out = new StringWriter();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> watch =
          pool.submit(
              () ->
                  Ctl.run(
                      new String[] {
                        "--server",
                        server,
                        "--token",
                        AdminNode.ADMIN,
                        "watch",
                        "routes",
                        "-t",
                        "watched",
                        "--interval",
                        "100ms"
                      },
                      env(),
                      new ByteArrayInputStream(new byte[0]),
                      new PrintWriter(out),
                      new PrintWriter(new StringWriter())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> out.toString().contains("ADDED route/web"));
      String route =
          "{\"hosts\": [\"www.watched.example\"], \"backend\": {\"endpoints\": [\"10.0.0.6:8080\"]}}";
      assertThat(
              an.admin("PUT", "/v1/tenants/watched/routes/second", AdminNode.ADMIN, route)
                  .statusCode())
          .isEqualTo(201);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> out.toString().contains("ADDED route/second"));
      String changed = route.replace("10.0.0.6", "10.0.0.7");
      assertThat(
              an.admin("PUT", "/v1/tenants/watched/routes/second", AdminNode.ADMIN, changed)
                  .statusCode())
          .isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> out.toString().contains("MODIFIED route/second"));
      assertThat(
              an.admin("DELETE", "/v1/tenants/watched/routes/second", AdminNode.ADMIN, null)
                  .statusCode())
          .isEqualTo(204);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> out.toString().contains("DELETED route/second"));
      watch.cancel(true);
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(revisions(out.toString()))
          .isEqualTo(
              """
              ADDED route/web (revision N)
              ADDED route/second (revision N)
              MODIFIED route/second (revision N)
              DELETED route/second (revision N)
              """);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_context_supplies_server_token_file_and_tenant_and_flags_override_it() throws IOException {
    setUp("ctx");
    Path tokenFile = dir.resolve("admin.token");
    Files.writeString(tokenFile, AdminNode.ADMIN + "\n");
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort();
    }
    Map<String, String> env = Map.of(CtlConfig.ENV_CONFIG, dir.resolve("ctx.yaml").toString());
    CtlRunner.Result set =
        CtlRunner.run(
            env,
            "",
            "config",
            "set-context",
            "live",
            "--server",
            server,
            "--token-file",
            tokenFile.toString(),
            "--tenant",
            "ctx");
    assertThat(set.code()).as(set.toString()).isZero();
    CtlRunner.Result routes = CtlRunner.run(env, "", "get", "routes");
    assertThat(routes.code()).as(routes.toString()).isZero();
    assertThat(routes.out()).contains("web    www.ctx.example");
    assertThat(
            CtlRunner.run(
                    env,
                    "",
                    "config",
                    "set-context",
                    "dead",
                    "--server",
                    "http://127.0.0.1:" + dead)
                .code())
        .isZero();
    assertThat(CtlRunner.run(env, "", "--context", "dead", "get", "tenants").code()).isEqualTo(3);
    assertThat(CtlRunner.run(env, "", "config", "use-context", "dead").code()).isZero();
    CtlRunner.Result unreachable = CtlRunner.run(env, "", "get", "tenants");
    assertThat(unreachable.code()).isEqualTo(3);
    assertThat(unreachable.err()).contains("cannot reach http://127.0.0.1:" + dead);
    CtlRunner.Result overridden =
        CtlRunner.run(
            env, "", "get", "tenant", "ctx", "--server", server, "--token", AdminNode.ADMIN);
    assertThat(overridden.code()).as(overridden.toString()).isZero();
    assertThat(overridden.out()).contains("ctx    ctx Inc");
    CtlRunner.Result environment =
        CtlRunner.run(
            Map.of(
                CtlConfig.ENV_CONFIG,
                dir.resolve("ctx.yaml").toString(),
                Options.ENV_SERVER,
                server,
                Options.ENV_TOKEN,
                AdminNode.ADMIN),
            "",
            "get",
            "tenant",
            "ctx");
    assertThat(environment.code()).as(environment.toString()).isZero();
  }

  @Test
  void the_node_jar_runs_ctl_as_a_subcommand() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Cli.Result r =
        Cli.parse(
            new String[] {"ctl", "--server", server, "--token", AdminNode.ADMIN, "get", "tenants"},
            env(),
            new PrintWriter(out),
            new PrintWriter(err));
    assertThat(r).as(err.toString()).isEqualTo(new Cli.Exit(0));
    assertThat(out.toString()).startsWith("NAME ").contains("\nacme ");
  }
}
