package io.gatehouse.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Tracing through real nodes, exported over OTLP/HTTP to an in-process receiver: an incoming {@code
 * traceparent} continued by a server span and a child client span whose id the upstream sees; a
 * trace started when the client sent none; a retry as two client spans; and at ratio 0 nothing
 * exported while the upstream still gets an (unsampled) {@code traceparent}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class TracingIT {
  Vertx vertx;
  OtlpReceiver receiver;
  OtlpReceiver silentReceiver;
  TestUpstream upstream;
  TestUpstream silentUpstream;
  TestUpstream flakyA;
  TestUpstream flakyB;
  NodeFixture node;
  NodeFixture silentNode;
  Path headersFile;
  HttpClientAgent client;

  /** The trace id each exchange showed the observers after the tracer, at start. */
  final List<String> seenTraceIds = new CopyOnWriteArrayList<>();

  /** Requests the flaky pair saw: the first answered 503, every later one 200. */
  final AtomicInteger flakyRequests = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    headersFile = Files.createTempFile("collector", ".headers");
    Files.writeString(headersFile, "# the collector's key\nAuthorization: Bearer collector-key\n");
    receiver = new OtlpReceiver(vertx);
    silentReceiver = new OtlpReceiver(vertx);
    upstream = TestUpstream.named(vertx, "ok");
    silentUpstream = TestUpstream.named(vertx, "silent");
    flakyA = flaky();
    flakyB = flaky();
    ExchangeObserver after =
        new ExchangeObserver() {
          @Override
          public void started(ExchangeView x) {
            seenTraceIds.add(String.valueOf(x.traceId()));
          }
        };
    node =
        NodeFixture.startObserved(
            List.of(after),
            c -> c.withTracing(tracing(receiver, 1.0, "gatehouse-a", headersFile.toString())),
            NodeFixture.route("ok", "ok.test", upstream.address()));
    node.put(retried("flaky", "flaky.test", flakyA, flakyB));
    silentNode =
        NodeFixture.start(
            c -> c.withTracing(tracing(silentReceiver, 0.0, "gatehouse-b", "")),
            NodeFixture.route("silent", "silent.test", silentUpstream.address()));
    client = vertx.createHttpClient();
  }

  @AfterAll
  void stop() throws Exception {
    for (NodeFixture n : new NodeFixture[] {node, silentNode}) {
      if (n != null) {
        n.close();
      }
    }
    for (AutoCloseable c :
        new AutoCloseable[] {upstream, silentUpstream, flakyA, flakyB, receiver, silentReceiver}) {
      if (c != null) {
        c.close();
      }
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (headersFile != null) {
      Files.deleteIfExists(headersFile);
    }
  }

  static NodeConfig.Tracing tracing(
      OtlpReceiver to, double ratio, String service, String headersFile) {
    return new NodeConfig.Tracing(
        true,
        to.endpoint(),
        ratio,
        true,
        service,
        Duration.ofMillis(50),
        Duration.ofSeconds(5),
        2048,
        headersFile);
  }

  TestUpstream flaky() {
    TestUpstream[] self = new TestUpstream[1];
    self[0] =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          self[0].record(req, body);
                          boolean first = flakyRequests.getAndIncrement() == 0;
                          req.response().setStatusCode(first ? 503 : 200).end(first ? "no" : "ok");
                        }));
    return self[0];
  }

  /** A route to both upstreams that retries a gateway error once. */
  static RouteSpec retried(String name, String host, TestUpstream a, TestUpstream b) {
    BackendSpec backend =
        BackendSpec.http1(
                List.of(Endpoint.of("127.0.0.1", a.port()), Endpoint.of("127.0.0.1", b.port())))
            .withPolicy(BackendPolicy.DEFAULT.withOutlierDetection(null));
    RouteSpec spec =
        RouteSpec.simple(
            RouteKey.of("default", "cli", name),
            List.of(host),
            List.of(PathMatch.prefix("/")),
            backend);
    Retry retry =
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
            1024);
    return NodeFixture.valid(spec).withPolicies(List.of(retry));
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zeros (invalid)
    return HexFormat.of().formatHex(b);
  }

  int get(NodeFixture to, String host, String uri, @Nullable String traceparent) throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(to.port())
            .setURI(uri)
            .putHeader("host", host);
    if (traceparent != null) {
      o.putHeader("traceparent", traceparent);
    }
    HttpClientResponse r =
        client
            .request(o)
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp)))
            .await(10, TimeUnit.SECONDS);
    return r.statusCode();
  }

  static OtlpReceiver.Received only(List<OtlpReceiver.Received> spans, SpanKind kind) {
    List<OtlpReceiver.Received> of =
        spans.stream().filter(r -> r.span().getKind() == kind).toList();
    assertThat(of).as("%s spans", kind).hasSize(1);
    return of.get(0);
  }

  @Test
  void an_incoming_traceparent_is_continued_by_exported_server_and_client_spans() throws Exception {
    String trace = randomHex(16);
    String parent = randomHex(8);
    assertThat(
            get(node, "ok.test", "/shop/cart?token=s3cret", "00-" + trace + "-" + parent + "-01"))
        .isEqualTo(200);
    String sent = upstream.take().header("traceparent");

    List<OtlpReceiver.Received> spans = receiver.awaitTrace(trace, 2);
    assertThat(spans).hasSize(2);
    OtlpReceiver.Received server = only(spans, SpanKind.SPAN_KIND_SERVER);
    OtlpReceiver.Received clientSpan = only(spans, SpanKind.SPAN_KIND_CLIENT);
    assertThat(server.parentSpanId()).isEqualTo(parent);
    assertThat(clientSpan.parentSpanId()).isEqualTo(server.spanId());
    assertThat(sent).isEqualTo("00-" + trace + "-" + clientSpan.spanId() + "-01");

    assertThat(server.service()).isEqualTo("gatehouse-a");
    assertThat(server.span().getName()).isEqualTo("GET default/cli/ok");
    assertThat(server.attribute("http.request.method")).isEqualTo("GET");
    assertThat(server.attribute("url.path")).isEqualTo("/shop/cart");
    assertThat(server.attribute("url.scheme")).isEqualTo("http");
    assertThat(server.attribute("server.address")).isEqualTo("ok.test");
    assertThat(server.attribute("network.protocol.version")).isEqualTo("1.1");
    assertThat(server.attribute("http.route")).isEqualTo("default/cli/ok");
    assertThat(server.attribute("http.response.status_code")).isEqualTo("200");
    assertThat(clientSpan.attribute("server.address")).isEqualTo("127.0.0.1");
    assertThat(clientSpan.attribute("server.port")).isEqualTo(Integer.toString(upstream.port()));
    assertThat(clientSpan.attribute("network.peer.address")).isEqualTo("127.0.0.1");
    assertThat(clientSpan.attribute("http.response.status_code")).isEqualTo("200");
    for (OtlpReceiver.Received r : spans) {
      assertThat(r.span().toString()).doesNotContain("s3cret").doesNotContain("token");
    }
    assertThat(receiver.problems).isEmpty();
    // the tracer runs first: the observers after it (the access log) read the trace id
    assertThat(seenTraceIds).contains(trace);
    // tracing.headersFile: sent with every export
    assertThat(receiver.authorizations).contains("Bearer collector-key");
  }

  @Test
  void a_request_without_a_traceparent_starts_a_trace() throws Exception {
    assertThat(get(node, "ok.test", "/", null)).isEqualTo(200);
    String sent = upstream.take().header("traceparent");
    assertThat(sent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]");
    String trace = sent.substring(3, 35);
    String clientSpanId = sent.substring(36, 52);

    List<OtlpReceiver.Received> spans = receiver.awaitTrace(trace, 2);
    OtlpReceiver.Received server = only(spans, SpanKind.SPAN_KIND_SERVER);
    OtlpReceiver.Received clientSpan = only(spans, SpanKind.SPAN_KIND_CLIENT);
    assertThat(server.span().getParentSpanId().isEmpty()).isTrue();
    assertThat(clientSpan.spanId()).isEqualTo(clientSpanId);
    assertThat(clientSpan.parentSpanId()).isEqualTo(server.spanId());
  }

  @Test
  void a_retry_is_two_client_spans_of_one_server_span() throws Exception {
    String trace = randomHex(16);
    assertThat(get(node, "flaky.test", "/", "00-" + trace + "-" + randomHex(8) + "-01"))
        .isEqualTo(200);
    TestUpstream.Recorded firstTry = (flakyA.count() > 0 ? flakyA : flakyB).take();
    TestUpstream.Recorded secondTry = (flakyB.count() > 0 ? flakyB : flakyA).take();

    List<OtlpReceiver.Received> spans = receiver.awaitTrace(trace, 3);
    assertThat(spans).hasSize(3);
    OtlpReceiver.Received server = only(spans, SpanKind.SPAN_KIND_SERVER);
    List<OtlpReceiver.Received> tries =
        spans.stream()
            .filter(r -> r.span().getKind() == SpanKind.SPAN_KIND_CLIENT)
            .sorted(
                (a, b) ->
                    Long.compare(a.span().getStartTimeUnixNano(), b.span().getStartTimeUnixNano()))
            .toList();
    assertThat(tries).hasSize(2).allMatch(t -> t.parentSpanId().equals(server.spanId()));
    assertThat(tries.get(0).attribute("http.response.status_code")).isEqualTo("503");
    assertThat(tries.get(0).attribute("error.type")).isEqualTo("503");
    assertThat(tries.get(1).attribute("http.response.status_code")).isEqualTo("200");
    assertThat(tries.get(1).attribute("http.request.resend_count")).isEqualTo("1");
    assertThat(server.attribute("http.response.status_code")).isEqualTo("200");
    // each try carried its own span's id upstream
    assertThat(List.of(firstTry.header("traceparent"), secondTry.header("traceparent")))
        .containsExactlyInAnyOrder(
            "00-" + trace + "-" + tries.get(0).spanId() + "-01",
            "00-" + trace + "-" + tries.get(1).spanId() + "-01");
  }

  @Test
  void ratio_zero_exports_nothing_but_still_propagates() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get(silentNode, "silent.test", "/", null)).isEqualTo(200);
      // a fresh trace, unsampled (flag 01 clear), still sent upstream
      assertThat(silentUpstream.take().header("traceparent"))
          .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]");
    }
    // A client's sampled trace is followed (parent-based): once its spans arrived, the batch
    // processor (first in, first out) has exported everything recorded before them, which is none.
    String marker = randomHex(16);
    assertThat(get(silentNode, "silent.test", "/", "00-" + marker + "-" + randomHex(8) + "-01"))
        .isEqualTo(200);
    silentUpstream.take();
    silentReceiver.awaitTrace(marker, 2);
    assertThat(silentReceiver.spans).hasSize(2).allMatch(r -> r.traceId().equals(marker));
  }
}
