package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Edge limits and metrics options reloaded on a running node: a lowered header count refuses the
 * next request (431), a lowered per-client cap refuses the next connection and keeps the open ones,
 * a limit the listeners hold is refused whole with "restart", and the metrics' route labels and
 * buckets change on {@code /metrics}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class LimitsReloadIT {
  @TempDir static Path dir;
  Path file;
  Vertx vertx;
  TestUpstream upstream;
  HttpClientAgent client;
  HttpClientAgent statusClient;
  GatehouseNode node;

  String config(String limits, String metrics) {
    return """
        http: {host: 127.0.0.1, port: 0}
        status: {host: 127.0.0.1, port: 0}
        admin: {enabled: false}
        store: {dir: ""}
        eventLoops: 1
        shutdown: {readinessGrace: 0s, drainTimeout: 5s}
        log: {level: warn, access: false}
        limits: {%s}
        metrics: {%s}
        """
        .formatted(limits, metrics);
  }

  void write(String text) throws Exception {
    WatchedNode.write(file, text);
  }

  @BeforeAll
  void start() throws Exception {
    file = dir.resolve("gatehouse.yaml");
    write(config("maxHeaderCount: 50", ""));
    vertx = Vertx.vertx();
    upstream = TestUpstream.counting(vertx, "ok");
    client = vertx.createHttpClient();
    statusClient = vertx.createHttpClient();
    node = WatchedNode.start(file, upstream.address());
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.stop().await(30, TimeUnit.SECONDS);
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  int get(HttpClientAgent via, int extraHeaders) throws Exception {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.httpPort())
            .setURI("/p")
            .putHeader("host", "shop.test");
    for (int i = 0; i < extraHeaders; i++) {
      options.putHeader("x-extra-" + i, "v");
    }
    HttpClientResponse r =
        via.request(options)
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp)))
            .await(10, TimeUnit.SECONDS);
    return r.statusCode();
  }

  String metrics() throws Exception {
    return statusClient
        .request(HttpMethod.GET, node.statusPort(), "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(resp -> resp.body()))
        .await(10, TimeUnit.SECONDS)
        .toString();
  }

  /** The value of the first series of {@code name} whose labels contain {@code labels}, or 0. */
  static double value(String text, String name, String labels) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name)
                    + "\\{[^}]*"
                    + Pattern.quote(labels)
                    + "[^}]*} (\\S+)$")
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** The {@code le} values of the request duration histogram's buckets. */
  static java.util.Set<String> buckets(String text) {
    return buckets(text, "gatehouse_request_duration_seconds");
  }

  static java.util.Set<String> buckets(String text, String histogram) {
    Matcher m =
        Pattern.compile("(?m)^" + histogram + "_bucket\\{[^}]*le=\"([^\"]+)\"").matcher(text);
    java.util.Set<String> out = new java.util.TreeSet<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  JsonObject reloadStatus() {
    return WatchedNode.reloadStatus(node);
  }

  JsonObject awaitReload(long applied, String result) {
    return WatchedNode.awaitReload(node, applied, result);
  }

  @Test
  @Order(1)
  void a_lowered_header_count_refuses_the_next_request_with_431() throws Exception {
    assertThat(get(client, 20)).isEqualTo(200);
    write(config("maxHeaderCount: 10", ""));
    assertThat(awaitReload(1, "applied").getString("detail")).isEqualTo("limits.maxHeaderCount");
    assertThat(get(client, 20)).isEqualTo(431);
    assertThat(get(client, 2)).isEqualTo(200);
  }

  @Test
  @Order(2)
  void a_limit_the_listeners_hold_is_refused_whole_and_names_restart() throws Exception {
    write(config("maxHeaderCount: 100, maxHeaderBytes: 65536", ""));
    String detail = awaitReload(1, "refused").getString("detail");
    assertThat(detail)
        .startsWith(
            "configuration key \"limits.maxHeaderBytes\" cannot change while the node runs"
                + " (restart it to apply)")
        .contains("limits.* but limits.maxHeaderBytes, limits.maxRequestLineBytes");
    // Nothing applied: maxHeaderCount is still 10.
    assertThat(get(client, 20)).isEqualTo(431);
  }

  @Test
  @Order(3)
  void route_labels_off_and_new_buckets_show_on_metrics() throws Exception {
    write(config("maxHeaderCount: 100", ""));
    awaitReload(2, "applied");
    assertThat(get(client, 0)).isEqualTo(200);
    String before = metrics();
    assertThat(value(before, "gatehouse_requests_total", "route=\"default/cli/shop\""))
        .isGreaterThan(0);
    // route="" held only requests refused before routing (the 431s) so far.
    String unrouted200 = "code=\"2xx\",method=\"GET\",protocol=\"HTTP/1.1\",route=\"\"";
    assertThat(value(before, "gatehouse_requests_total", unrouted200)).isZero();
    assertThat(buckets(before)).contains("0.001").doesNotContain("7.0");

    write(config("maxHeaderCount: 100", "routeLabels: false, durationBuckets: [0.5, 1, 7]"));
    assertThat(awaitReload(3, "applied").getString("detail"))
        .contains("metrics.routeLabels")
        .contains("metrics.durationBuckets");
    assertThat(get(client, 0)).isEqualTo(200);
    assertThat(get(client, 0)).isEqualTo(200);
    String after = metrics();
    assertThat(after).doesNotContain("route=\"default/cli/shop\"");
    assertThat(value(after, "gatehouse_requests_total", unrouted200))
        .as("route=\"\" counts every request from the reload on")
        .isEqualTo(2);
    assertThat(buckets(after)).containsExactlyInAnyOrder("0.5", "1.0", "7.0", "+Inf");
    assertThat(buckets(before, "gatehouse_snapshot_compile_seconds")).contains("0.001");
    assertThat(buckets(after, "gatehouse_snapshot_compile_seconds"))
        .containsExactlyInAnyOrder("0.5", "1.0", "7.0", "+Inf");
    // A new histogram: it counts from the reload on.
    assertThat(value(after, "gatehouse_request_duration_seconds_count", "route=\"\"")).isEqualTo(2);
  }

  @Test
  @Order(4)
  void a_lowered_per_client_cap_refuses_new_connections_and_keeps_open_ones() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> value(metrics(), "gatehouse_connections_open", "listener=\"http\"") == 0);
    PoolOptions one = new PoolOptions().setHttp1MaxSize(1);
    HttpClientAgent a = vertx.createHttpClient(one);
    HttpClientAgent b = vertx.createHttpClient(one);
    HttpClientAgent c = vertx.createHttpClient(one);
    assertThat(get(a, 0)).isEqualTo(200);
    assertThat(get(b, 0)).isEqualTo(200);

    write(
        config(
            "maxHeaderCount: 100, maxConnectionsPerClient: 1",
            "routeLabels: false, durationBuckets: [0.5, 1, 7]"));
    assertThat(awaitReload(4, "applied").getString("detail"))
        .isEqualTo("limits.maxConnectionsPerClient");
    // Open connections keep serving; a new one from the same address is past the cap.
    assertThat(get(a, 0)).isEqualTo(200);
    assertThat(get(b, 0)).isEqualTo(200);
    assertThatThrownBy(() -> get(c, 0)).isNotNull();
    assertThat(value(metrics(), "gatehouse_connections_open", "listener=\"http\"")).isEqualTo(2);
  }
}
