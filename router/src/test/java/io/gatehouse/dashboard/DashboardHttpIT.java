package io.gatehouse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.ConfigException;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard through a real node's status listener: its page and assets with their headers, its
 * JSON after known traffic (the live rates count every proxied request and the 5xx among them), its
 * refusals as problem+json, and nothing of it when {@code dashboard.enabled} is false.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class DashboardHttpIT {
  Vertx vertx;
  TestUpstream upstream;
  NodeFixture node;
  HttpClientAgent client;

  record Answer(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    // 503 for /fail, 200 otherwise
    upstream =
        TestUpstream.custom(
            vertx,
            req ->
                req.response()
                    .setStatusCode(req.path().startsWith("/fail") ? 503 : 200)
                    .end("upstream"));
    node =
        NodeFixture.start(
            c -> c.withDashboard(new NodeConfig.Dashboard(true)),
            NodeFixture.route("app", "app.example", upstream.address()));
    client = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  Answer call(HttpMethod method, int port, String host, String uri) throws Exception {
    HttpClientResponse[] head = new HttpClientResponse[1];
    Buffer body =
        client
            .request(
                new RequestOptions()
                    .setMethod(method)
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setURI(uri)
                    .putHeader("host", host))
            .compose(
                req ->
                    req.send()
                        .compose(
                            resp -> {
                              head[0] = resp;
                              return resp.body();
                            }))
            .await(10, TimeUnit.SECONDS);
    Map<String, String> headers = new java.util.TreeMap<>();
    head[0].headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
    return new Answer(head[0].statusCode(), headers, body.toString());
  }

  Answer status(String uri) throws Exception {
    return call(HttpMethod.GET, node.statusPort(), "127.0.0.1", uri);
  }

  @Test
  void the_page_and_its_assets_come_from_the_jar_with_a_strict_policy() throws Exception {
    Answer page = status("/dashboard/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.headers().get("content-security-policy")).isEqualTo(DashboardHandler.CSP);
    assertThat(page.headers().get("x-content-type-options")).isEqualTo("nosniff");
    assertThat(page.headers().get("cache-control")).isEqualTo("no-store");
    assertThat(page.body()).contains("<script src=\"dashboard.js\" defer></script>");
    // nothing the policy would block: no inline script or style, nothing from elsewhere
    assertThat(page.body()).doesNotContain("<script>", "style=", "http://", "https://");

    Answer js = status("/dashboard/dashboard.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.headers().get("content-type")).isEqualTo("text/javascript; charset=utf-8");
    // the SVG namespace is the one URL in it, and it is never fetched
    assertThat(js.body().replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("innerHTML", "eval(", "http://", "https://");
    assertThat(status("/dashboard/dashboard.css").headers().get("content-type"))
        .isEqualTo("text/css; charset=utf-8");

    Answer bare = status("/dashboard");
    assertThat(bare.status()).isEqualTo(308);
    assertThat(bare.headers().get("location")).isEqualTo("/dashboard/");
  }

  @Test
  void the_rates_count_every_proxied_request_and_the_5xx_among_them() throws Exception {
    assertThat(call(HttpMethod.GET, node.port(), "app.example", "/ok").status()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, node.port(), "app.example", "/ok").status()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, node.port(), "app.example", "/ok").status()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, node.port(), "app.example", "/fail").status()).isEqualTo(503);
    assertThat(call(HttpMethod.GET, node.port(), "app.example", "/fail").status()).isEqualTo(503);
    assertThat(call(HttpMethod.GET, node.port(), "nowhere.example", "/").status()).isEqualTo(404);
    // the second they fell in counts once it is complete
    JsonObject[] rates = new JsonObject[1];
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              rates[0] = status("/dashboard/api/v1/rates").json();
              return sum(rates[0].getJsonArray("requests")) >= 6;
            });
    assertThat(sum(rates[0].getJsonArray("requests"))).isEqualTo(6);
    assertThat(sum(rates[0].getJsonArray("errors"))).isEqualTo(2);
    assertThat(rates[0].getDouble("requestsPerSecond")).isPositive();
  }

  private static long sum(JsonArray values) {
    long n = 0;
    for (Object v : values) {
      n += ((Number) v).longValue();
    }
    return n;
  }

  @Test
  void the_overview_shows_the_served_route_its_backend_and_this_node() throws Exception {
    JsonObject all = status("/dashboard/api/v1/overview").json();
    JsonObject route = all.getJsonObject("routes").getJsonArray("items").getJsonObject(0);
    assertThat(route.getString("id")).isEqualTo("default/cli/app");
    assertThat(route.getJsonArray("hosts")).containsExactly("app.example");
    JsonObject backend = all.getJsonObject("backends").getJsonArray("items").getJsonObject(0);
    assertThat(backend.getJsonArray("endpoints").getJsonObject(0).getString("address"))
        .isEqualTo(upstream.address());
    assertThat(all.getJsonObject("node").getBoolean("ready")).isTrue();
    JsonObject self = all.getJsonObject("nodes").getJsonArray("members").getJsonObject(0);
    assertThat(self.getBoolean("local")).isTrue();
    assertThat(self.getLong("servedGeneration"))
        .isEqualTo(all.getJsonObject("routes").getLong("generation"));
  }

  @Test
  void a_refused_reload_is_a_current_problem_and_once_a_reload_applies_a_resolved_one(
      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("gatehouse.yaml");
    Files.writeString(file, "# the node's file\n");
    String refusal = "configuration key \"http.port\" cannot change while the node runs";
    AtomicBoolean refuse = new AtomicBoolean(true);
    // the node's own settings: once accepted, a forced reload applies and changes nothing
    NodeConfig same = NodeFixture.testConfig().withDashboard(new NodeConfig.Dashboard(true));
    node.node()
        .watchConfig(
            file,
            () -> {
              if (refuse.get()) {
                throw new ConfigException(refusal);
              }
              return same;
            });
    assertThat(node.node().reloadConfig()).isEqualTo("refused");
    String at =
        status("/status")
            .json()
            .getJsonObject("configReload")
            .getJsonObject("last")
            .getString("at");
    JsonObject refused = status("/dashboard/api/v1/problems").json();
    assertThat(refused.getJsonObject("configReload").getString("detail")).isEqualTo(refusal);
    assertThat(refused.getJsonObject("configReload").getString("since")).isEqualTo(at);

    refuse.set(false);
    assertThat(node.node().reloadConfig()).isEqualTo("applied");
    JsonObject applied = status("/dashboard/api/v1/problems").json();
    assertThat(applied.getValue("configReload")).isNull();
    JsonObject entry =
        applied.getJsonArray("recent").stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("kind").equals("configReload"))
            .findFirst()
            .orElseThrow();
    assertThat(entry.getString("message")).isEqualTo(refusal);
    assertThat(entry.getString("subject")).isEqualTo(file.toString());
    assertThat(entry.getString("appeared")).isEqualTo(at);
    assertThat(entry.getString("resolved")).isNotNull();
  }

  @Test
  void it_refuses_what_it_does_not_serve_with_a_problem() throws Exception {
    Answer post = call(HttpMethod.POST, node.statusPort(), "127.0.0.1", "/dashboard/api/v1/routes");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.headers().get("allow")).isEqualTo("GET, HEAD");

    Answer unknown = status("/dashboard/api/v1/tokens");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.headers().get("content-type")).isEqualTo("application/problem+json");
    assertThat(unknown.json().getString("detail")).startsWith("no such section: tokens");

    Answer badLimit = status("/dashboard/api/v1/routes?limit=lots");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.json().getString("detail"))
        .isEqualTo("limit: \"lots\" (expected: a whole number)");

    assertThat(status("/dashboard/../status").status()).isNotEqualTo(200);
    assertThat(status("/dashboard/index.html").status()).isEqualTo(404);
  }

  @Test
  void off_by_default_the_status_listener_serves_no_dashboard() throws Exception {
    try (NodeFixture plain = NodeFixture.start()) {
      Answer page = call(HttpMethod.GET, plain.statusPort(), "127.0.0.1", "/dashboard/");
      assertThat(page.status()).isEqualTo(404);
      assertThat(
              call(HttpMethod.GET, plain.statusPort(), "127.0.0.1", "/dashboard/api/v1/overview")
                  .status())
          .isEqualTo(404);
      assertThat(call(HttpMethod.GET, plain.statusPort(), "127.0.0.1", "/healthz").status())
          .isEqualTo(200);
    }
  }
}
