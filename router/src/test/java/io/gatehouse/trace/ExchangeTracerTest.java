package io.gatehouse.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tracer's callbacks on a fake exchange, its spans read from an in-memory exporter: parents,
 * ids, attributes, what goes upstream, sampling, and what is never recorded.
 */
@Timeout(30)
class ExchangeTracerTest {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT = "00f067aa0ba902b7";

  final List<SpanData> exported = new CopyOnWriteArrayList<>();
  OtlpTracing tracing;

  final SpanExporter memory =
      new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
          exported.addAll(spans);
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
          return CompletableResultCode.ofSuccess();
        }
      };

  ExchangeObserver tracer(double ratio, boolean parentBased) {
    tracing =
        OtlpTracing.withExporter(
            new TracingOptions(
                "http://127.0.0.1:1/v1/traces",
                ratio,
                parentBased,
                "gatehouse-test",
                "test",
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                64,
                Map.of()),
            memory);
    return tracing.observer();
  }

  @AfterEach
  void close() {
    if (tracing != null) {
      tracing.close();
    }
  }

  List<SpanData> flushed() {
    assertThat(tracing.flush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    return List.copyOf(exported);
  }

  static SpanData kind(List<SpanData> spans, SpanKind kind) {
    List<SpanData> of = spans.stream().filter(s -> s.getKind() == kind).toList();
    assertThat(of).as("%s spans", kind).hasSize(1);
    return of.get(0);
  }

  /** One attempt answered {@code status}; the upstream's headers returned. */
  static MultiMap proxied(ExchangeObserver t, FakeExchange x, int status) {
    t.started(x);
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap().addAll(x.headers);
    x.routeId = "shop/cli/cart";
    x.tenant = "shop";
    x.endpoint = "10.0.0.5:8080";
    x.attempts = 1;
    t.attemptSending(x, upstream);
    t.attemptEnded(x, AttemptOutcome.RESPONDED, status, System.nanoTime(), false);
    x.status = status;
    t.ended(x);
    return upstream;
  }

  @Test
  void an_incoming_traceparent_is_continued_by_a_server_span_and_a_child_client_span() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    x.headers.add("traceparent", "00-" + TRACE + "-" + PARENT + "-01");
    x.headers.add("tracestate", "vendor=opaque");
    MultiMap upstream = proxied(t, x, 200);

    List<SpanData> spans = flushed();
    assertThat(spans).hasSize(2);
    SpanData server = kind(spans, SpanKind.SERVER);
    SpanData client = kind(spans, SpanKind.CLIENT);
    assertThat(server.getTraceId()).isEqualTo(TRACE);
    assertThat(server.getParentSpanId()).isEqualTo(PARENT);
    assertThat(server.getParentSpanContext().isRemote()).isTrue();
    assertThat(client.getTraceId()).isEqualTo(TRACE);
    assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(x.traceId).isEqualTo(TRACE);
    assertThat(upstream.getAll("traceparent"))
        .containsExactly("00-" + TRACE + "-" + client.getSpanId() + "-01");
    assertThat(upstream.getAll("tracestate")).containsExactly("vendor=opaque");

    assertThat(server.getName()).isEqualTo("GET shop/cli/cart");
    assertThat(server.getAttributes().asMap())
        .containsEntry(AttributeKey.stringKey("http.request.method"), "GET")
        .containsEntry(AttributeKey.stringKey("url.path"), "/cart")
        .containsEntry(AttributeKey.stringKey("url.scheme"), "http")
        .containsEntry(AttributeKey.stringKey("server.address"), "shop.example")
        .containsEntry(AttributeKey.stringKey("network.protocol.version"), "1.1")
        .containsEntry(AttributeKey.stringKey("http.route"), "shop/cli/cart")
        .containsEntry(AttributeKey.stringKey("gatehouse.tenant"), "shop")
        .containsEntry(AttributeKey.longKey("http.response.status_code"), 200L)
        .doesNotContainKey(AttributeKey.stringKey("error.type"));
    assertThat(client.getName()).isEqualTo("GET");
    assertThat(client.getAttributes().asMap())
        .containsEntry(AttributeKey.stringKey("http.request.method"), "GET")
        .containsEntry(AttributeKey.stringKey("server.address"), "10.0.0.5")
        .containsEntry(AttributeKey.longKey("server.port"), 8080L)
        .containsEntry(AttributeKey.stringKey("network.peer.address"), "10.0.0.5")
        .containsEntry(AttributeKey.longKey("network.peer.port"), 8080L)
        .containsEntry(AttributeKey.longKey("http.response.status_code"), 200L)
        .doesNotContainKey(AttributeKey.longKey("http.request.resend_count"));
    assertThat(client.getStartEpochNanos()).isGreaterThanOrEqualTo(server.getStartEpochNanos());
    assertThat(client.getEndEpochNanos()).isLessThanOrEqualTo(server.getEndEpochNanos());
    assertThat(x.observation).as("the slot is cleared at the end").isNull();
  }

  @Test
  void without_a_traceparent_a_trace_is_started_and_a_stray_tracestate_is_dropped() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    x.headers.add("tracestate", "forged=1");
    MultiMap upstream = proxied(t, x, 200);

    List<SpanData> spans = flushed();
    SpanData server = kind(spans, SpanKind.SERVER);
    SpanData client = kind(spans, SpanKind.CLIENT);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(server.getTraceId()).isNotEqualTo(TRACE).hasSize(32).isEqualTo(x.traceId);
    // sampled (01), and the trace id is random (02, W3C Trace Context level 2): ours
    assertThat(upstream.getAll("traceparent"))
        .containsExactly("00-" + server.getTraceId() + "-" + client.getSpanId() + "-03");
    assertThat(upstream.contains("tracestate")).isFalse();
  }

  @Test
  void a_malformed_traceparent_starts_a_new_trace() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    x.headers.add("traceparent", "00-" + TRACE + "-" + PARENT + "-zz");
    MultiMap upstream = proxied(t, x, 200);
    SpanData server = kind(flushed(), SpanKind.SERVER);
    assertThat(server.getTraceId()).isNotEqualTo(TRACE);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(upstream.get("traceparent")).startsWith("00-" + server.getTraceId() + "-");
  }

  @Test
  void ratio_zero_records_nothing_yet_propagates_an_unsampled_traceparent() {
    ExchangeObserver t = tracer(0.0, true);
    FakeExchange x = new FakeExchange();
    MultiMap upstream = proxied(t, x, 200);

    assertThat(flushed()).isEmpty();
    assertThat(x.traceId).hasSize(32).isNotEqualTo("00000000000000000000000000000000");
    // not sampled (flag 01 clear); the random flag (02) set for the id we made
    assertThat(upstream.get("traceparent"))
        .matches("00-" + x.traceId + "-[0-9a-f]{16}-02")
        .doesNotContain("0000000000000000");
  }

  @Test
  void parent_based_sampling_follows_the_clients_flag_and_can_be_turned_off() {
    ExchangeObserver followed = tracer(0.0, true);
    FakeExchange sampled = new FakeExchange();
    sampled.headers.add("traceparent", "00-" + TRACE + "-" + PARENT + "-01");
    proxied(followed, sampled, 200);
    assertThat(flushed()).hasSize(2);
    tracing.close();
    exported.clear();

    ExchangeObserver own = tracer(0.0, false);
    FakeExchange asked = new FakeExchange();
    asked.headers.add("traceparent", "00-" + TRACE + "-" + PARENT + "-01");
    MultiMap upstream = proxied(own, asked, 200);
    assertThat(flushed()).isEmpty();
    // the trace goes on (same id), unsampled by our decision
    assertThat(upstream.get("traceparent")).matches("00-" + TRACE + "-[0-9a-f]{16}-00");
  }

  @Test
  void a_connect_failure_and_its_retry_are_two_client_spans_of_one_server_span() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    t.started(x);
    x.endpoint = "127.0.0.1:9";
    x.attempts = 1;
    long first = System.nanoTime();
    t.attemptEnded(x, AttemptOutcome.CONNECT_FAILED, 0, first, false); // nothing was sent
    x.endpoint = "[::1]:8081";
    x.attempts = 2;
    MultiMap upstream = MultiMap.caseInsensitiveMultiMap();
    t.attemptSending(x, upstream);
    t.attemptEnded(x, AttemptOutcome.RESPONDED, 503, System.nanoTime(), true);
    x.status = 503;
    t.ended(x);

    List<SpanData> spans = flushed();
    SpanData server = kind(spans, SpanKind.SERVER);
    List<SpanData> clients = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    assertThat(clients).hasSize(2);
    assertThat(clients).allMatch(c -> c.getParentSpanId().equals(server.getSpanId()));
    SpanData failed = clients.get(0);
    SpanData retried = clients.get(1);
    assertThat(failed.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("connect_failed");
    assertThat(failed.getAttributes().get(AttributeKey.stringKey("server.address")))
        .isEqualTo("127.0.0.1");
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isNull();
    assertThat(retried.getAttributes().get(AttributeKey.longKey("http.request.resend_count")))
        .isEqualTo(1L);
    assertThat(retried.getAttributes().get(AttributeKey.stringKey("network.peer.address")))
        .isEqualTo("::1");
    assertThat(retried.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("503");
    assertThat(upstream.get("traceparent")).contains(retried.getSpanId());
    assertThat(server.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("503");
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void timeouts_and_resets_name_their_error_type() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    t.started(x);
    x.endpoint = "10.0.0.5:80";
    x.attempts = 1;
    t.attemptSending(x, MultiMap.caseInsensitiveMultiMap());
    t.attemptEnded(x, AttemptOutcome.TIMED_OUT, 0, System.nanoTime(), false);
    x.attempts = 2;
    t.attemptSending(x, MultiMap.caseInsensitiveMultiMap());
    t.attemptEnded(x, AttemptOutcome.RESET, 0, System.nanoTime(), true);
    x.status = 504;
    t.ended(x);
    List<String> errors =
        flushed().stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT)
            .map(s -> s.getAttributes().get(AttributeKey.stringKey("error.type")))
            .toList();
    assertThat(errors).containsExactly("timeout", "reset");
  }

  @Test
  void a_request_refused_before_routing_has_a_server_span_without_host_or_route() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    x.host = null;
    x.method = "BREW";
    t.started(x);
    x.status = 400;
    t.ended(x);
    SpanData server = kind(flushed(), SpanKind.SERVER);
    assertThat(server.getName()).isEqualTo("HTTP");
    assertThat(server.getAttributes().asMap())
        .containsEntry(AttributeKey.stringKey("http.request.method"), "_OTHER")
        .containsEntry(AttributeKey.stringKey("http.request.method_original"), "BREW")
        .containsEntry(AttributeKey.longKey("http.response.status_code"), 400L)
        .doesNotContainKey(AttributeKey.stringKey("server.address"))
        .doesNotContainKey(AttributeKey.stringKey("http.route"));
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void no_header_value_query_or_client_address_is_ever_recorded() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    x.tls = true;
    x.protocol = "HTTP/2";
    x.headers.add("authorization", "Bearer s3cret-token");
    x.headers.add("cookie", "session=s3cret-cookie");
    x.headers.add("user-agent", "s3cret-agent");
    proxied(t, x, 200);
    List<SpanData> spans = flushed();
    assertThat(spans).hasSize(2);
    for (SpanData s : spans) {
      assertThat(s.getAttributes().asMap().values())
          .allSatisfy(
              v ->
                  assertThat(String.valueOf(v))
                      .doesNotContain("s3cret")
                      .doesNotContain("192.0.2.7")
                      .doesNotContain("?"));
    }
    SpanData server = kind(spans, SpanKind.SERVER);
    assertThat(server.getAttributes().get(AttributeKey.stringKey("url.scheme"))).isEqualTo("https");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("network.protocol.version")))
        .isEqualTo("2");
  }

  @Test
  void the_exported_resource_names_the_service() {
    ExchangeObserver t = tracer(1.0, true);
    proxied(t, new FakeExchange(), 200);
    SpanData server = kind(flushed(), SpanKind.SERVER);
    assertThat(server.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("gatehouse-test");
    assertThat(server.getInstrumentationScopeInfo().getName()).isEqualTo("io.gatehouse.trace");
  }

  /** The SDK's reading of a traceparent: a valid parent span context or none. */
  static boolean sdkAccepts(String traceparent) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("traceparent", traceparent);
    TextMapGetter<MultiMap> getter =
        new TextMapGetter<>() {
          @Override
          public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
          }

          @Override
          public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
          }
        };
    Context c = W3CTraceContextPropagator.getInstance().extract(Context.root(), h, getter);
    return Span.fromContext(c).getSpanContext().isValid();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01what",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "",
        "garbage"
      })
  void the_fast_path_reads_a_traceparent_as_the_sdk_does(String value) {
    assertThat(ExchangeTracer.validTraceparent(value))
        .as("accepted: %s", value)
        .isEqualTo(sdkAccepts(value));
  }

  @Test
  void an_unsampled_continued_trace_keeps_its_id_the_random_flag_and_a_valid_tracestate() {
    ExchangeObserver t = tracer(0.0, true);
    FakeExchange x = new FakeExchange();
    x.headers.add("traceparent", "00-" + TRACE + "-" + PARENT + "-02");
    x.headers.add("tracestate", "vendor=abc,other=1");
    MultiMap upstream = proxied(t, x, 200);
    assertThat(flushed()).isEmpty();
    assertThat(x.traceId).isEqualTo(TRACE);
    assertThat(upstream.getAll("traceparent"))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .matches("00-" + TRACE + "-[0-9a-f]{16}-02")
        .doesNotContain(PARENT);
    assertThat(upstream.getAll("tracestate")).containsExactly("vendor=abc,other=1");

    FakeExchange bad = new FakeExchange();
    bad.headers.add("traceparent", "00-" + TRACE + "-" + PARENT + "-00");
    bad.headers.add("tracestate", "not a valid=list=,,");
    MultiMap dropped = proxied(t, bad, 200);
    assertThat(dropped.get("traceparent")).matches("00-" + TRACE + "-[0-9a-f]{16}-00");
    assertThat(dropped.contains("tracestate")).as("an invalid tracestate is dropped").isFalse();
  }

  @Test
  void the_ratio_samples_about_its_share_of_new_traces() {
    ExchangeObserver t = tracer(0.25, true);
    int sampled = 0;
    for (int i = 0; i < 2_000; i++) {
      FakeExchange x = new FakeExchange();
      MultiMap upstream = proxied(t, x, 200);
      String flags = upstream.get("traceparent").substring(53);
      assertThat(flags).isIn("02", "03");
      if (flags.equals("03")) {
        sampled++;
      }
    }
    // 500 expected; +/- 125 is over 6 standard deviations (sd = 19.4)
    assertThat(sampled).isBetween(375, 625);
    // the sampled ones reached the SDK (its queue of 64 drops the rest of a burst)
    assertThat(flushed())
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.getSpanContext().isSampled()).isTrue());
  }

  @Test
  void
      a_sampled_continued_trace_keeps_the_random_flag_and_names_its_parent_as_the_client_sent_it() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    x.headers.add("traceparent", "00-" + TRACE + "-" + PARENT + "-03");
    MultiMap upstream = proxied(t, x, 200);

    List<SpanData> spans = flushed();
    SpanData server = kind(spans, SpanKind.SERVER);
    SpanData client = kind(spans, SpanKind.CLIENT);
    assertThat(server.getParentSpanContext().getTraceFlags().asHex()).isEqualTo("03");
    assertThat(server.getSpanContext().getTraceFlags().asHex()).isEqualTo("03");
    assertThat(client.getSpanContext().getTraceFlags().asHex()).isEqualTo("03");
    assertThat(upstream.getAll("traceparent"))
        .containsExactly("00-" + TRACE + "-" + client.getSpanId() + "-03");
    assertThat(upstream.contains("tracestate")).isFalse();
    assertThat(server.hasEnded()).isTrue();
    assertThat(server.getEndEpochNanos()).isGreaterThanOrEqualTo(server.getStartEpochNanos());
    assertThat(server.getTotalAttributeCount()).isEqualTo(server.getAttributes().size());
    assertThat(server.getInstrumentationScopeInfo().getName()).isEqualTo("io.gatehouse.trace");
  }

  @Test
  void an_attempt_let_go_without_an_outcome_is_still_exported_ended_without_a_status() {
    ExchangeObserver t = tracer(1.0, true);
    FakeExchange x = new FakeExchange();
    t.started(x);
    x.endpoint = "10.0.0.5:8080";
    x.attempts = 1;
    t.attemptSending(x, MultiMap.caseInsensitiveMultiMap());
    x.attempts = 2;
    MultiMap second = MultiMap.caseInsensitiveMultiMap();
    t.attemptSending(x, second); // the first one was let go
    t.attemptEnded(x, AttemptOutcome.RESPONDED, 200, System.nanoTime(), true);
    x.status = 200;
    t.ended(x);

    List<SpanData> clients =
        flushed().stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    assertThat(clients).hasSize(2).allMatch(SpanData::hasEnded);
    assertThat(
            clients.get(0).getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isNull();
    assertThat(clients.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(
            clients.get(1).getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(200L);
    assertThat(second.get("traceparent")).contains(clients.get(1).getSpanId());
  }
}
