package io.gatehouse.edge;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
        // A chunked body that is malformed: its head arrives with it, so the request is refused
        // whole and no upstream request is opened (mid-stream: see the test below).
        v(
            "chunk-size-not-hex",
            POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            400),
        v(
            "chunk-size-overflow",
            POST + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n",
            400),
        v(
            "chunk-size-negative",
            POST + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
            400));
  }

  /**
   * Issue #11 section 4: classes of framing mistakes (overflow, whitespace, folding, bare CR/LF,
   * characters outside the grammar) in every place a request head and chunked framing are parsed.
   * Each is refused with 400 and a close, and nothing reaches the upstream, not even a head.
   */
  static Stream<Arguments> framingVectors() {
    String chunked = POST + "Transfer-Encoding: chunked\r\n\r\n";
    String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a.example\r\n\r\n";
    String get = "GET /v HTTP/1.1\r\nHost: a.example\r\n";
    return Stream.of(
        // Chunk size: overflow (2^32 + 5 and 2^64 + 5 wrapped to 5), whitespace, signs, prefixes.
        f("chunk-size-2^32+5", chunked + "100000005\r\nhello\r\n0\r\n\r\n" + smuggled, 400),
        f("chunk-size-2^64+5", chunked + "10000000000000005\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-2^31", chunked + "80000000\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-leading-space", chunked + " 5\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-leading-tab", chunked + "\t5\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-trailing-space", chunked + "5 \r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-0x", chunked + "0x5\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-plus", chunked + "+5\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-empty", chunked + "\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-bare-lf", chunked + "5\nhello\r\n0\r\n\r\n", 400),
        f("chunk-size-bare-cr", chunked + "5\rhello\r\n0\r\n\r\n", 400),
        f("chunk-data-too-long", chunked + "5\r\nhelloX\r\n0\r\n\r\n", 400),
        f("chunk-data-bare-lf", chunked + "5\r\nhello\n0\r\n\r\n", 400),
        f("last-chunk-bare-lf", chunked + "5\r\nhello\r\n0\n\r\n", 400),
        // Chunk extensions outside RFC 9112 7.1.1.
        f("chunk-ext-empty-name", chunked + "5;=v\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-ext-control", chunked + "5;a=\u0001\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-ext-bare-cr", chunked + "5;a\rb\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-ext-open-quote", chunked + "5;a=\"b\r\nhello\r\n0\r\n\r\n", 400),
        f("chunk-ext-bad-value", chunked + "5;a=b@c\r\nhello\r\n0\r\n\r\n", 400),
        // Trailer section: folding, bare CR, NUL, whitespace before the colon, bad names.
        f("trailer-obs-fold", chunked + "5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n", 400),
        f("trailer-bare-cr", chunked + "5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n", 400),
        f("trailer-nul", chunked + "5\r\nhello\r\n0\r\nX-T: a\0b\r\n\r\n", 400),
        f("trailer-space-before-colon", chunked + "5\r\nhello\r\n0\r\nX-T : a\r\n\r\n", 400),
        f("trailer-no-colon", chunked + "5\r\nhello\r\n0\r\nX-T\r\n\r\n", 400),
        f("trailer-bare-lf-end", chunked + "5\r\nhello\r\n0\r\nX-T: a\n\n", 400),
        // obs-fold after any field (RFC 9112 5.2), and whitespace before the first field.
        f("obs-fold-after-custom", get + "X-A: a\r\n b\r\n\r\n", 400),
        f("obs-fold-after-host", "GET /v HTTP/1.1\r\nHost: a.example\r\n b.example\r\n\r\n", 400),
        f("obs-fold-after-user-agent", get + "User-Agent: x\r\n\ty\r\n\r\n", 400),
        f("obs-fold-after-accept", get + "Accept: */*\r\n x\r\n\r\n", 400),
        f("obs-fold-after-content-type", get + "Content-Type: text/plain\r\n x\r\n\r\n", 400),
        f("obs-fold-after-connection", get + "Connection: keep-alive\r\n x\r\n\r\n", 400),
        f("obs-fold-content-length", POST + "Content-Length:\r\n 5\r\n\r\nhello", 400),
        f("obs-fold-empty-value", get + "X-A:\r\n \r\n\r\n", 400),
        f("space-before-first-field", "GET /v HTTP/1.1\r\n Host: a.example\r\n\r\n", 400),
        // Field names and values outside the grammar.
        f("name-with-brace", get + "X{A}: b\r\n\r\n", 400),
        f("name-with-quote", get + "X\"A: b\r\n\r\n", 400),
        f("name-with-slash", get + "X/A: b\r\n\r\n", 400),
        f("name-non-ascii", get + "X\u00e9: b\r\n\r\n", 400),
        f("name-tab-before-colon", get + "X-A\t: b\r\n\r\n", 400),
        f("value-with-soh", get + "X-A: a\u0001b\r\n\r\n", 400),
        f("value-with-del", get + "X-A: a\u007fb\r\n\r\n", 400),
        f("value-with-vt", get + "X-A: a\u000bb\r\n\r\n", 400),
        f("value-with-ff", get + "X-A: a\u000cb\r\n\r\n", 400),
        f("value-with-esc", get + "X-A: a\u001bb\r\n\r\n", 400),
        f("head-end-bare-lf", get + "\n", 400),
        // Content-Length overflow (2^64 + 5 must not wrap to 5).
        f("content-length-2^64+5", POST + "Content-Length: 18446744073709551621\r\n\r\nhello", 400),
        f("content-length-2^63", POST + "Content-Length: 9223372036854775808\r\n\r\nhello", 400),
        // Request line: whitespace other than one SP, controls, malformed versions.
        f("line-two-spaces", "GET  /v HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-two-spaces-before-version", "GET /v  HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-tab-separator", "GET\t/v HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-tab-before-version", "GET /v\tHTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-vt-separator", "GET\u000b/v HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-ff-separator", "GET /v\u000cHTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-cr-separator", "GET /v\rHTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-leading-space", " GET /v HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-trailing-space", "GET /v HTTP/1.1 \r\nHost: a.example\r\n\r\n", 400),
        f("line-nul-in-target", "GET /v\0x HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-bare-cr-before", "\rGET /v HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-lowercase-version", "GET /v http/1.1\r\nHost: a.example\r\n\r\n", 400),
        f("line-version-two-digits", "GET /v HTTP/1.10\r\nHost: a.example\r\n\r\n", 400),
        f("line-version-no-minor", "GET /v HTTP/1\r\nHost: a.example\r\n\r\n", 400),
        f("line-method-not-token", "G(T /v HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        // A valid request followed on the same connection by a malformed one: the first is
        // answered, the second refused and never forwarded.
        Arguments.of(
            "pipelined-after-valid",
            get + "\r\n" + "GET /w HTTP/1.1\r\nHost: a.example\r\nX-A: a\r\n b\r\n\r\n",
            400,
            true));
  }

  private static Arguments v(String name, String request, int status) {
    return Arguments.of(name, request, status, true);
  }

  /** A framing vector alone on its connection. */
  private static Arguments f(String name, String request, int status) {
    return Arguments.of(name, request, status, false);
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("framingVectors")
  void framing_mistake_is_refused_and_nothing_reaches_the_upstream(
      String name, String request, int status, boolean pipelined) throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(request.getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Response r = raw.read();
      if (pipelined) {
        assertThat(r.status()).as("the valid request before %s", name).isEqualTo(200);
        r = raw.read();
      }
      assertThat(r.status()).as("status for %s", name).isEqualTo(status);
      assertThat(raw.closedByServer()).as("connection closed after %s", name).isTrue();
    }
    assertThat(up.heads())
        .as("heads the upstream saw for %s", name)
        .isEqualTo(pipelined ? List.of("/v") : List.of());
    if (pipelined) {
      assertThat(up.take().uri()).isEqualTo("/v");
    }
    assertNextForwardedIsAFollowUp();
  }

  /** Unusual but valid input (RFC 9112 7.1.1 chunk extensions, RFC 9110 2.5 versions) passes. */
  static Stream<Arguments> validInput() {
    String chunked = "POST /ok HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n";
    // Token-valued extensions (Netty 4.2.12 refused the first one), and quoted ones: no limit on
    // how many chunks carry an extension.
    StringBuilder manyChunks = new StringBuilder(chunked);
    StringBuilder manyQuoted = new StringBuilder(chunked);
    StringBuilder manyBody = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      char c = (char) ('a' + i % 26);
      manyChunks.append("1;ext=").append(i).append("\r\n").append(c).append("\r\n");
      manyQuoted.append("1;ext=\"").append(i).append("\"\r\n").append(c).append("\r\n");
      manyBody.append(c);
    }
    manyChunks.append("0\r\n\r\n");
    manyQuoted.append("0\r\n\r\n");
    return Stream.of(
        Arguments.of("chunk-ext-token", chunked + "5;name=value\r\nhello\r\n0\r\n\r\n", "hello"),
        Arguments.of(
            "chunk-ext-quoted", chunked + "5;name=\"a value\"\r\nhello\r\n0\r\n\r\n", "hello"),
        Arguments.of(
            "chunk-ext-quoted-pair", chunked + "5;name=\"a\\\"b\"\r\nhello\r\n0\r\n\r\n", "hello"),
        Arguments.of("chunk-ext-name-only", chunked + "5;name\r\nhello\r\n0\r\n\r\n", "hello"),
        Arguments.of(
            "chunk-ext-several", chunked + "5;a=b;c=\"d\";e\r\nhello\r\n0;last=1\r\n\r\n", "hello"),
        Arguments.of("chunk-ext-bws", chunked + "5 ; a = b\r\nhello\r\n0\r\n\r\n", "hello"),
        Arguments.of(
            "chunk-ext-on-every-chunk-2000-one-byte-chunks",
            manyChunks.toString(),
            manyBody.toString()),
        Arguments.of(
            "quoted-chunk-ext-on-every-chunk-2000-one-byte-chunks",
            manyQuoted.toString(),
            manyBody.toString()),
        Arguments.of("chunk-size-leading-zeros", chunked + "0005\r\nhello\r\n0\r\n\r\n", "hello"),
        Arguments.of(
            "chunk-size-upper-hex", chunked + "A\r\nhelloworld\r\n0\r\n\r\n", "helloworld"),
        Arguments.of("trailer-field", chunked + "5\r\nhello\r\n0\r\nX-T: a\r\n\r\n", "hello"),
        Arguments.of(
            "http-1.2-served-as-1.1",
            "POST /ok HTTP/1.2\r\nHost: a.example\r\nContent-Length: 5\r\n\r\nhello",
            "hello"),
        Arguments.of("http-1.9-served-as-1.1", "GET /ok HTTP/1.9\r\nHost: a.example\r\n\r\n", ""),
        Arguments.of(
            "empty-line-before-request", "\r\nGET /ok HTTP/1.1\r\nHost: a.example\r\n\r\n", ""),
        Arguments.of(
            "value-with-obs-text-and-tab",
            "GET /ok HTTP/1.1\r\nHost: a.example\r\nX-A: caf\u00e9\tx\r\n\r\n",
            ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validInput")
  void valid_input_is_forwarded(String name, String request, String body) throws Exception {
    up.clear();
    RawHttp.Response r;
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(request.getBytes(StandardCharsets.ISO_8859_1));
      r = raw.read();
    }
    assertThat(r.status()).as("status for %s", name).isEqualTo(200);
    assertThat(r.body())
        .as("body length the upstream counted")
        .isEqualTo(Integer.toString(body.length()));
    RecordingUpstream.Complete seen = up.take();
    assertThat(seen.uri()).isEqualTo("/ok");
    assertThat(seen.body().toString(StandardCharsets.ISO_8859_1)).isEqualTo(body);
  }

  @Test
  void http10_expect_100_continue_is_ignored() throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /ok HTTP/1.0\r\nHost: a.example\r\nExpect: 100-continue\r\n"
              + "Content-Length: 5\r\n\r\nhello");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("first answer to an HTTP/1.0 Expect request").isEqualTo(200);
      assertThat(r.body()).isEqualTo("5");
    }
    assertThat(up.take().body().toString()).isEqualTo("hello");
  }

  @Test
  void http11_expect_100_continue_still_gets_100() throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /ok HTTP/1.1\r\nHost: a.example\r\nExpect: 100-continue\r\n"
              + "Content-Length: 5\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(100);
      raw.send("hello");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("5");
    }
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
