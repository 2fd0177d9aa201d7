package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteSpec;
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

/** Every answer carries Gatehouse's {@code Server} header, as other Ingress controllers' do. */
@Timeout(60)
class ServerHeaderIT {
  static Vertx vertx;
  static TestUpstream withServer;
  static TestUpstream withoutServer;
  static NodeFixture byDefault;
  static NodeFixture passing;
  static NodeFixture off;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    withServer =
        TestUpstream.custom(
            vertx, req -> req.response().putHeader("server", "upstream/1.0").end("ok"));
    withoutServer = TestUpstream.custom(vertx, req -> req.response().end("ok"));
    byDefault = NodeFixture.start(routes());
    passing =
        NodeFixture.start(
            c -> c.withProxy(new NodeConfig.Proxy(List.of(), true, "edge/2", true)), routes());
    off =
        NodeFixture.start(
            c -> c.withProxy(new NodeConfig.Proxy(List.of(), true, "", false)), routes());
  }

  private static RouteSpec[] routes() {
    return new RouteSpec[] {
      route("s", "s.example", withServer.address()),
      route("n", "n.example", withoutServer.address()),
      // nothing listens on port 1 of loopback: the upstream is unreachable
      route("down", "down.example", "127.0.0.1:1")
    };
  }

  @AfterAll
  static void stop() {
    byDefault.close();
    passing.close();
    off.close();
    withServer.close();
    withoutServer.close();
    vertx.close().await();
  }

  private static RawHttp.Response get(NodeFixture node, String host) throws Exception {
    return RawHttp.exchange(
        node.port(), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void a_proxied_answer_carries_gatehouse_in_place_of_the_upstreams_server() throws Exception {
    RawHttp.Response r = get(byDefault, "s.example");
    assertThat(r.status()).isEqualTo(200);
    // one value: the upstream's is replaced, not added
    assertThat(r.header("server")).isEqualTo("gatehouse");
    assertThat(get(byDefault, "n.example").header("server")).isEqualTo("gatehouse");
  }

  @Test
  void locally_generated_answers_carry_it_too() throws Exception {
    RawHttp.Response notFound = get(byDefault, "unknown.example");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.header("server")).isEqualTo("gatehouse");

    RawHttp.Response down = get(byDefault, "down.example");
    assertThat(down.status()).isBetween(502, 503);
    assertThat(down.header("server")).isEqualTo("gatehouse");

    // refused by the edge guard: a header name with an underscore
    RawHttp.Response guard =
        RawHttp.exchange(
            byDefault.port(),
            "GET / HTTP/1.1\r\nHost: s.example\r\nX_Bad: 1\r\nConnection: close\r\n\r\n");
    assertThat(guard.status()).isEqualTo(400);
    assertThat(guard.header("server")).isEqualTo("gatehouse");

    // refused by the HTTP decoder itself: a request line over the limit
    RawHttp.Response tooLong =
        RawHttp.exchange(
            byDefault.port(),
            "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: s.example\r\n\r\n");
    assertThat(tooLong.status()).isEqualTo(414);
    assertThat(tooLong.header("server")).isEqualTo("gatehouse");
  }

  @Test
  void pass_through_keeps_the_upstreams_server_and_fills_in_the_configured_one() throws Exception {
    assertThat(get(passing, "s.example").header("server")).isEqualTo("upstream/1.0");
    assertThat(get(passing, "n.example").header("server")).isEqualTo("edge/2");
    assertThat(get(passing, "unknown.example").header("server")).isEqualTo("edge/2");
  }

  @Test
  void turned_off_sends_no_server_header_at_all() throws Exception {
    RawHttp.Response r = get(off, "s.example");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("server")).isNull();
    assertThat(get(off, "unknown.example").header("server")).isNull();
  }
}
