package io.gatehouse.edge;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/1.1 requests with a body on a plain port that also accepts h2c ({@code http2.cleartext}), in
 * GrpcIT's node (TLS on as well; without TLS the plain port failed the same way). There Vert.x
 * creates the connection only once the first request head is decoded, so the strict decoder takes
 * over in the middle of that request; it must not lose the body (the request then hung without an
 * answer).
 */
@Timeout(60)
class CleartextHttp2PortIT {
  static Vertx vertx;
  static RecordingUpstream up;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = new RecordingUpstream(vertx);
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withTls(
                        new NodeConfig.Tls(
                            true,
                            "127.0.0.1",
                            0,
                            "",
                            "",
                            NodeConfig.Tls.Engine.AUTO,
                            Duration.ofSeconds(2))),
            route("a", "a.example", up.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    up.close();
    vertx.close().await();
  }

  @Test
  void a_first_post_with_its_body_in_the_same_packet_is_answered() throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send("POST /same HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1\r\n\r\nx");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("answer to the first POST").isEqualTo(200);
      assertThat(r.body()).as("body length the upstream received").isEqualTo("1");
      RecordingUpstream.Complete seen = up.take();
      assertThat(seen.uri()).isEqualTo("/same");
      assertThat(seen.body().toString()).isEqualTo("x");
      // The connection stays usable, and its next request is decoded strictly.
      raw.send("POST /next HTTP/1.1\r\nHost: a.example\r\nContent-Length: 2\r\n\r\nyz");
      assertThat(raw.read().body()).isEqualTo("2");
      assertThat(up.take().body().toString()).isEqualTo("yz");
    }
  }

  @Test
  void a_first_post_whose_body_arrives_later_is_answered() throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send("POST /later HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1\r\n\r\n");
      // The node has the head before the body byte leaves the client.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(node.node().inFlight()).isPositive());
      raw.send("x");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("1");
      assertThat(up.take().body().toString()).isEqualTo("x");
    }
  }

  @Test
  void a_first_post_pipelined_with_a_second_request_gets_both_answers() throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /one HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1\r\n\r\nx"
              + "POST /two HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\n\r\nabc");
      assertThat(raw.read().body()).isEqualTo("1");
      assertThat(raw.read().body()).isEqualTo("3");
    }
    assertThat(up.take().uri()).isEqualTo("/one");
    assertThat(up.take().uri()).isEqualTo("/two");
  }

  @Test
  void a_post_that_upgrades_to_h2c_is_answered_over_http2() throws Exception {
    HttpClientAgent client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(true)
                .setHttp2ClearTextUpgradeWithPreflightRequest(false));
    try {
      // The body is read in the same chain as the response, so none of it can arrive unread.
      String answer =
          client
              .request(
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setHost("127.0.0.1")
                      .setPort(node.port())
                      .setURI("/upgrade")
                      .putHeader("host", "a.example"))
              .compose(
                  req ->
                      req.send(Buffer.buffer("x"))
                          .compose(
                              r ->
                                  r.body()
                                      .map(
                                          b ->
                                              r.version()
                                                  + " "
                                                  + r.statusCode()
                                                  + " "
                                                  + b.toString())))
              .await(30, TimeUnit.SECONDS);
      assertThat(answer).isEqualTo("HTTP_2 200 1");
      assertThat(up.take().body().toString()).isEqualTo("x");
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_first_request_with_content_length_and_chunked_is_refused_and_not_forwarded()
      throws Exception {
    // Vert.x's own decoder reads this head (see the class comment); it must refuse it too.
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /smuggle-first HTTP/1.1\r\nHost: a.example\r\nContent-Length: 4\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(400);
    }
    assertThat(up.heads()).doesNotContain("/smuggle-first");
  }

  @Test
  void the_second_request_on_the_connection_is_checked_by_the_strict_decoder() throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send("GET /first HTTP/1.1\r\nHost: a.example\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      up.take();
      // Transfer-Encoding with Content-Length: Netty alone drops the Content-Length.
      raw.send(
          "POST /smuggle HTTP/1.1\r\nHost: a.example\r\nContent-Length: 4\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(400);
    }
    assertThat(up.heads()).doesNotContain("/smuggle");
  }
}
