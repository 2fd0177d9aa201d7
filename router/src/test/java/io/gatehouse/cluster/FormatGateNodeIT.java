package io.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.gatehouse.model.RouteKey;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.table.hazelcast.ClusterSettings;
import io.gatehouse.table.hazelcast.HazelcastTableConfig;
import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The format gate end to end, with no doubles: a node of this release (admin API, routes file) and
 * a Hazelcast member of the previous release in one cluster. The old member is started as the
 * previous release starts it: the same Hazelcast configuration, advertising that it reads entry
 * format 1 ({@code FormatGateClusterTest} in the cluster module does the same). While it is a
 * member, a weighted split (entry format 2) is refused by REST with 409 {@code
 * cluster-not-upgraded} and held by the routes file, and so is a route with policies, whose plain
 * routes are served; once it has left, both splits are written and served. One cluster for the
 * class; the old member leaves last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class FormatGateNodeIT {
  private static final String ADMIN = "gateadmin.s3cr3t-s3cr3t-s3cr3t-s3cr3t-0123456789";
  // The member attribute of HazelcastTableConfig: a wire contract with the previous release.
  private static final String READS_FORMAT = "gatehouse.readsFormat";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dir;
  private Path file;
  private Vertx vertx;
  private NodeFixture node;
  private HazelcastInstance old;
  private TestUpstream a;
  private TestUpstream b;
  private String acme;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    a = TestUpstream.counting(vertx, "A");
    b = TestUpstream.counting(vertx, "B");
    file = dir.resolve("routes.yaml");
    Files.writeString(file, "routes: []\n");
    String name = "format-gate-" + UUID.randomUUID();
    int nodePort = ClusterProcesses.freePort();
    int oldPort = ClusterProcesses.freePort();
    while (oldPort == nodePort) {
      oldPort = ClusterProcesses.freePort();
    }
    List<String> members = List.of("127.0.0.1:" + nodePort, "127.0.0.1:" + oldPort);
    node =
        NodeFixture.start(
            c ->
                c.withRoutes(new NodeConfig.Routes(file.toString(), Duration.ofMillis(100)))
                    .withAdmin(
                        new NodeConfig.Admin(
                            true, "127.0.0.1", 0, "", "", "", ADMIN, "", 1_000, 1_000, List.of()))
                    .withCluster(
                        new NodeConfig.Cluster(
                            true,
                            name,
                            "127.0.0.1",
                            nodePort,
                            members,
                            "",
                            Duration.ofSeconds(1),
                            Duration.ofSeconds(5),
                            1,
                            1)));
    Config previous =
        HazelcastTableConfig.build(
            new ClusterSettings(
                name,
                "127.0.0.1",
                oldPort,
                members,
                "",
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                1,
                1));
    previous.getMemberAttributeConfig().setAttribute(READS_FORMAT, "1");
    old = Hazelcast.newHazelcastInstance(previous);
    await("the old member joined")
        .atMost(WAIT)
        .until(() -> node.node().table().members().size() == 2);
    assertThat(node.node().table().members())
        .filteredOn(m -> !m.local())
        .singleElement()
        .satisfies(m -> assertThat(m.readsFormat()).isEqualTo(1));

    assertThat(admin("PUT", "/v1/tenants/acme", ADMIN, "{}").statusCode()).isIn(200, 201);
    HttpResponse<String> token = admin("POST", "/v1/tokens", ADMIN, "{\"tenant\":\"acme\"}");
    assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
    acme = new JsonObject(token.body()).getString("token");
    for (String host :
        List.of("split.acme.example", "plain.acme.example", "policies.acme.example")) {
      HttpResponse<String> claim = admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null);
      assertThat(claim.statusCode()).as(claim.body()).isEqualTo(201);
    }
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (old != null) {
      old.getLifecycleService().terminate();
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  @Order(1)
  void rest_refuses_a_split_with_409_and_writes_a_plain_route() throws Exception {
    // The tenant's routes, not the table's generation: the routes file source writes on its own
    // (it applies again when a member joins), so the generation may move for reasons of its own.
    var before = acmeRoutes();

    HttpResponse<String> refused =
        admin("PUT", "/v1/tenants/acme/routes/split", acme, split("split.acme.example"));

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(refused.body());
    assertThat(problem.getString("type")).endsWith("/cluster-not-upgraded");
    assertThat(problem.getInteger("format")).isEqualTo(2);
    assertThat(problem.getJsonArray("members")).hasSize(1);
    assertThat(problem.getJsonArray("members").getJsonObject(0).getInteger("readsFormat"))
        .isEqualTo(1);
    assertThat(acmeRoutes()).isEqualTo(before);
    assertThat(node.node().table().view().routes())
        .doesNotContainKey(RouteKey.of("acme", "api", "split"));
    assertThat(get("split.acme.example")).isEqualTo(404);

    // A route with policies is format 2 too: an old member would serve it without them.
    HttpResponse<String> withPolicies =
        admin(
            "PUT", "/v1/tenants/acme/routes/policies", acme, withPolicies("policies.acme.example"));
    assertThat(withPolicies.statusCode()).as(withPolicies.body()).isEqualTo(409);
    assertThat(new JsonObject(withPolicies.body()).getString("type"))
        .endsWith("/cluster-not-upgraded");
    assertThat(acmeRoutes()).isEqualTo(before);
    assertThat(get("policies.acme.example")).isEqualTo(404);

    HttpResponse<String> plain =
        admin(
            "PUT",
            "/v1/tenants/acme/routes/plain",
            acme,
            "{\"hosts\":[\"plain.acme.example\"],\"backend\":{\"endpoints\":[\""
                + a.address()
                + "\"]}}");
    // no wait=all: the stand-in for the old member runs no table, so it never reports served
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(201);
    await("the plain route served")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get("plain.acme.example") == 200);
  }

  @Test
  @Order(2)
  void the_file_serves_its_plain_route_and_holds_its_split_reporting_why() throws Exception {
    writeFile(
        """
        routes:
          - name: file-plain
            hosts: [plain.file.example]
            backend:
              endpoints: ["%s"]
          - name: file-split
            hosts: [split.file.example]
            backendRefs:
              - weight: 90
                endpoints: ["%s"]
              - weight: 10
                endpoints: ["%s"]
          - name: file-policies
            hosts: [policies.file.example]
            backend:
              endpoints: ["%s"]
            policies:
              - {type: RequestHeaders, set: {x-env: prod}}
        """
            .formatted(a.address(), a.address(), b.address(), a.address()));

    await("the plain route of the file served")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get("plain.file.example") == 200);
    JsonObject fileSource =
        await("the held split reported")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(50))
            .until(this::fileStatus, s -> s.getString("lastError") != null);
    assertThat(fileSource.getString("lastError"))
        .contains("cluster-not-upgraded: route file-policies, file-split needs entry format 2")
        .contains("127.0.0.1:", "reads format 1");
    assertThat(fileSource.getInteger("routes")).isEqualTo(1);
    assertThat(get("split.file.example")).isEqualTo(404);
    assertThat(get("policies.file.example")).isEqualTo(404);
    assertThat(node.node().table().view().routes())
        .doesNotContainKey(RouteKey.of("default", "file", "file-policies"));
    assertThat(node.node().table().view().routes())
        .doesNotContainKey(RouteKey.of("default", "file", "file-split"));
  }

  @Test
  @Order(3)
  void once_the_old_member_left_both_splits_are_written_and_served() throws Exception {
    old.shutdown();
    old = null;
    await("the old member left")
        .atMost(WAIT)
        .until(() -> node.node().table().members().size() == 1);

    await("the held split of the file served")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get("split.file.example") == 200);
    await("the file reports nothing")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            this::fileStatus, s -> s.getString("lastError") == null && s.getInteger("routes") == 3);
    assertThat(get("policies.file.example")).isEqualTo(200);
    HttpResponse<String> policies =
        admin(
            "PUT",
            "/v1/tenants/acme/routes/policies?wait=all",
            acme,
            withPolicies("policies.acme.example"));
    assertThat(policies.statusCode()).as(policies.body()).isEqualTo(201);
    assertThat(get("policies.acme.example")).isEqualTo(200);

    HttpResponse<String> put =
        admin("PUT", "/v1/tenants/acme/routes/split?wait=all", acme, split("split.acme.example"));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    int a0 = a.count();
    int b0 = b.count();
    for (int i = 0; i < 20; i++) {
      assertThat(get("split.acme.example")).isEqualTo(200);
    }
    // one event loop: the split's rotation is exact per 10 requests
    assertThat(a.count() - a0).isEqualTo(18);
    assertThat(b.count() - b0).isEqualTo(2);
  }

  private String split(String host) {
    return """
        {"hosts": ["%s"],
         "backendRefs": [{"weight": 90, "endpoints": ["%s"]},
                         {"weight": 10, "endpoints": ["%s"]}]}"""
        .formatted(host, a.address(), b.address());
  }

  private String withPolicies(String host) {
    return """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "ResponseHeaders", "add": {"x-served-by": "gatehouse"}}]}"""
        .formatted(host, a.address());
  }

  private void writeFile(String yaml) throws IOException {
    Path tmp = Files.createTempFile(dir, "routes", ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The {@code fileSource} part of the node's status endpoint. */
  private JsonObject fileStatus() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.statusPort() + "/status"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonObject("fileSource");
  }

  private int get(String host) throws IOException {
    return RawHttp.exchange(
            node.port(), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
        .status();
  }

  private HttpResponse<String> admin(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node().adminPort() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The routes of tenant acme in this node's view, by key. */
  private java.util.Map<RouteKey, ?> acmeRoutes() {
    java.util.Map<RouteKey, Object> out = new java.util.HashMap<>();
    node.node()
        .table()
        .view()
        .routes()
        .forEach(
            (k, v) -> {
              if (k.tenant().equals(io.gatehouse.model.TenantId.of("acme"))) {
                out.put(k, v);
              }
            });
    return out;
  }
}
