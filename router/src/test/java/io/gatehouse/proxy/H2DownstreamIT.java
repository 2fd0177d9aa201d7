package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 from the client (h2c with prior knowledge on the plain listener when enabled) to an
 * HTTP/1.1 upstream: routing by :authority, body framing chosen by Gatehouse, and streams that
 * multiplex on one connection.
 */
@Timeout(60)
class H2DownstreamIT {
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;
  static HttpClientAgent client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "h1-upstream");
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)),
            route("a", "a.example", up.address()));
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stop() {
    client.close().await();
    node.close();
    up.close();
    vertx.close().await();
  }

  /** What came back; the body is read within the exchange, before the response is handed out. */
  record Answer(HttpVersion version, int status, String body) {}

  private static Answer send(HttpMethod method, String body, String host, int port)
      throws Exception {
    return client
        .request(
            new RequestOptions()
                .setMethod(method)
                .setHost("127.0.0.1")
                .setPort(node.port())
                .setURI("/h2?x=1"))
        .compose(
            r -> {
              r.authority(HostAndPort.create(host, port));
              // body() inside the send callback: attached from this thread later, it can miss an
              // end that already arrived (Vert.x 5.0.10, see LateResponseBodyIT)
              return (body == null ? r.send() : r.send(Buffer.buffer(body)))
                  .compose(
                      (HttpClientResponse resp) ->
                          resp.body()
                              .map(
                                  b ->
                                      new Answer(resp.version(), resp.statusCode(), b.toString())));
            })
        .await(20, TimeUnit.SECONDS);
  }

  @Test
  void a_get_over_h2_reaches_an_http1_upstream_without_a_body() throws Exception {
    Answer r = send(HttpMethod.GET, null, "a.example", 8443);
    assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("h1-upstream");
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(seen.uri()).isEqualTo("/h2?x=1");
    assertThat(seen.header("host")).isEqualTo("a.example:8443");
    assertThat(seen.header("transfer-encoding")).isNull();
    assertThat(seen.body().length()).isZero();
  }

  @Test
  void h2_streams_reuse_the_upstream_keep_alive_connection() throws Exception {
    int before = up.connections();
    for (int i = 0; i < 10; i++) {
      assertThat(send(HttpMethod.GET, null, "a.example", 8443).status()).isEqualTo(200);
      up.take();
    }
    // A closed HTTP/2 stream is a normal end: its upstream connection goes back to the cache.
    assertThat(up.connections() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void a_post_over_h2_forwards_its_body() throws Exception {
    Answer r = send(HttpMethod.POST, "payload over h2", "a.example", 8443);
    assertThat(r.status()).isEqualTo(200);
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.body().toString()).isEqualTo("payload over h2");
  }

  @Test
  void an_unknown_authority_gets_the_default_backend_over_h2() throws Exception {
    Answer r = send(HttpMethod.GET, null, "nope.example", -1);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).contains("404");
  }
}
