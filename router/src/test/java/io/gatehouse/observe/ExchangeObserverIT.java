package io.gatehouse.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The observer contract through a real node: the order of the callbacks, what the view holds at
 * each, a header an observer adds reaching the upstream, and a connect failure reported as one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ExchangeObserverIT {
  final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  Vertx vertx;
  TestUpstream upstream;
  NodeFixture node;
  HttpClientAgent client;

  /** Writes one line per callback; adds {@code x-observed} to each attempt's upstream request. */
  final ExchangeObserver recorder =
      new ExchangeObserver() {
        @Override
        public void started(ExchangeView x) {
          events.add("started " + x.host() + " " + x.status() + " " + x.routeId());
        }

        @Override
        public void attemptSending(ExchangeView x, MultiMap headers) {
          headers.add("x-observed", x.requestId());
          events.add("sending " + x.endpoint() + " " + x.attempts() + " " + x.backend());
        }

        @Override
        public void attemptEnded(
            ExchangeView x, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
          assertThat(startNanos).isGreaterThanOrEqualTo(x.startNanos());
          events.add("attempt " + outcome + " " + status + " " + retry);
        }

        @Override
        public void ended(ExchangeView x) {
          events.add(
              "ended "
                  + x.method()
                  + " "
                  + x.path()
                  + " "
                  + x.protocol()
                  + " "
                  + x.status()
                  + " "
                  + x.routeId()
                  + " "
                  + x.tenant()
                  + " "
                  + x.bytesOut());
        }
      };

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "ok");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    node =
        NodeFixture.startObserved(
            List.of(recorder),
            UnaryOperator.identity(),
            NodeFixture.route("ok", "ok.test", upstream.address()),
            NodeFixture.route("down", "down.test", "127.0.0.1:" + closed));
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

  @BeforeEach
  void clear() {
    events.clear();
  }

  int get(String host, String path) throws Exception {
    HttpClientResponse r =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1")
                    .setPort(node.port())
                    .setURI(path)
                    .putHeader("host", host))
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp)))
            .await(10, TimeUnit.SECONDS);
    return r.statusCode();
  }

  List<String> awaitEnded() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.stream().anyMatch(e -> e.startsWith("ended ")));
    return List.copyOf(events);
  }

  @Test
  void a_proxied_request_is_reported_in_order_and_the_added_header_reaches_the_upstream()
      throws Exception {
    assertThat(get("ok.test", "/a/b?q=1")).isEqualTo(200);
    List<String> seen = awaitEnded();
    assertThat(seen).hasSize(4);
    assertThat(seen.get(0)).isEqualTo("started ok.test 0 null");
    assertThat(seen.get(1)).startsWith("sending " + upstream.address() + " 1 ");
    assertThat(seen.get(2)).isEqualTo("attempt RESPONDED 200 false");
    assertThat(seen.get(3)).isEqualTo("ended GET /a/b HTTP/1.1 200 default/cli/ok default 2");
    TestUpstream.Recorded r = upstream.take();
    assertThat(r.header("x-observed")).isNotBlank();
  }

  @Test
  void a_connect_failure_is_one_failed_attempt_and_a_502() throws Exception {
    assertThat(get("down.test", "/")).isEqualTo(502);
    List<String> seen = awaitEnded();
    assertThat(seen)
        .containsExactly(
            "started down.test 0 null",
            "attempt CONNECT_FAILED 0 false", // no "sending": no request was ever sent
            "ended GET / HTTP/1.1 502 default/cli/down default 0");
  }

  @Test
  void a_request_no_route_matches_has_no_route() throws Exception {
    assertThat(get("nothing.test", "/x")).isEqualTo(404);
    List<String> seen = awaitEnded();
    assertThat(seen.get(0)).isEqualTo("started nothing.test 0 null");
    assertThat(seen.get(seen.size() - 1)).startsWith("ended GET /x HTTP/1.1 404 null null");
  }
}
