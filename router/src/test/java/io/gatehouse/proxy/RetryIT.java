package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.Retry.Condition;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.HoldingUpstream;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.upstream.BackendLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Retry route policy through a real node, over HTTP/1.1 and h2c: a 503 is retried on the
 * backend's other endpoint, which answers; POST is not retried unless the policy allows it (then
 * its kept body goes again, whole); a body past {@code bufferBytes} is not retried; a stalled
 * endpoint is cut by the per-try timeout and retried; and with every endpoint answering 503, the
 * retry budget bounds the upstream's request count exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RetryIT {
  Vertx vertx;
  NodeFixture node;
  HttpClientAgent h1;
  HttpClientAgent h2;

  /** Answers 503 to everything, counting. */
  TestUpstream failing;

  /** Answers 200 "good", recording each request with its body. */
  TestUpstream good;

  /** Never answers. */
  TestUpstream stalled;

  /** Closes the connection of every request without answering. */
  TestUpstream closing;

  /** Answers a Trailers-Only gRPC UNAVAILABLE (grpc-status 14 in the head). */
  TestUpstream grpcUnavailable;

  final AtomicInteger failed = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    failing =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          failed.incrementAndGet();
                          req.response().setStatusCode(503).end("down");
                        }));
    good = TestUpstream.named(vertx, "good");
    stalled = TestUpstream.custom(vertx, req -> {});
    closing =
        TestUpstream.custom(
            vertx,
            req -> {
              failed.incrementAndGet();
              req.connection().close();
            });
    grpcUnavailable =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          failed.incrementAndGet();
                          req.response()
                              .putHeader("content-type", "application/grpc")
                              .putHeader("grpc-status", "14")
                              .end();
                        }));
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

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    for (TestUpstream u : new TestUpstream[] {failing, good, stalled, closing, grpcUnavailable}) {
      if (u != null) {
        u.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static Endpoint endpoint(String address) {
    return Endpoint.of("127.0.0.1", Integer.parseInt(address.substring(address.indexOf(':') + 1)));
  }

  private void serve(
      String name, @Nullable Retry retry, CircuitBreaker limits, String... addresses) {
    List<Endpoint> eps = new ArrayList<>();
    for (String a : addresses) {
      eps.add(endpoint(a));
    }
    // Outlier detection off: these tests need the failing endpoint to stay in the rotation (the
    // default would eject it after 5 answers of 503 in a row, counted over the whole class).
    BackendSpec backend =
        BackendSpec.http1(eps)
            .withPolicy(
                BackendPolicy.DEFAULT.withCircuitBreaker(limits).withOutlierDetection(null));
    RouteSpec spec =
        new RouteSpec(
            RouteKey.of("default", "cli", name),
            List.of(name + ".example"),
            List.of(PathMatch.prefix("/")),
            Set.of(),
            List.of(),
            List.of(),
            List.of(RouteBackend.of(backend)),
            Timeouts.DEFAULTS,
            Limits.DEFAULTS,
            0,
            null);
    // The validator learns the Retry policy with the sources' work; the rest of the route is
    // validated, the policy added after.
    node.put(NodeFixture.valid(spec).withPolicies(retry == null ? List.of() : List.of(retry)));
  }

  private static Retry retry(Set<Condition> on, boolean nonIdempotent, long bufferBytes) {
    return new Retry(
        on,
        List.of(),
        List.of(),
        2,
        null,
        null,
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        20,
        3,
        nonIdempotent,
        bufferBytes);
  }

  record Reply(int status, String body) {}

  private Future<Reply> send(
      HttpClientAgent client,
      String host,
      HttpMethod method,
      @Nullable Buffer body,
      boolean chunked) {
    return send(client, host, method, body, chunked, null);
  }

  private Future<Reply> send(
      HttpClientAgent client,
      String host,
      HttpMethod method,
      @Nullable Buffer body,
      boolean chunked,
      @Nullable String contentType) {
    RequestOptions o =
        new RequestOptions()
            .setMethod(method)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/");
    if (contentType != null) {
      o.putHeader("content-type", contentType);
    }
    return client
        .request(o)
        .compose(
            req -> {
              req.authority(HostAndPort.create(host, node.port()));
              Future<HttpClientResponse> sent;
              if (body == null) {
                sent = req.send();
              } else if (chunked) {
                req.setChunked(true);
                req.write(body.slice(0, body.length() / 2));
                sent = req.send(body.slice(body.length() / 2, body.length()));
              } else {
                sent = req.send(body);
              }
              return sent.compose(r -> r.body().map(b -> new Reply(r.statusCode(), b.toString())));
            });
  }

  private HttpClientAgent client(String version) {
    return version.equals("h1") ? h1 : h2;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h1", "h2c"})
  void a_503_is_retried_on_the_other_endpoint_which_answers(String version) throws Exception {
    String name = "other-" + version;
    serve(
        name,
        retry(Set.of(Condition.GATEWAY_ERROR), false, 1024),
        CircuitBreaker.DEFAULT,
        failing.address(),
        good.address());
    int failedBefore = failed.get();
    for (int i = 0; i < 6; i++) {
      Reply r =
          send(client(version), name + ".example", HttpMethod.GET, null, false)
              .await(10, TimeUnit.SECONDS);
      assertThat(r.status()).as("request %d", i).isEqualTo(200);
      assertThat(r.body()).isEqualTo("good");
    }
    assertThat(failed.get() - failedBefore).as("the failing endpoint was tried").isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h1", "h2c"})
  void a_connection_closed_before_the_answer_is_retried_on_reset(String version) throws Exception {
    String name = "reset-" + version;
    serve(
        name,
        retry(Set.of(Condition.RESET), false, 1024),
        CircuitBreaker.DEFAULT,
        closing.address(),
        good.address());
    int failedBefore = failed.get();
    for (int i = 0; i < 4; i++) {
      Reply r =
          send(client(version), name + ".example", HttpMethod.GET, null, false)
              .await(10, TimeUnit.SECONDS);
      assertThat(r.status()).as("request %d", i).isEqualTo(200);
    }
    assertThat(failed.get() - failedBefore).as("the closing endpoint was tried").isPositive();
  }

  @Test
  void a_trailers_only_grpc_status_in_the_list_is_retried() throws Exception {
    Retry r =
        new Retry(
            Set.of(Condition.GRPC_STATUS),
            List.of(),
            List.of(14),
            2,
            null,
            null,
            Duration.ofMillis(1),
            Duration.ofMillis(5),
            20,
            3,
            true,
            1024);
    serve("grpc", r, CircuitBreaker.DEFAULT, grpcUnavailable.address(), good.address());
    int failedBefore = failed.get();
    for (int i = 0; i < 4; i++) {
      Reply reply =
          send(
                  h2,
                  "grpc.example",
                  HttpMethod.POST,
                  Buffer.buffer("call"),
                  false,
                  "application/grpc")
              .await(10, TimeUnit.SECONDS);
      assertThat(reply.body()).as("request %d", i).isEqualTo("good");
    }
    assertThat(failed.get() - failedBefore).as("the unavailable endpoint was tried").isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h1", "h2c"})
  void a_post_is_retried_only_when_the_policy_allows_and_then_with_its_whole_body(String version)
      throws Exception {
    String strict = "strict-" + version;
    String loose = "loose-" + version;
    serve(
        strict,
        retry(Set.of(Condition.GATEWAY_ERROR), false, 1024),
        CircuitBreaker.DEFAULT,
        failing.address(),
        good.address());
    serve(
        loose,
        retry(Set.of(Condition.GATEWAY_ERROR), true, 1024),
        CircuitBreaker.DEFAULT,
        failing.address(),
        good.address());
    Buffer body = Buffer.buffer("a body of a few bytes that must arrive whole");
    List<Integer> strictStatuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      strictStatuses.add(
          send(client(version), strict + ".example", HttpMethod.POST, body, false)
              .await(10, TimeUnit.SECONDS)
              .status());
    }
    assertThat(strictStatuses).as("round robin sends some to the failing endpoint").contains(503);
    drain(good);
    for (int i = 0; i < 4; i++) {
      Reply r =
          send(client(version), loose + ".example", HttpMethod.POST, body, i % 2 == 0)
              .await(10, TimeUnit.SECONDS);
      assertThat(r.status()).as("request %d", i).isEqualTo(200);
    }
    for (int i = 0; i < 4; i++) {
      TestUpstream.Recorded rec = good.take();
      assertThat(rec.method()).isEqualTo("POST");
      assertThat(rec.body()).isEqualTo(body);
    }
  }

  @Test
  void a_body_past_the_buffer_limit_is_not_retried() throws Exception {
    serve(
        "big",
        retry(Set.of(Condition.GATEWAY_ERROR), true, 16),
        CircuitBreaker.DEFAULT,
        failing.address(),
        good.address());
    Buffer body = Buffer.buffer("x".repeat(100));
    List<Integer> declared = new ArrayList<>();
    List<Integer> chunked = new ArrayList<>();
    // Each kind in a loop of its own: without retries the rotation alternates, so each loop
    // meets the failing endpoint twice.
    for (int i = 0; i < 4; i++) {
      declared.add(
          send(h1, "big.example", HttpMethod.PUT, body, false)
              .await(10, TimeUnit.SECONDS)
              .status());
    }
    for (int i = 0; i < 4; i++) {
      chunked.add(
          send(h1, "big.example", HttpMethod.PUT, body, true).await(10, TimeUnit.SECONDS).status());
    }
    assertThat(declared).as("declared past the limit").contains(503);
    assertThat(chunked).as("streamed past the limit").contains(503);
    // A small body on the same route is retried: the limit, not the route, refused.
    drain(good);
    for (int i = 0; i < 4; i++) {
      assertThat(
              send(h1, "big.example", HttpMethod.PUT, Buffer.buffer("small"), false)
                  .await(10, TimeUnit.SECONDS)
                  .status())
          .isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h1", "h2c"})
  void the_per_try_timeout_cuts_a_stalled_endpoint_and_retries_on_the_other(String version)
      throws Exception {
    String name = "stall-" + version;
    Retry r =
        new Retry(
            Set.of(Condition.TIMEOUT),
            List.of(),
            List.of(),
            2,
            Duration.ofMillis(300),
            null,
            Duration.ofMillis(1),
            Duration.ofMillis(5),
            20,
            3,
            false,
            1024);
    serve(name, r, CircuitBreaker.DEFAULT, stalled.address(), good.address());
    long slowest = 0;
    for (int i = 0; i < 4; i++) {
      long t0 = System.nanoTime();
      Reply reply =
          send(client(version), name + ".example", HttpMethod.GET, null, false)
              .await(10, TimeUnit.SECONDS);
      slowest = Math.max(slowest, System.nanoTime() - t0);
      assertThat(reply.status()).as("request %d", i).isEqualTo(200);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(slowest))
        .as("a request that met the stalled endpoint waited its per-try timeout, not longer")
        .isBetween(250L, 5000L);
  }

  /**
   * The retry budget, exactly: 20 requests held by two endpoints that both answer 503 when
   * released, a policy of 2 retries on gateway errors with a budget of 20 % and at least 3 (and a
   * circuit breaker allowing 100 retries, so the budget is what binds). When the 20 fail, 20 are in
   * flight: 4 retries fit (20 % of 20); the other 16 get their 503 unretried. When the 4 fail, each
   * gives its place back before asking for the next: 4 requests in flight allow max(3, 0) = 3, so
   * the first to ask finds the 3 others' places taken and the 3 others retry. Then attempts are
   * spent. The upstream sees N + 4 + 3 = 27 requests.
   */
  @Test
  void with_every_endpoint_failing_the_retry_budget_bounds_the_upstream_count() throws Exception {
    HoldingUpstream both = HoldingUpstream.start(vertx, 2);
    try {
      serve(
          "budget",
          retry(Set.of(Condition.GATEWAY_ERROR), false, 1024),
          new CircuitBreaker(1024, 1024, 1024, 100),
          both.addresses());
      long budgetBefore = node.node().backendLimits().refused(BackendLimits.Limit.RETRY_BUDGET);
      int n = 20;
      AtomicInteger answered = new AtomicInteger();
      List<Future<Reply>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(
            send(h1, "budget.example", HttpMethod.GET, null, false)
                .onComplete(ar -> answered.incrementAndGet()));
      }
      await("the first attempts held")
          .atMost(Duration.ofSeconds(10))
          .until(() -> both.holding() == n);
      both.release(503);
      await("4 retries held, 16 answered")
          .atMost(Duration.ofSeconds(10))
          .until(() -> both.holding() == 4 && answered.get() == 16);
      assertThat(both.received()).isEqualTo(24);
      both.release(503);
      await("3 second retries held, 17 answered")
          .atMost(Duration.ofSeconds(10))
          .until(() -> both.holding() == 3 && answered.get() == 17);
      both.release(503);
      for (Future<Reply> f : all) {
        assertThat(f.await(10, TimeUnit.SECONDS).status()).isEqualTo(503);
      }
      assertThat(both.received()).as("N + 4 + 3").isEqualTo(n + 4 + 3);
      assertThat(
              node.node().backendLimits().refused(BackendLimits.Limit.RETRY_BUDGET) - budgetBefore)
          .isEqualTo(16 + 1);
    } finally {
      both.close();
    }
  }

  private static void drain(TestUpstream u) throws InterruptedException {
    while (!u.receivedNothing()) {
      u.take();
    }
  }
}
