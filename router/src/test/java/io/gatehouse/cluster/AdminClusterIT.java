package io.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeProcess;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * The admin API's cluster-wide promises, over three node processes sharing one table: the table
 * arbitrates concurrent claims and If-Match writes sent to different nodes, {@code wait=all} means
 * every node serves the write when it answers, a bad batch changes no node, and a hung member is
 * named as lagging. One cluster for the whole class; the hung member comes last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class AdminClusterIT {
  private static final String ADMIN = "clusteradmin.s3cr3t-s3cr3t-s3cr3t-s3cr3t-0123456789";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dir;
  private ClusterProcesses cluster;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private Vertx vertx;
  private TestUpstream upstream;
  private String red;
  private String blue;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "batch");
    cluster = new ClusterProcesses(dir, 3).withAdmin(ADMIN);
    for (int i = 0; i < 3; i++) {
      nodes.add(cluster.start(i, "shutdown: {readinessGrace: 0s, drainTimeout: 2s}\n"));
    }
    ClusterProcesses.awaitOneCluster(nodes, 3, Duration.ofSeconds(30));
    for (String t : List.of("red", "blue")) {
      assertThat(call(0, "PUT", "/v1/tenants/" + t, ADMIN, "{}").statusCode()).isIn(200, 201);
    }
    red = token("red");
    blue = token("blue");
    assertThat(call(0, "PUT", "/v1/tenants/red/host-claims/*.red.example", red, null).statusCode())
        .isEqualTo(201);
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private String token(String tenant) throws Exception {
    HttpResponse<String> r =
        call(0, "POST", "/v1/tokens", ADMIN, "{\"tenant\":\"" + tenant + "\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    return new JsonObject(r.body()).getString("token");
  }

  private HttpRequest request(
      int node, String method, String path, String token, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.adminPort(node) + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.method(
            method,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> call(
      int node, String method, String path, String token, String body, String... headers)
      throws Exception {
    return HTTP.send(
        request(node, method, path, token, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends both at once and waits for both. */
  private List<HttpResponse<String>> race(HttpRequest a, HttpRequest b) throws Exception {
    CompletableFuture<HttpResponse<String>> fa =
        HTTP.sendAsync(a, HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> fb =
        HTTP.sendAsync(b, HttpResponse.BodyHandlers.ofString());
    return List.of(fa.get(40, TimeUnit.SECONDS), fb.get(40, TimeUnit.SECONDS));
  }

  private static String route(String host, String address) {
    return "{\"hosts\":[\""
        + host
        + "\"],\"backend\":{\"endpoints\":[{\"address\":\""
        + address
        + "\"}]}}";
  }

  @Test
  @Order(1)
  void two_tenants_claiming_one_host_on_two_nodes_get_exactly_one_201_and_one_409()
      throws Exception {
    for (int round = 0; round < 25; round++) {
      String host = "h" + round + ".race.example";
      List<HttpResponse<String>> both =
          race(
              request(round % 3, "PUT", "/v1/tenants/red/host-claims/" + host, red, null),
              request((round + 1) % 3, "PUT", "/v1/tenants/blue/host-claims/" + host, blue, null));
      List<Integer> statuses = both.stream().map(HttpResponse::statusCode).sorted().toList();
      assertThat(statuses).as("round %d: %s", round, both).containsExactly(201, 409);
    }
  }

  @Test
  @Order(2)
  void two_writers_with_the_same_if_match_on_two_nodes_one_wins_and_every_node_shows_it()
      throws Exception {
    String path = "/v1/tenants/red/routes/contested";
    for (int round = 0; round < 5; round++) {
      HttpResponse<String> base =
          call(
              0,
              "PUT",
              path + "?wait=all",
              red,
              route("c.red.example", "127.0.0.1:" + (2000 + round)));
      assertThat(base.statusCode()).isIn(200, 201);
      String etag = base.headers().firstValue("ETag").orElseThrow();
      String a = "127.0.0.1:" + (3000 + round);
      String b = "127.0.0.1:" + (4000 + round);
      List<HttpResponse<String>> both =
          race(
              request(1, "PUT", path, red, route("c.red.example", a), "If-Match", etag),
              request(2, "PUT", path, red, route("c.red.example", b), "If-Match", etag));
      assertThat(both.stream().map(HttpResponse::statusCode).sorted().toList())
          .as("round %d: %s", round, both)
          .containsExactly(200, 412);
      HttpResponse<String> winner = both.get(0).statusCode() == 200 ? both.get(0) : both.get(1);
      String winnerAddress = winner == both.get(0) ? a : b;
      String winnerTag = winner.headers().firstValue("ETag").orElseThrow();
      for (int n = 0; n < 3; n++) {
        int node = n;
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  HttpResponse<String> read = call(node, "GET", path, red, null);
                  assertThat(read.headers().firstValue("ETag")).hasValue(winnerTag);
                  assertThat(
                          new JsonObject(read.body())
                              .getJsonObject("backend")
                              .getJsonArray("endpoints")
                              .getJsonObject(0)
                              .getString("address"))
                      .isEqualTo(winnerAddress);
                });
      }
    }
  }

  @Test
  @Order(3)
  void a_batch_with_wait_all_is_served_by_every_node_and_a_bad_batch_changes_no_node()
      throws Exception {
    JsonArray items =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("op", "put")
                    .put("kind", "hostClaim")
                    .put("name", "*.batch.example"));
    for (int i = 0; i < 20; i++) {
      items.add(
          new JsonObject()
              .put("op", "put")
              .put("kind", "route")
              .put("name", "b" + i)
              .put("route", new JsonObject(route("b" + i + ".batch.example", upstream.address()))));
    }
    HttpResponse<String> applied =
        call(
            1,
            "POST",
            "/v1/tenants/red/batch?wait=all&waitTimeout=20s",
            red,
            new JsonObject().put("items", items).encode());
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    // Read-your-writes anywhere: no waiting after wait=all answered.
    for (NodeProcess n : nodes) {
      for (int i = 0; i < 20; i++) {
        assertThat(n.get("b" + i + ".batch.example", "/"))
            .as("node %d route b%d", n.pid(), i)
            .isEqualTo(200);
      }
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                nodes.get(0).tableGeneration() == nodes.get(1).tableGeneration()
                    && nodes.get(1).tableGeneration() == nodes.get(2).tableGeneration());
    long before = nodes.get(0).tableGeneration();
    JsonArray bad =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("op", "put")
                    .put("kind", "hostClaim")
                    .put("name", "*.bad.example"))
            .add(
                new JsonObject()
                    .put("op", "put")
                    .put("kind", "route")
                    .put("name", "good")
                    .put("route", new JsonObject(route("x.bad.example", upstream.address()))))
            .add(
                new JsonObject()
                    .put("op", "put")
                    .put("kind", "route")
                    .put("name", "broken")
                    .put(
                        "route",
                        new JsonObject(route("y.bad.example", upstream.address()))
                            .put(
                                "paths",
                                new JsonArray().add(new JsonObject().put("value", "api")))));
    HttpResponse<String> refused =
        call(
            2,
            "POST",
            "/v1/tenants/red/batch?wait=all",
            red,
            new JsonObject().put("items", bad).encode());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    assertThat(refused.body()).contains("/items/2/route/paths/0/value");
    for (int n = 0; n < 3; n++) {
      assertThat(nodes.get(n).tableGeneration()).isEqualTo(before);
      assertThat(call(n, "GET", "/v1/tenants/red/routes/good", red, null).statusCode())
          .isEqualTo(404);
      assertThat(
              call(n, "GET", "/v1/tenants/red/host-claims/*.bad.example", red, null).statusCode())
          .isEqualTo(404);
    }
  }

  /**
   * A SIGSTOPped member holds primaries and synchronous backups of the table, so the write itself
   * waits on it until failure detection (maxNoHeartbeat 5s) evicts it; only a member still in the
   * cluster when {@code waitTimeout} passes can be named as lagging. Either way the answer comes
   * within the detection bound and the write stands.
   */
  @Test
  @Order(4)
  void wait_all_with_a_hung_member_answers_within_failure_detection_and_the_write_stands()
      throws Exception {
    NodeProcess hung = nodes.get(2);
    String hungAddress = "127.0.0.1:" + cluster.port(2);
    hung.suspend();
    try {
      long started = System.nanoTime();
      HttpResponse<String> r =
          call(
              0,
              "PUT",
              "/v1/tenants/red/routes/late?wait=all&waitTimeout=2s",
              red,
              route("late.red.example", "127.0.0.1:5000"));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      System.out.printf("wait=all with a hung member: %d after %d ms%n", r.statusCode(), tookMs);
      assertThat(r.statusCode()).as(r.body()).isIn(201, 202);
      assertThat(tookMs).isGreaterThanOrEqualTo(2000).isLessThan(20_000);
      if (r.statusCode() == 202) {
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("served")).isFalse();
        assertThat(
                body.getJsonArray("lagging").stream()
                    .map(m -> ((JsonObject) m).getString("address")))
            .containsExactly(hungAddress);
      } else {
        // Served by every live member: the hung one was evicted while the write waited on it.
        assertThat(
                nodes.get(0).status().getJsonObject("cluster").getJsonArray("members").stream()
                    .map(m -> ((JsonObject) m).getString("address")))
            .doesNotContain(hungAddress);
      }
      // A 202 says some member lags: the write stands, and node 1 gets it once it has caught up.
      await("the write is readable on node 1")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> call(1, "GET", "/v1/tenants/red/routes/late", red, null).statusCode() == 200);
    } finally {
      hung.resume();
    }
  }
}
