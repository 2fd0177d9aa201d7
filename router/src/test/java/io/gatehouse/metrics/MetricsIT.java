package io.gatehouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.testing.HoldingUpstream;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} after known traffic through a real node: three 200s over HTTP and one over HTTPS
 * (one TLS handshake), two 404s no route matches, a 502 (connect failure), a 503 retried into a
 * 200, and a 503 that ejects its endpoint. Every counter and histogram count is asserted exactly;
 * the scrape waits only until the last request was counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class MetricsIT {
  static final String OK = "default/cli/ok";
  static final String DOWN = "default/cli/down";
  static final String FLAKY = "default/cli/flaky";
  static final String EJECT = "default/cli/eject";

  Vertx vertx;
  TestUpstream ok;
  TestUpstream flaky;
  TestUpstream failing;
  NodeFixture node;
  HttpClientAgent plain;
  HttpClientAgent tls;
  Scrape after;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    ok = TestUpstream.named(vertx, "ok");
    AtomicInteger calls = new AtomicInteger();
    // 503 to its first request, 200 to the next: one retry
    flaky =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b ->
                            req.response()
                                .setStatusCode(calls.getAndIncrement() == 0 ? 503 : 200)
                                .end("flaky")));
    failing =
        TestUpstream.custom(
            vertx, req -> req.body().onSuccess(b -> req.response().setStatusCode(503).end()));
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    node =
        NodeFixture.start(
            NodeFixture::withHttps,
            NodeFixture.route("ok", "ok.test", ok.address()),
            NodeFixture.route("down", "down.test", "127.0.0.1:" + closed));
    node.put(
        route("flaky", flaky.address(), BackendPolicy.DEFAULT)
            .withPolicies(
                List.of(
                    new Retry(
                        Set.of(Retry.Condition.GATEWAY_ERROR),
                        List.of(),
                        List.of(),
                        2,
                        null,
                        null,
                        Duration.ofMillis(1),
                        Duration.ofMillis(5),
                        20,
                        3,
                        false,
                        1024))));
    node.put(
        route(
            "eject",
            failing.address(),
            BackendPolicy.DEFAULT.withOutlierDetection(
                new OutlierDetection(1, 1, null, null, null, null, 50))));
    plain = vertx.createHttpClient();
    tls =
        vertx.createHttpClient(
            new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));

    for (int i = 0; i < 3; i++) {
      assertThat(get(plain, node.port(), "ok.test", "/a?i=" + i)).isEqualTo(200);
    }
    assertThat(get(tls, node.httpsPort(), "ok.test", "/secure")).isEqualTo(200);
    assertThat(get(plain, node.port(), "nothing.test", "/x")).isEqualTo(404);
    assertThat(get(plain, node.port(), "nothing-else.test", "/y")).isEqualTo(404);
    assertThat(get(plain, node.port(), "down.test", "/")).isEqualTo(502);
    assertThat(get(plain, node.port(), "flaky.test", "/")).isEqualTo(200);
    assertThat(get(plain, node.port(), "eject.test", "/")).isEqualTo(503);
    await("every request counted")
        .atMost(Duration.ofSeconds(10))
        .until(() -> scrape().sum("gatehouse_requests_total") == 9);
    after = scrape();
  }

  static RouteSpec route(String name, String address, BackendPolicy policy) {
    int c = address.lastIndexOf(':');
    Endpoint e = Endpoint.of("127.0.0.1", Integer.parseInt(address.substring(c + 1)));
    RouteSpec spec =
        new RouteSpec(
            RouteKey.of("default", "cli", name),
            List.of(name + ".test"),
            List.of(PathMatch.prefix("/")),
            Set.of(),
            List.of(),
            List.of(),
            List.of(RouteBackend.of(BackendSpec.http1(List.of(e)).withPolicy(policy))),
            Timeouts.DEFAULTS,
            Limits.DEFAULTS,
            0,
            null);
    return NodeFixture.valid(spec);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    for (TestUpstream u : new TestUpstream[] {ok, flaky, failing}) {
      if (u != null) {
        u.close();
      }
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  int get(HttpClientAgent client, int port, String host, String path) throws Exception {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI(path)
                .putHeader("host", host))
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
        .await(10, TimeUnit.SECONDS);
  }

  Scrape scrape() throws Exception {
    return new Scrape(
        plain
            .request(HttpMethod.GET, node.statusPort(), "127.0.0.1", "/metrics")
            .compose(req -> req.send().compose(resp -> resp.body()))
            .await(10, TimeUnit.SECONDS)
            .toString());
  }

  static String[] request(String route, String code) {
    return new String[] {"route", route, "code", code, "method", "GET", "protocol", "HTTP/1.1"};
  }

  @Test
  void requests_are_counted_by_route_status_class_method_and_protocol() {
    assertThat(after.value("gatehouse_requests_total", request(OK, "2xx"))).isEqualTo(4.0);
    assertThat(after.value("gatehouse_requests_total", request("", "4xx"))).isEqualTo(2.0);
    assertThat(after.value("gatehouse_requests_total", request(DOWN, "5xx"))).isEqualTo(1.0);
    assertThat(after.value("gatehouse_requests_total", request(FLAKY, "2xx"))).isEqualTo(1.0);
    assertThat(after.value("gatehouse_requests_total", request(EJECT, "5xx"))).isEqualTo(1.0);
    assertThat(after.sum("gatehouse_requests_total")).isEqualTo(9.0);
  }

  @Test
  void the_request_duration_histogram_counts_each_request_in_its_buckets() {
    assertThat(after.value("gatehouse_request_duration_seconds_count", "route", OK)).isEqualTo(4.0);
    assertThat(after.value("gatehouse_request_duration_seconds_count", "route", "")).isEqualTo(2.0);
    // every answer took less than 30 s: the last finite bucket holds them all, as +Inf
    assertThat(after.value("gatehouse_request_duration_seconds_bucket", "route", OK, "le", "30.0"))
        .isEqualTo(4.0);
    assertThat(after.value("gatehouse_request_duration_seconds_bucket", "route", OK, "le", "+Inf"))
        .isEqualTo(4.0);
    assertThat(after.value("gatehouse_request_duration_seconds_sum", "route", OK))
        .isPositive()
        .isLessThan(30.0);
  }

  @Test
  void upstream_attempts_are_counted_by_backend_and_outcome_with_retries_and_ejections() {
    assertThat(
            after.value(
                "gatehouse_upstream_attempts_total", "backend", OK + "#0", "outcome", "responded"))
        .isEqualTo(4.0);
    assertThat(
            after.value(
                "gatehouse_upstream_attempts_total",
                "backend",
                DOWN + "#0",
                "outcome",
                "connect_failed"))
        .isEqualTo(1.0);
    assertThat(
            after.value(
                "gatehouse_upstream_attempts_total",
                "backend",
                FLAKY + "#0",
                "outcome",
                "responded"))
        .isEqualTo(2.0);
    // the built-in default backend answered the two 404s
    assertThat(
            after.value(
                "gatehouse_upstream_attempts_total", "backend", "default", "outcome", "responded"))
        .isEqualTo(2.0);
    assertThat(after.value("gatehouse_upstream_retries_total", "backend", FLAKY + "#0"))
        .isEqualTo(1.0);
    assertThat(after.value("gatehouse_upstream_retries_total", "backend", OK + "#0"))
        .isEqualTo(0.0);
    assertThat(
            after.value(
                "gatehouse_upstream_attempt_duration_seconds_count", "backend", FLAKY + "#0"))
        .isEqualTo(2.0);
    assertThat(
            after.value(
                "gatehouse_upstream_ejections_total",
                "backend",
                EJECT + "#0",
                "reason",
                "consecutive-5xx"))
        .isEqualTo(1.0);
  }

  @Test
  void bytes_connections_and_the_tls_handshake_are_counted() {
    // the upstream answers "ok": two bytes each
    assertThat(after.value("gatehouse_response_bytes_total", "route", OK)).isEqualTo(8.0);
    assertThat(
            after.value(
                "gatehouse_tls_handshakes_total",
                "listener",
                "https",
                "version",
                "TLSv1.3",
                "resumed",
                "false"))
        .isEqualTo(1.0);
    assertThat(after.sum("gatehouse_tls_handshakes_total")).isEqualTo(1.0);
    assertThat(after.value("gatehouse_connections_opened_total", "listener", "https"))
        .isEqualTo(1.0);
    assertThat(after.value("gatehouse_connections_open", "listener", "https")).isEqualTo(1.0);
    assertThat(after.value("gatehouse_connections_opened_total", "listener", "http"))
        .isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void the_snapshot_generation_compile_and_propagation_times_and_the_jvm_are_exposed() {
    assertThat(after.value("gatehouse_snapshot_generation")).isPositive();
    assertThat(after.value("gatehouse_snapshot_compile_seconds_count")).isGreaterThanOrEqualTo(3);
    assertThat(after.value("gatehouse_snapshot_propagation_seconds_count"))
        .isGreaterThanOrEqualTo(3);
    assertThat(after.names())
        .contains(
            "jvm_memory_used_bytes",
            "jvm_gc_memory_allocated_bytes_total",
            "jvm_threads_live_threads",
            "jvm_classes_loaded_classes",
            "process_cpu_usage",
            "process_uptime_seconds",
            "process_files_open_files");
  }

  /**
   * Every query of the Grafana dashboard names series this node exposes after the traffic above: a
   * renamed metric breaks the build, not an operator's dashboard.
   */
  @Test
  void every_query_of_the_grafana_dashboard_names_an_exposed_metric() throws Exception {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(Files.readString(Path.of("..", "docs", "grafana", "gatehouse.json")));
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.path("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.has("definition")) {
        exprs.add(variable.path("definition").asText());
      }
    }
    assertThat(exprs).hasSizeGreaterThan(20).doesNotContain("");
    Set<String> exposed = after.names();
    for (String expr : exprs) {
      assertThat(DashboardQueries.metricNames(expr)).as(expr).isNotEmpty().isSubsetOf(exposed);
    }
  }

  /**
   * A request a circuit breaker refuses is counted against its backend and limit, beside the
   * node-wide series that was there before.
   */
  @Test
  void a_circuit_breaker_refusal_is_counted_per_backend_and_limit() throws Exception {
    HoldingUpstream holding = HoldingUpstream.start(vertx, 1);
    try {
      node.put(
          route(
              "full",
              holding.address(0),
              BackendPolicy.DEFAULT.withCircuitBreaker(new CircuitBreaker(1024, 1024, 1, 3))));
      Future<Integer> held = getAsync("full.test");
      await().atMost(Duration.ofSeconds(10)).until(() -> holding.holding() == 1);
      assertThat(get(plain, node.port(), "full.test", "/")).isEqualTo(503);
      holding.release(200);
      assertThat(held.await(10, TimeUnit.SECONDS)).isEqualTo(200);
      Scrape s =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  this::scrape,
                  x -> x.sum("gatehouse_requests_total", "route", "default/cli/full") == 2);
      assertThat(
              s.value(
                  "gatehouse_upstream_overflows_total",
                  "backend",
                  "default/cli/full#0",
                  "limit",
                  "max-requests"))
          .isEqualTo(1.0);
      assertThat(s.value("gatehouse_backend_overflows_total", "limit", "max-requests"))
          .isEqualTo(1.0);
    } finally {
      holding.close();
    }
  }

  Future<Integer> getAsync(String host) {
    return plain
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(node.port())
                .setURI("/")
                .putHeader("host", host))
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())));
  }

  /**
   * A scraper that asks for protobuf (Prometheus with native histograms on) gets the request
   * histogram as a native one as well: exponential buckets beside the classic ones.
   */
  @Test
  void a_protobuf_scrape_carries_the_native_request_histogram() throws Exception {
    io.vertx.core.buffer.Buffer body =
        plain
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1")
                    .setPort(node.statusPort())
                    .setURI("/metrics")
                    .putHeader("accept", GatehouseMetrics.PROTOBUF))
            .compose(
                req ->
                    req.send()
                        .compose(
                            r -> {
                              assertThat(r.getHeader("content-type"))
                                  .startsWith("application/vnd.google.protobuf");
                              return r.body();
                            }))
            .await(10, TimeUnit.SECONDS);
    ProtobufExposition.Histogram ok =
        ProtobufExposition.histogram(
                body.getBytes(), "gatehouse_request_duration_seconds", "route", OK)
            .orElseThrow();
    assertThat(ok.sampleCount()).isGreaterThanOrEqualTo(4);
    assertThat(ok.hasSchema()).isTrue();
    assertThat(ok.positiveSpans()).isPositive();
    assertThat(ok.classicBuckets()).isEqualTo(MetricsOptions.DEFAULT_BUCKETS.length + 1);
  }

  /**
   * A client that comes back with its session ticket resumes: the OpenSSL engine says so, and the
   * handshake counts as {@code resumed="true"}.
   */
  @Test
  void a_second_connection_with_the_session_ticket_counts_as_a_resumed_handshake()
      throws Exception {
    HttpClientAgent fresh =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                .setTrustAll(true)
                .setVerifyHost(false)
                .setKeepAlive(false));
    try {
      double resumedBefore = scrape().sum("gatehouse_tls_handshakes_total", "resumed", "true");
      for (int i = 0; i < 3; i++) {
        assertThat(get(fresh, node.httpsPort(), "ok.test", "/again")).isEqualTo(200);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> scrape().sum("gatehouse_tls_handshakes_total", "resumed", "true"),
              n -> n >= resumedBefore + 1);
    } finally {
      fresh.close().await(10, TimeUnit.SECONDS);
    }
  }
}
