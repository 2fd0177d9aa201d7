package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Headers Gatehouse writes, replaces, keeps and removes, in both directions. */
@Timeout(60)
class HeadersIT {
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture untrusting;
  static NodeFixture trusting;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          up.record(req, body);
                          req.response()
                              .putHeader("connection", "keep-alive, x-upstream-hop")
                              .putHeader("keep-alive", "timeout=5")
                              .putHeader("x-upstream-hop", "secret")
                              .putHeader("proxy-connection", "keep-alive")
                              .putHeader("x-kept", "yes")
                              .end("ok");
                        }));
    untrusting = NodeFixture.start(route("h", "h.example", up.address()));
    trusting =
        NodeFixture.start(
            c -> c.withProxy(new NodeConfig.Proxy(List.of("127.0.0.0/8"), true)),
            route("h", "h.example", up.address()));
  }

  @AfterAll
  static void stop() {
    untrusting.close();
    trusting.close();
    up.close();
    vertx.close().await();
  }

  private static final String SPOOFED =
      "GET / HTTP/1.1\r\nHost: h.example\r\n"
          + "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n"
          + "X-Forwarded-Host: evil.example\r\nX-Forwarded-Port: 443\r\n"
          + "X-Real-IP: 6.6.6.6\r\nForwarded: for=6.6.6.6;proto=https\r\n\r\n";

  @Test
  void client_forwarding_headers_are_replaced_from_an_untrusted_peer() throws Exception {
    RawHttp.exchange(untrusting.port(), SPOOFED);
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.headers().getAll("x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.header("x-forwarded-host")).isEqualTo("h.example");
    assertThat(seen.header("x-forwarded-port")).isEqualTo(Integer.toString(untrusting.port()));
    assertThat(seen.header("x-real-ip")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().getAll("forwarded"))
        .containsExactly("for=127.0.0.1;host=\"h.example\";proto=http");
  }

  @Test
  void a_trusted_peer_extends_the_chain_and_keeps_the_original_values() throws Exception {
    RawHttp.exchange(trusting.port(), SPOOFED);
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.header("x-forwarded-for")).isEqualTo("6.6.6.6, 127.0.0.1");
    assertThat(seen.header("x-forwarded-proto")).isEqualTo("https");
    assertThat(seen.header("x-forwarded-host")).isEqualTo("evil.example");
    assertThat(seen.header("x-forwarded-port")).isEqualTo("443");
    assertThat(seen.header("x-real-ip")).isEqualTo("6.6.6.6");
    assertThat(seen.header("forwarded"))
        .isEqualTo("for=6.6.6.6;proto=https, for=127.0.0.1;host=\"h.example\";proto=http");
  }

  @Test
  void hop_by_hop_and_connection_named_headers_are_removed_both_ways() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(
            untrusting.port(),
            "GET / HTTP/1.1\r\nHost: h.example\r\nConnection: keep-alive, x-client-hop\r\n"
                + "Keep-Alive: timeout=9\r\nX-Client-Hop: private\r\nTE: trailers\r\n"
                + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-End-To-End: kept\r\n\r\n");
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.header("x-client-hop")).isNull();
    assertThat(seen.header("keep-alive")).isNull();
    assertThat(seen.header("te")).isNull();
    assertThat(seen.header("proxy-connection")).isNull();
    assertThat(seen.header("upgrade")).isNull();
    assertThat(seen.header("x-end-to-end")).isEqualTo("kept");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("x-upstream-hop")).isNull();
    assertThat(r.header("keep-alive")).isNull();
    assertThat(r.header("proxy-connection")).isNull();
    assertThat(r.header("x-kept")).isEqualTo("yes");
  }

  @Test
  void request_id_is_passed_through_or_generated() throws Exception {
    RawHttp.exchange(
        untrusting.port(), "GET / HTTP/1.1\r\nHost: h.example\r\nX-Request-Id: trace-42\r\n\r\n");
    assertThat(up.take().header("x-request-id")).isEqualTo("trace-42");
    RawHttp.exchange(
        untrusting.port(), "GET / HTTP/1.1\r\nHost: h.example\r\nX-Request-Id: <script>\r\n\r\n");
    assertThat(up.take().header("x-request-id")).matches("[0-9a-f]{32}");
  }
}
