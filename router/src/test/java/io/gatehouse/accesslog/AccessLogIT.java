package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log through a real node: the chosen fields of proxied requests in a file, a route
 * turned off, and a destination that blocks while requests keep being served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class AccessLogIT {
  Vertx vertx;
  TestUpstream upstream;
  HttpClientAgent client;
  @TempDir Path dir;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    upstream = TestUpstream.counting(vertx, "ok");
    client = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  int get(NodeFixture node, String host, String path, String requestId) throws Exception {
    HttpClientResponse r =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1")
                    .setPort(node.port())
                    .setURI(path)
                    .putHeader("host", host)
                    .putHeader("x-request-id", requestId)
                    .putHeader("user-agent", "probe \"1\""))
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp)))
            .await(10, TimeUnit.SECONDS);
    return r.statusCode();
  }

  static UnaryOperator<NodeConfig> accessLog(
      AccessFormat format, List<String> fields, Path file, List<String> rules) {
    return c ->
        c.withLog(
            new NodeConfig.Log("warn", true, format, fields, file.toString(), 1000, 1, 1, rules));
  }

  List<String> awaitLines(Path file, int n) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(file) && Files.readAllLines(file).size() >= n);
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void json_lines_carry_the_chosen_fields_of_proxied_and_unrouted_requests() throws Exception {
    Path file = dir.resolve("access.json");
    List<String> fields =
        List.of(
            "method",
            "host",
            "path",
            "status",
            "upstreamStatus",
            "route",
            "requestId",
            "traceId",
            "userAgent",
            "attempts");
    try (NodeFixture node =
        NodeFixture.start(
            accessLog(AccessFormat.JSON, fields, file, List.of()),
            NodeFixture.route("shop", "shop.test", upstream.address()))) {
      assertThat(get(node, "shop.test", "/cart?secret=1", "it-1")).isEqualTo(200);
      assertThat(get(node, "nowhere.test", "/x", "it-2")).isEqualTo(404);
      List<String> lines = awaitLines(file, 2);
      assertThat(lines).hasSize(2);
      JsonObject shop = new JsonObject(lines.get(0));
      assertThat(new ArrayList<>(shop.fieldNames())).containsExactlyElementsOf(fields);
      assertThat(shop.getString("method")).isEqualTo("GET");
      assertThat(shop.getString("host")).isEqualTo("shop.test");
      assertThat(shop.getString("path")).isEqualTo("/cart"); // never the query
      assertThat(shop.getInteger("status")).isEqualTo(200);
      assertThat(shop.getInteger("upstreamStatus")).isEqualTo(200);
      assertThat(shop.getString("route")).isEqualTo("default/cli/shop");
      assertThat(shop.getString("requestId")).isEqualTo("it-1");
      assertThat(shop.getValue("traceId")).isNull(); // tracing is off
      assertThat(shop.getString("userAgent")).isEqualTo("probe \"1\"");
      assertThat(shop.getInteger("attempts")).isEqualTo(1);
      JsonObject none = new JsonObject(lines.get(1));
      assertThat(none.getInteger("status")).isEqualTo(404);
      assertThat(none.getValue("route")).isNull();
      assertThat(none.getInteger("upstreamStatus")).isEqualTo(404); // the built-in default backend
      assertThat(none.getString("requestId")).isEqualTo("it-2");
    }
  }

  @Test
  void text_lines_follow_the_layout_and_a_route_turned_off_writes_nothing() throws Exception {
    Path file = dir.resolve("access.log");
    try (NodeFixture node =
        NodeFixture.start(
            accessLog(
                AccessFormat.TEXT,
                List.of("route", "path", "status", "userAgent"),
                file,
                List.of("default/cli/health=off")),
            NodeFixture.route("shop", "shop.test", upstream.address()),
            NodeFixture.route("health", "health.test", upstream.address()))) {
      assertThat(get(node, "health.test", "/ping", "h-1")).isEqualTo(200);
      assertThat(get(node, "shop.test", "/a", "s-1")).isEqualTo(200);
      List<String> lines = awaitLines(file, 1);
      assertThat(lines).containsExactly("\"default/cli/shop\" \"/a\" 200 \"probe \\\"1\\\"\"");
    }
  }

  JsonObject accessLogStatus(NodeFixture node) throws Exception {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(node.statusPort())
                .setURI("/status"))
        .compose(req -> req.send().compose(resp -> resp.body()))
        .map(b -> b.toJsonObject().getJsonObject("accessLog"))
        .await(10, TimeUnit.SECONDS);
  }

  /**
   * A per-route rule whose id no served route has does nothing: {@code /status} lists it, until a
   * route with that id is served.
   */
  @Test
  void a_rule_for_a_route_not_served_shows_in_status_until_the_route_comes() throws Exception {
    Path file = dir.resolve("unknown.log");
    try (NodeFixture node =
        NodeFixture.start(
            accessLog(
                AccessFormat.TEXT,
                List.of("route", "status"),
                file,
                List.of("default/cli/health=off", "default/cli/later=off")),
            NodeFixture.route("health", "health.test", upstream.address()))) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> accessLogStatus(node).getJsonArray("unknownRouteRules"),
              a -> a.getList().equals(List.of("default/cli/later")));

      node.put(NodeFixture.route("later", "later.test", upstream.address()));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> accessLogStatus(node).getJsonArray("unknownRouteRules"), a -> a.isEmpty());
      // the rule now applies: the route's requests are not written
      assertThat(get(node, "later.test", "/x", "l-1")).isEqualTo(200);
      assertThat(get(node, "shop.test", "/y", "s-1")).isEqualTo(404);
      assertThat(awaitLines(file, 1)).containsExactly("- 404");
    }
  }

  /** A reload that brings a rule for a route not served lists it at once, without a publish. */
  @Test
  void a_reloaded_rule_for_a_route_not_served_shows_in_status() throws Exception {
    Path file = dir.resolve("reloaded.log");
    UnaryOperator<NodeConfig> before =
        accessLog(AccessFormat.JSON, List.of("status"), file, List.of("default/cli/shop=off"));
    try (NodeFixture node =
        NodeFixture.start(before, NodeFixture.route("shop", "shop.test", upstream.address()))) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> accessLogStatus(node).getJsonArray("unknownRouteRules").isEmpty());
      Path config = Files.writeString(dir.resolve("gatehouse.yaml"), "# read by the source below");
      NodeConfig next =
          accessLog(
                  AccessFormat.JSON,
                  List.of("status"),
                  file,
                  List.of("default/cli/shop=off", "default/cli/shoop=off"))
              .apply(NodeFixture.testConfig());
      node.node().watchConfig(config, () -> next);

      assertThat(node.node().reloadConfig()).isEqualTo("applied");
      assertThat(accessLogStatus(node).getJsonArray("unknownRouteRules").getList())
          .containsExactly("default/cli/shoop");
    }
  }

  @Test
  void an_access_file_that_cannot_be_opened_stops_the_start_naming_the_key() {
    Path file = dir.resolve("missing-dir").resolve("access.log");
    assertThatThrownBy(
            () ->
                NodeFixture.start(
                    accessLog(AccessFormat.JSON, List.of("status"), file, List.of()),
                    NodeFixture.route("shop", "shop.test", upstream.address())))
        .hasMessageContaining("log.accessFile: cannot open \"" + file + "\"");
  }

  @Test
  void a_blocked_destination_drops_lines_and_requests_are_still_served() throws Exception {
    CountDownLatch inWrite = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> written = Collections.synchronizedList(new ArrayList<>());
    AccessLogSink stuck =
        (bytes, length) -> {
          inWrite.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          Collections.addAll(
              written, new String(bytes, 0, length, StandardCharsets.UTF_8).split("\n"));
        };
    AccessLog slow =
        AccessLog.start(
            AccessLogOptions.parse(
                true, AccessFormat.TEXT, List.of("requestId"), "", 4, 1, 1, List.of()),
            file -> stuck,
            () -> 0.5);
    try (NodeFixture node =
        NodeFixture.startObserved(
            List.of(slow),
            UnaryOperator.identity(),
            NodeFixture.route("shop", "shop.test", upstream.address()))) {
      assertThat(get(node, "shop.test", "/", "first")).isEqualTo(200);
      assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue(); // the writer is stuck now
      for (int i = 0; i < 40; i++) {
        assertThat(get(node, "shop.test", "/", "r" + i)).isEqualTo(200);
      }
      // 4 queued behind the stuck write, 36 dropped and counted; every request was answered.
      await().atMost(Duration.ofSeconds(10)).until(() -> slow.dropped() == 36);
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> slow.written() == 5);
      assertThat(written).containsExactly("\"first\"", "\"r0\"", "\"r1\"", "\"r2\"", "\"r3\"");
    } finally {
      release.countDown();
      slow.close();
    }
  }
}
