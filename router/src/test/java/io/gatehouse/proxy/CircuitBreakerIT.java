package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.HoldingUpstream;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.upstream.BackendLimits;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Circuit breaking per backend through a real node, over HTTP/1.1 and h2c: with at most 10 requests
 * in flight to a slow upstream, the 11th is answered 503 at once (before any of the 10 ends) naming
 * the limit, and the upstream never holds more than 10; with at most 2 connections and 2 pending
 * requests, 2 wait and are served when the first 2 end, the 5th is refused, the upstream never sees
 * more than 2 connections; a waiter is bounded by the connect timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CircuitBreakerIT {
  Vertx vertx;
  NodeFixture node;
  HttpClientAgent h1;
  HttpClientAgent h2;
  final List<HoldingUpstream> upstreams = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)));
    h1 =
        vertx.createHttpClient(
            new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1),
            new PoolOptions().setHttp1MaxSize(32));
    h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void releaseUpstreams() {
    for (HoldingUpstream u : upstreams) {
      u.close();
    }
    upstreams.clear();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private HoldingUpstream upstream() {
    HoldingUpstream u = HoldingUpstream.start(vertx, 1);
    upstreams.add(u);
    return u;
  }

  private void serve(
      String name, String host, CircuitBreaker limits, Timeouts timeouts, String... eps) {
    List<Endpoint> endpoints =
        Arrays.stream(eps)
            .map(e -> Endpoint.of("127.0.0.1", Integer.parseInt(e.substring(e.indexOf(':') + 1))))
            .toList();
    RouteSpec spec =
        new RouteSpec(
            RouteKey.of("default", "cli", name),
            List.of(host),
            List.of(PathMatch.prefix("/")),
            Set.of(),
            List.of(),
            List.of(),
            BackendSpec.http1(endpoints)
                .withPolicy(BackendPolicy.DEFAULT.withCircuitBreaker(limits)),
            timeouts,
            Limits.DEFAULTS,
            0,
            null);
    node.put(NodeFixture.valid(spec));
  }

  /** A reply: status, the overflow header, the gRPC status of a Trailers-Only answer. */
  record Reply(int status, String overflow, String grpcStatus) {}

  private Future<Reply> send(HttpClientAgent client, String host, boolean grpc) {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/");
    if (grpc) {
      o.putHeader("content-type", "application/grpc");
    }
    return client
        .request(o)
        .compose(
            req ->
                req.authority(HostAndPort.create(host, node.port()))
                    .send()
                    .compose(
                        r -> {
                          MultiMap h = r.headers();
                          return r.body()
                              .map(
                                  b ->
                                      new Reply(
                                          r.statusCode(),
                                          h.get("x-gatehouse-overflow"),
                                          h.get("grpc-status")));
                        }));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h1", "h2c"})
  void
      the_eleventh_request_to_a_backend_of_ten_is_refused_at_once_and_the_upstream_never_holds_more(
          String version) throws Exception {
    HoldingUpstream slow = upstream();
    String host = "ten-" + version + ".example";
    serve(
        "ten-" + version,
        host,
        new CircuitBreaker(1024, 1024, 10, 3),
        Timeouts.DEFAULTS,
        slow.address(0));
    HttpClientAgent client = version.equals("h1") ? h1 : h2;
    long refusedBefore = node.node().backendLimits().refused(BackendLimits.Limit.MAX_REQUESTS);
    AtomicInteger done = new AtomicInteger();
    List<Future<Reply>> ten = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ten.add(send(client, host, false).onComplete(ar -> done.incrementAndGet()));
    }
    await("ten held upstream").atMost(Duration.ofSeconds(10)).until(() -> slow.holding() == 10);
    // gRPC over h2c: the same refusal in the gRPC status mapping (UNAVAILABLE).
    boolean grpc = version.equals("h2c");
    Reply eleventh = send(client, host, grpc).await(5, TimeUnit.SECONDS);
    assertThat(done.get()).as("none of the ten ended before the refusal").isZero();
    assertThat(eleventh.overflow()).isEqualTo("max-requests");
    if (grpc) {
      assertThat(eleventh.status()).isEqualTo(200);
      assertThat(eleventh.grpcStatus()).isEqualTo("14");
    } else {
      assertThat(eleventh.status()).isEqualTo(503);
    }
    assertThat(node.node().backendLimits().refused(BackendLimits.Limit.MAX_REQUESTS))
        .isEqualTo(refusedBefore + 1);
    assertThat(overflowsScraped("max-requests")).isEqualTo(refusedBefore + 1);
    assertThat(slow.release(200)).isEqualTo(10);
    for (Future<Reply> f : ten) {
      assertThat(f.await(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(slow.maxHolding()).isEqualTo(10);
    assertThat(slow.received()).isEqualTo(10);
    // The places went back: ten more fit again.
    List<Future<Reply>> again = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      again.add(send(client, host, false));
    }
    await("ten held again").atMost(Duration.ofSeconds(10)).until(() -> slow.holding() == 10);
    slow.release(200);
    for (Future<Reply> f : again) {
      assertThat(f.await(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  @Test
  void two_connections_and_two_pending_serve_four_in_turn_and_refuse_the_fifth() throws Exception {
    HoldingUpstream slow = upstream();
    String host = "two.example";
    serve("two", host, new CircuitBreaker(2, 2, 1024, 3), Timeouts.DEFAULTS, slow.address(0));
    List<Future<Reply>> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(send(h1, host, false));
    }
    await("two held upstream, two pending")
        .atMost(Duration.ofSeconds(10))
        .until(() -> slow.holding() == 2 && pendingOf() == 2);
    Reply fifth = send(h1, host, false).await(5, TimeUnit.SECONDS);
    assertThat(fifth.status()).isEqualTo(503);
    assertThat(fifth.overflow()).isEqualTo("max-pending");
    assertThat(four).noneMatch(Future::isComplete);
    slow.release(200);
    await("the two pending reach the upstream")
        .atMost(Duration.ofSeconds(10))
        .until(() -> slow.holding() == 2);
    slow.release(200);
    for (Future<Reply> f : four) {
      assertThat(f.await(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(slow.received()).isEqualTo(4);
    assertThat(slow.maxHolding()).isEqualTo(2);
    assertThat(slow.maxOpenConnections()).as("connections open at once").isLessThanOrEqualTo(2);
    // The two waiting for this endpoint on this loop were handed the released connections.
    assertThat(slow.acceptedConnections()).as("connections opened in all").isEqualTo(2);
  }

  @Test
  void a_request_waits_for_a_connection_no_longer_than_the_connect_timeout() throws Exception {
    HoldingUpstream slow = upstream();
    String host = "one.example";
    Timeouts shortConnect =
        new Timeouts(
            Duration.ofMillis(400),
            Timeouts.DEFAULTS.response(),
            Timeouts.DEFAULTS.bodyIdle(),
            Timeouts.DEFAULTS.request());
    serve("one", host, new CircuitBreaker(1, 1, 1024, 3), shortConnect, slow.address(0));
    Future<Reply> first = send(h1, host, false);
    await("one held").atMost(Duration.ofSeconds(10)).until(() -> slow.holding() == 1);
    long t0 = System.nanoTime();
    Reply second = send(h1, host, false).await(5, TimeUnit.SECONDS);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(second.status()).isEqualTo(503);
    assertThat(second.overflow()).isEqualTo("max-connections");
    assertThat(waitedMs).isBetween(350L, 4000L);
    assertThat(pendingOf()).isZero();
    slow.release(200);
    assertThat(first.await(10, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void a_connection_slot_freed_on_one_event_loop_serves_a_request_waiting_on_another()
      throws Exception {
    HoldingUpstream slow = upstream();
    try (NodeFixture twoLoops = NodeFixture.start(c -> c.withEventLoops(2))) {
      RouteSpec spec =
          NodeFixture.route("shared", "shared.example", slow.address(0))
              .withBackend(
                  BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", port(slow.address(0)))))
                      .withPolicy(
                          BackendPolicy.DEFAULT.withCircuitBreaker(
                              new CircuitBreaker(1, 8, 1024, 3))));
      twoLoops.put(NodeFixture.valid(spec));
      // Each on a connection of its own: the node's two loops take turns accepting them.
      List<HttpClientAgent> clients = new ArrayList<>();
      List<Future<Reply>> replies = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          HttpClientAgent c =
              vertx.createHttpClient(
                  new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1),
                  new PoolOptions().setHttp1MaxSize(1));
          clients.add(c);
          replies.add(sendTo(c, twoLoops.port(), "shared.example"));
        }
        for (int served = 1; served <= 4; served++) {
          int expected = served;
          await("request " + served + " reaches the upstream")
              .atMost(Duration.ofSeconds(10))
              .failFast(
                  "a request was answered without reaching the upstream",
                  () ->
                      replies.stream()
                          .anyMatch(
                              f -> f.isComplete() && (f.failed() || f.result().status() != 200)))
              .until(() -> slow.holding() == 1 && slow.received() == expected);
          slow.release(200);
        }
        for (Future<Reply> f : replies) {
          assertThat(f.await(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        // One connection at a time: the upstream held one request at a time (its own count of
        // open connections may briefly see a closed one beside its successor).
        assertThat(slow.maxHolding()).isEqualTo(1);
        assertThat(slow.received()).isEqualTo(4);
      } finally {
        for (HttpClientAgent c : clients) {
          c.close().await();
        }
      }
    }
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.indexOf(':') + 1));
  }

  private Future<Reply> sendTo(HttpClientAgent client, int port, String host) {
    return client
        .request(HttpMethod.GET, port, "127.0.0.1", "/")
        .compose(
            req ->
                req.authority(HostAndPort.create(host, port))
                    .send()
                    .compose(
                        r ->
                            r.body()
                                .map(
                                    b ->
                                        new Reply(
                                            r.statusCode(),
                                            r.headers().get("x-gatehouse-overflow"),
                                            null))));
  }

  /** The node's {@code gatehouse_backend_overflows_total} for {@code limit}, from /metrics. */
  private long overflowsScraped(String limit) throws Exception {
    String text =
        h1.request(HttpMethod.GET, node.statusPort(), "127.0.0.1", "/metrics")
            .compose(req -> req.send().compose(r -> r.body()))
            .await(10, TimeUnit.SECONDS)
            .toString();
    String series = "gatehouse_backend_overflows_total{limit=\"" + limit + "\"}";
    for (String line : text.split("\n")) {
      if (line.startsWith(series)) {
        return (long) Double.parseDouble(line.substring(series.length()).trim());
      }
    }
    throw new AssertionError("no " + series + " in /metrics");
  }

  /** Requests waiting for a connection, over every backend the node has counters for. */
  private int pendingOf() {
    return node.node().backendLimits().pendingTotal();
  }
}
