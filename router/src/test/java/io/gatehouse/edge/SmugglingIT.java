package io.gatehouse.edge;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request-smuggling vector of LIMITS.md's "Parsing" section is refused and never forwarded.
 *
 * <p>"Never forwarded" is checked on a recording upstream: after the refusal, a valid request on a
 * fresh connection must be the next complete request the upstream records, and (when the vector's
 * head is already invalid) the upstream must not even have seen a head. The status is the one the
 * refusing layer answers: Gatehouse's {@link RequestGuard} or Vert.x/Netty's own decoder, both 400.
 */
@Timeout(60)
class SmugglingIT {
  static Vertx vertx;
  static RecordingUpstream up;
  static RecordingUpstream other;
  static NodeFixture node;
  static final AtomicInteger FOLLOW_UPS = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = new RecordingUpstream(vertx);
    other = new RecordingUpstream(vertx);
    node =
        NodeFixture.start(
            route("a", "a.example", up.address()), route("b", "b.example", other.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    up.close();
    other.close();
    vertx.close().await();
  }

  private static final String POST = "POST /v HTTP/1.1\r\nHost: a.example\r\n";
  private static final String BODY = "5\r\nhello\r\n0\r\n\r\n";

  /** name, raw request, expected status, whether the head alone is already invalid. */
  static Stream<Arguments> vectors() {
    return Stream.of(
        // Invalid heads: refused with 400 by Netty's decoder or by RequestGuard, whichever sees
        // the problem first. TE + Content-Length reaches the guard only through
        // StrictRequestDecoder (Netty would drop the Content-Length).
        v("http11-without-host", "GET /v HTTP/1.1\r\n\r\n", 400),
        v("two-host-headers", "GET /v HTTP/1.1\r\nHost: a.example\r\nHost: a.example\r\n\r\n", 400),
        v("host-with-userinfo", "GET /v HTTP/1.1\r\nHost: x@a.example\r\n\r\n", 400),
        v("empty-header-name", "GET /v HTTP/1.1\r\nHost: a.example\r\n: x\r\n\r\n", 400),
        v("te-xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n" + BODY, 400),
        v("te-comma-chunked", POST + "Transfer-Encoding: ,chunked\r\n\r\n" + BODY, 400),
        v("te-chunked-chunked", POST + "Transfer-Encoding: chunked, chunked\r\n\r\n" + BODY, 400),
        v(
            "te-repeated",
            POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + BODY,
            400),
        v("te-obs-fold", POST + "Transfer-Encoding:\r\n chunked\r\n\r\n" + BODY, 400),
        v("te-obs-fold-tab", POST + "Transfer-Encoding:\r\n\tchunked\r\n\r\n" + BODY, 400),
        v(
            "te-and-content-length",
            POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + BODY,
            400),
        v(
            "http10-te-and-content-length",
            "POST /v HTTP/1.0\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 5\r\n\r\nA\r\nhelloworld\r\n0\r\n\r\n",
            400),
        v(
            "http10-te-chunked",
            "POST /v HTTP/1.0\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n" + BODY,
            400),
        v(
            "content-length-repeated-equal",
            POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            400),
        v("content-length-list", POST + "Content-Length: 5, 5\r\n\r\nhello", 400),
        v("content-length-plus", POST + "Content-Length: +3\r\n\r\nabc", 400),
        v("content-length-negative", POST + "Content-Length: -1\r\n\r\nabc", 400),
        v("content-length-hex", POST + "Content-Length: 0x3\r\n\r\nabc", 400),
        v("space-before-colon", "GET /v HTTP/1.1\r\nHost: a.example\r\nX-A : b\r\n\r\n", 400),
        v("te-space-before-colon", POST + "Transfer-Encoding : chunked\r\n\r\n" + BODY, 400),
        v("bare-cr-in-value", "GET /v HTTP/1.1\r\nHost: a.example\r\nX-A: a\rb\r\n\r\n", 400),
        v("bare-lf-in-head", "GET /v HTTP/1.1\r\nHost: a.example\r\nX-A: a\nX-B: b\r\n\r\n", 400),
        v("nul-in-value", "GET /v HTTP/1.1\r\nHost: a.example\r\nX-A: a\0b\r\n\r\n", 400),
        v("nul-in-name", "GET /v HTTP/1.1\r\nHost: a.example\r\nX\0A: b\r\n\r\n", 400),
        // A valid head whose chunked body is malformed: the head may be forwarded, never a
        // complete request.
        body(
            "chunk-size-not-hex",
            POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
        body(
            "chunk-size-overflow",
            POST + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"),
        body(
            "chunk-size-negative",
            POST + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"));
  }

  private static Arguments v(String name, String request, int status) {
    return Arguments.of(name, request, status, true);
  }

  private static Arguments body(String name, String request) {
    return Arguments.of(name, request, 400, false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void vector_is_refused_and_never_forwarded(
      String name, String request, int status, boolean invalidHead) throws Exception {
    up.clear();
    RawHttp.Response r;
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(request);
      r = raw.read();
      assertThat(r.status()).as("status for %s", name).isEqualTo(status);
      assertThat(raw.closedByServer()).as("connection closed after %s", name).isTrue();
    }
    if (invalidHead) {
      assertThat(up.heads()).as("heads the upstream saw").isEmpty();
    }
    assertNextForwardedIsAFollowUp();
  }

  @Test
  void a_body_found_malformed_mid_stream_resets_the_upstream_request() throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send("POST /midstream HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n");
      raw.send("5\r\nhello\r\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> up.heads().contains("/midstream"));
      raw.send("5\r\nworld\r\nzz\r\nagain\r\n0\r\n\r\n");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(raw.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> up.resets().contains("/midstream"));
    assertNextForwardedIsAFollowUp();
  }

  @Test
  void absolute_form_target_wins_over_host_for_routing_and_forwarding() throws Exception {
    up.clear();
    other.clear();
    RawHttp.Response r =
        RawHttp.exchange(
            node.port(), "GET http://b.example/abs?q=1 HTTP/1.1\r\nHost: a.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    RecordingUpstream.Complete seen = other.take();
    assertThat(seen.uri()).isEqualTo("/abs?q=1");
    assertThat(seen.header("host")).isEqualTo("b.example");
    assertThat(up.heads()).isEmpty();
  }

  /**
   * A valid request on a fresh connection is the next thing the upstream completes, and no request
   * stays in flight.
   */
  private static void assertNextForwardedIsAFollowUp() throws Exception {
    String path = "/follow-up-" + FOLLOW_UPS.incrementAndGet();
    RawHttp.Response ok =
        RawHttp.exchange(node.port(), "GET " + path + " HTTP/1.1\r\nHost: a.example\r\n\r\n");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(up.take().uri()).as("next request the upstream completed").isEqualTo(path);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(node.node().inFlight()).isZero());
  }
}
