package io.gatehouse.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Tracing off (the default) leaves the client's trace headers alone and adds none; a collector that
 * is down never holds a request or the node's stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class TracingOffIT {
  static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  Vertx vertx;
  TestUpstream upstream;
  HttpClientAgent client;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "ok");
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

  int get(NodeFixture node, @Nullable String traceparent) throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/")
            .putHeader("host", "ok.test");
    if (traceparent != null) {
      o.putHeader("traceparent", traceparent).putHeader("tracestate", "vendor=1");
    }
    HttpClientResponse r =
        client
            .request(o)
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp)))
            .await(10, TimeUnit.SECONDS);
    return r.statusCode();
  }

  @Test
  void off_by_default_the_trace_headers_pass_untouched_and_none_is_added() throws Exception {
    try (NodeFixture node =
        NodeFixture.start(NodeFixture.route("ok", "ok.test", upstream.address()))) {
      assertThat(get(node, TRACEPARENT)).isEqualTo(200);
      TestUpstream.Recorded passed = upstream.take();
      assertThat(passed.headers().getAll("traceparent")).containsExactly(TRACEPARENT);
      assertThat(passed.headers().getAll("tracestate")).containsExactly("vendor=1");
      assertThat(get(node, null)).isEqualTo(200);
      assertThat(upstream.take().headers().contains("traceparent")).isFalse();
    }
  }

  @Test
  void an_unreadable_headers_file_stops_the_start_and_names_the_key() {
    NodeConfig.Tracing missing =
        new NodeConfig.Tracing(
            true,
            "http://127.0.0.1:4318/v1/traces",
            1.0,
            true,
            "gatehouse",
            Duration.ofSeconds(5),
            Duration.ofSeconds(2),
            16,
            "/nonexistent/collector.headers");
    assertThatThrownBy(() -> NodeFixture.start(c -> c.withTracing(missing)))
        .hasMessageContaining("tracing.headersFile: cannot read /nonexistent/collector.headers");
  }

  @Test
  void a_collector_that_is_down_holds_neither_requests_nor_the_stop() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    NodeConfig.Tracing down =
        new NodeConfig.Tracing(
            true,
            "http://127.0.0.1:" + closed + "/v1/traces",
            1.0,
            true,
            "gatehouse",
            Duration.ofMillis(20),
            Duration.ofSeconds(2),
            16,
            "");
    NodeFixture node =
        NodeFixture.start(
            c -> c.withTracing(down), NodeFixture.route("ok", "ok.test", upstream.address()));
    try {
      for (int i = 0; i < 40; i++) { // more spans than the queue holds: the rest are dropped
        assertThat(get(node, TRACEPARENT)).isEqualTo(200);
        assertThat(upstream.take().header("traceparent"))
            .startsWith("00-0af7651916cd43dd8448eb211c80319c-")
            .doesNotContain("b7ad6b7169203331");
      }
    } finally {
      long t0 = System.nanoTime();
      node.close(); // flushes into a refused connection, for tracing.exportTimeout (2 s) at most
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }
  }
}
