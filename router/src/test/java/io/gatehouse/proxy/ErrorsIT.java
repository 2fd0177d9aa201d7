package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 502, 503 and 504, and the single retry after a connect failure. */
@Timeout(60)
class ErrorsIT {
  static Vertx vertx;
  static TestUpstream ok;
  static TestUpstream silent;
  static int deadPort;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ok = TestUpstream.named(vertx, "ok");
    silent = TestUpstream.custom(vertx, req -> silent.record(req, null)); // never answers
    deadPort = freePortNobodyListensOn();
    String dead = "127.0.0.1:" + deadPort;
    RouteSpec slow =
        NodeFixture.valid(
            new RouteSpec(
                RouteKey.of("default", "cli", "slow"),
                List.of("slow.example"),
                List.of(),
                Set.of(),
                List.of(),
                List.of(),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", silent.port()))),
                new Timeouts(
                    Duration.ofSeconds(1),
                    Duration.ofMillis(300),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(30)),
                null,
                0));
    node =
        NodeFixture.start(
            route("dead", "dead.example", dead),
            // Outlier detection off: these tests count on the dead endpoint staying in rotation
            // (EndpointKillIT shows it leaving with the default policy).
            NodeFixture.valid(
                RouteSpec.simple(
                    RouteKey.of("default", "cli", "mixed"),
                    List.of("mixed.example"),
                    List.of(PathMatch.prefix("/")),
                    BackendSpec.http1(
                            List.of(
                                Endpoint.of("127.0.0.1", deadPort),
                                Endpoint.of("127.0.0.1", ok.port())))
                        .withPolicy(BackendPolicy.DEFAULT.withOutlierDetection(null)))),
            route("none", "none.example"),
            slow);
  }

  @AfterAll
  static void stop() {
    node.close();
    ok.close();
    silent.close();
    vertx.close().await();
  }

  static int freePortNobodyListensOn() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void connection_refused_is_502_in_html_and_json() throws Exception {
    RawHttp.Response html =
        RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: dead.example\r\n\r\n");
    assertThat(html.status()).isEqualTo(502);
    assertThat(html.body()).contains("502 Bad Gateway").doesNotContain("127.0.0.1");
    RawHttp.Response json =
        RawHttp.exchange(
            node.port(),
            "GET / HTTP/1.1\r\nHost: dead.example\r\nAccept: application/json\r\n\r\n");
    assertThat(json.status()).isEqualTo(502);
    assertThat(json.body()).contains("\"status\":502").doesNotContain(Integer.toString(deadPort));
  }

  @Test
  void no_endpoint_is_503_in_html_and_json() throws Exception {
    RawHttp.Response html =
        RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: none.example\r\n\r\n");
    assertThat(html.status()).isEqualTo(503);
    assertThat(html.header("content-type")).startsWith("text/html");
    assertThat(html.body()).contains("503 Service Unavailable");
    RawHttp.Response json =
        RawHttp.exchange(
            node.port(),
            "GET / HTTP/1.1\r\nHost: none.example\r\nAccept: application/json\r\n\r\n");
    assertThat(json.status()).isEqualTo(503);
    assertThat(json.body()).contains("\"status\":503");
  }

  @Test
  void upstream_silence_past_the_response_timeout_is_504() throws Exception {
    long t0 = System.nanoTime();
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: slow.example\r\n\r\n");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).isEqualTo(504);
    assertThat(ms).isBetween(250L, 5000L);
  }

  @Test
  void an_idempotent_request_is_retried_once_on_another_endpoint() throws Exception {
    for (int i = 0; i < 6; i++) {
      RawHttp.Response r =
          RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: mixed.example\r\n\r\n");
      assertThat(r.status()).as("request %d", i).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
    }
  }

  @Test
  void a_post_whose_connect_failed_is_retried_on_another_endpoint() throws Exception {
    // Round-robin over one dead and one live endpoint: half the POSTs meet the dead one, whose
    // refused connect sent nothing, so they go to the live one as nginx sends them.
    for (int i = 0; i < 4; i++) {
      RawHttp.Response r =
          RawHttp.exchange(
              node.port(), "POST / HTTP/1.1\r\nHost: mixed.example\r\nContent-Length: 2\r\n\r\nhi");
      assertThat(r.status()).as("request %d", i).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
    }
  }

  @Test
  void path_and_default_backend_paths_use_prefix_segments() throws Exception {
    NodeFixture.route(
        "unused", List.of("p.example"), List.of(PathMatch.prefix("/foo")), ok.address());
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: unknown.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(404);
  }
}
