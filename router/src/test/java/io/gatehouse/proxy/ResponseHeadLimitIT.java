package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route's own response head limit ({@code maxResponseHeaderBytes}) end to end, from the routes
 * file and REST: a head within it passes, a larger one is a 502, and a route without it keeps the
 * node's {@code limits.maxHeaderBytes} (32 KiB).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ResponseHeadLimitIT {
  Vertx vertx;
  AdminNode an;
  TestUpstream up;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    // /K answers a header of K KiB
    up =
        TestUpstream.custom(
            vertx,
            req -> {
              int kib = Integer.parseInt(req.path().substring(1));
              req.response().putHeader("x-large", "a".repeat(kib * 1024)).end("ok");
            });
    an = AdminNode.start(dir, c -> c);
  }

  @AfterAll
  void stop() {
    AdminNode.stop(an, up, vertx);
  }

  private int status(String host, int kib) throws Exception {
    return RawHttp.exchange(
            an.node().port(),
            "GET /" + kib + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
        .status();
  }

  @Test
  void from_the_routes_file_a_route_limit_lets_a_larger_head_through_and_others_keep_the_node_s()
      throws Exception {
    an.writeRoutes(
        """
        routes:
          - name: large
            hosts: [large.head.example]
            maxResponseHeaderBytes: 128KiB
            backend: {endpoints: ["%s"]}
          - name: small
            hosts: [small.head.example]
            maxResponseHeaderBytes: 8KiB
            backend: {endpoints: ["%s"]}
          - name: plain
            hosts: [plain.head.example]
            backend: {endpoints: ["%s"]}
        """
            .formatted(up.address(), up.address(), up.address()));
    await("file routes served")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> status("plain.head.example", 1) == 200 && status("small.head.example", 1) == 200);
    assertThat(status("large.head.example", 64)).isEqualTo(200);
    assertThat(status("large.head.example", 130)).isEqualTo(502);
    assertThat(status("plain.head.example", 20)).isEqualTo(200);
    assertThat(status("plain.head.example", 40)).isEqualTo(502);
    assertThat(status("small.head.example", 4)).isEqualTo(200);
    assertThat(status("small.head.example", 20)).isEqualTo(502);
  }

  @Test
  void from_rest_the_limit_is_served_and_answered_and_above_1_mib_refused() throws Exception {
    String host = "rest.head.example";
    String acme = an.token();
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isBetween(200, 201);
    String body =
        """
        {"hosts": ["%s"], "maxResponseHeaderBytes": "96KiB", "backend": {"endpoints": ["%s"]}}"""
            .formatted(host, up.address());
    HttpResponse<String> put = an.admin("PUT", "/v1/tenants/acme/routes/head?wait=all", acme, body);
    assertThat(put.statusCode()).as(put.body()).isBetween(200, 201);
    JsonObject got =
        new JsonObject(an.admin("GET", "/v1/tenants/acme/routes/head", acme, null).body());
    assertThat(got.getInteger("maxResponseHeaderBytes")).isEqualTo(96 * 1024);
    assertThat(status(host, 64)).isEqualTo(200);
    assertThat(status(host, 100)).isEqualTo(502);

    HttpResponse<String> tooLarge =
        an.admin(
            "PUT", "/v1/tenants/acme/routes/head", acme, body.replace("\"96KiB\"", "\"2MiB\""));
    assertThat(tooLarge.statusCode()).isEqualTo(400);
    assertThat(tooLarge.body()).contains("maxResponseHeaderBytes").contains("1 MiB");
  }
}
