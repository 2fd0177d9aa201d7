package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.PathMatch;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProxyIT {
  static Vertx vertx;
  static TestUpstream a;
  static TestUpstream b;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    a = TestUpstream.named(vertx, "backend-a");
    b = TestUpstream.named(vertx, "backend-b");
    node =
        NodeFixture.start(
            route("a", "a.example", a.address()),
            route("b", List.of("b.example"), List.of(PathMatch.prefix("/api")), b.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    a.close();
    b.close();
    vertx.close().await();
  }

  @Test
  void routes_by_host_and_keeps_host() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET /x?q=1 HTTP/1.1\r\nHost: A.example:8080\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("backend-a");
    TestUpstream.Recorded seen = a.take();
    assertThat(seen.uri()).isEqualTo("/x?q=1");
    assertThat(seen.header("host")).isEqualTo("A.example:8080");
    assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.header("x-forwarded-host")).isEqualTo("A.example:8080");
    assertThat(seen.header("x-forwarded-port")).isEqualTo(Integer.toString(node.port()));
    assertThat(seen.header("forwarded"))
        .isEqualTo("for=127.0.0.1;host=\"A.example:8080\";proto=http");
    assertThat(seen.header("x-request-id")).hasSize(32);
    assertThat(seen.header("transfer-encoding")).isNull();
  }

  @Test
  void upstream_connections_are_kept_alive_and_reused() throws Exception {
    TestUpstream keep = TestUpstream.named(vertx, "keep");
    try (NodeFixture n = NodeFixture.start(route("k", "k.example", keep.address()));
        RawHttp client = new RawHttp(n.port())) {
      for (int i = 0; i < 20; i++) {
        client.send("GET /" + i + " HTTP/1.1\r\nHost: k.example\r\n\r\n");
        assertThat(client.read().status()).isEqualTo(200);
      }
      assertThat(keep.connections()).isEqualTo(1);
    } finally {
      keep.close();
    }
  }

  @Test
  void an_upstream_that_closes_after_each_response_gets_a_fresh_connection() throws Exception {
    TestUpstream closing =
        TestUpstream.custom(
            vertx, req -> req.response().putHeader("connection", "close").end("bye"));
    try (NodeFixture n = NodeFixture.start(route("c", "c.example", closing.address()));
        RawHttp client = new RawHttp(n.port())) {
      for (int i = 0; i < 5; i++) {
        client.send("GET / HTTP/1.1\r\nHost: c.example\r\n\r\n");
        RawHttp.Response r = client.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("bye");
        assertThat(r.header("connection")).isNull();
      }
      assertThat(closing.connections()).isEqualTo(5);
    } finally {
      closing.close();
    }
  }

  @org.junit.jupiter.api.RepeatedTest(30)
  void a_keep_alive_connection_serves_on_after_a_local_answer() throws Exception {
    try (NodeFixture n =
            NodeFixture.start(route("k", "k.example", a.address()), route("none", "none.example"));
        RawHttp client = new RawHttp(n.port())) {
      for (int i = 0; i < 3; i++) {
        client.send("GET /x HTTP/1.1\r\nHost: none.example\r\n\r\n");
        assertThat(client.read().status()).isEqualTo(503);
        client.send("GET /y HTTP/1.1\r\nHost: k.example\r\n\r\n");
        assertThat(client.read().status()).isEqualTo(200);
        client.send("POST /z HTTP/1.1\r\nHost: none.example\r\nContent-Length: 0\r\n\r\n");
        assertThat(client.read().status()).isEqualTo(503);
      }
    }
  }

  @Test
  void unmatched_host_gets_the_default_backend_404() throws Exception {
    RawHttp.Response html =
        RawHttp.exchange(
            node.port(), "GET / HTTP/1.1\r\nHost: nope.example\r\nX-Request-Id: abc-123\r\n\r\n");
    assertThat(html.status()).isEqualTo(404);
    assertThat(html.header("content-type")).startsWith("text/html");
    assertThat(html.body()).contains("404 Not Found").contains("abc-123");
    RawHttp.Response json =
        RawHttp.exchange(
            node.port(),
            "GET / HTTP/1.1\r\nHost: nope.example\r\nAccept: application/json\r\n\r\n");
    assertThat(json.status()).isEqualTo(404);
    assertThat(json.header("content-type")).isEqualTo("application/json");
    assertThat(json.body()).startsWith("{\"status\":404");
  }
}
