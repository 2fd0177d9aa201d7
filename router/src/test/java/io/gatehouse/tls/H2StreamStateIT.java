package io.gatehouse.tls;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.TestUpstream;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The stream-state rules of RFC 9113 §5.1 and §5.1.1 from a raw client over TLS (ALPN) and h2c: a
 * frame on a stream the client has ended, or HEADERS on a lower stream id it skipped, is a
 * connection error (GOAWAY with STREAM_CLOSED or PROTOCOL_ERROR, then close), while trailers on an
 * open lower stream, many streams in a row, frames on a stream the server reset and the h2c
 * Upgrade's stream 1 stay legal; and a header block left incomplete is cut at the header-read
 * deadline. Client misbehaviour logs one line a second at most.
 */
@Timeout(180)
class H2StreamStateIT {
  /** The header-read deadline of this node. */
  private static final Duration LIMIT = Duration.ofSeconds(2);

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long PROTOCOL_ERROR = 1;
  private static final long STREAM_CLOSED = 5;
  private static final long ENHANCE_YOUR_CALM = 11;
  private static final int CONTINUATION = 9;

  @TempDir static Path certs;
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;
  private ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // Answers once the whole request, trailers included, has arrived.
    up = TestUpstream.custom(vertx, req -> req.end().onSuccess(v -> req.response().end("ok")));
    TestCertificates.writePair(certs, "fallback", "localhost");
    EdgeLimits d = EdgeLimits.DEFAULTS;
    EdgeLimits limits =
        new EdgeLimits(
            d.maxHeaderBytes(),
            d.maxHeaderLineBytes(),
            d.maxHeaderCount(),
            d.maxRequestLineBytes(),
            LIMIT,
            d.keepAliveIdleTimeout(),
            d.maxConnections(),
            d.maxConnectionsPerClient(),
            d.underscoreHeaders(),
            d.overloadHeapRatio(),
            d.overloadLoopLag(),
            d.writeQueueBytes(),
            d.pacedConnectionsPerSecond());
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withLimits(limits)
                    .withTls(
                        new NodeConfig.Tls(
                            false,
                            "127.0.0.1",
                            0,
                            certs.toString(),
                            "fallback",
                            NodeConfig.Tls.Engine.AUTO,
                            Duration.ofMillis(50))),
            route("a", "a.example", up.address()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (up != null) {
      up.close();
    }
    vertx.close().await();
  }

  @BeforeEach
  void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    // One line a second at most, and no stack trace.
    assertThat(logs.list).noneMatch(e -> e.getThrowableProxy() != null);
    assertThat(
            logs.list.stream().filter(e -> e.getLoggerName().endsWith("Http2FrameScanner")).count())
        .isLessThanOrEqualTo(2);
  }

  private static RawH2 connect(boolean tls) throws IOException {
    return connect(tls, false);
  }

  private static RawH2 connect(boolean tls, boolean corked) throws IOException {
    return tls ? RawH2.connectTls(node.httpsPort(), corked) : RawH2.connect(node.port(), corked);
  }

  private static Http2Headers get(String path) {
    return RawH2.request("GET", "a.example", path);
  }

  /** Reads until the response on {@code stream} ends; fails on a GOAWAY, a reset or a close. */
  private static void awaitAnswer(RawH2 c, int stream) throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      RawH2.Frame f = c.next(Duration.ofNanos(deadline - System.nanoTime()));
      assertThat(f).as("the answer on stream %d", stream).isNotNull();
      assertThat(f.type()).as("frame %s %s", f, debug(f)).isNotIn(RawH2.GOAWAY);
      if (f.streamId() == stream) {
        assertThat(f.type()).as("reset of stream %d: %s", stream, f).isNotEqualTo(RawH2.RST_STREAM);
        if ((f.flags() & RawH2.END_STREAM) != 0) {
          return;
        }
      }
    }
    throw new AssertionError("no answer on stream " + stream);
  }

  /** A GOAWAY's debug data, as text. */
  private static String debug(RawH2.Frame f) {
    if (f.type() != RawH2.GOAWAY || f.payload().length < 8) {
      return "";
    }
    return new String(f.payload(), 8, f.payload().length - 8, StandardCharsets.UTF_8);
  }

  /** Reads until GOAWAY (its code is returned) and then the close; -1 without GOAWAY. */
  private static long awaitGoAwayAndClose(RawH2 c) throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long code = -1;
    while (System.nanoTime() < deadline) {
      RawH2.Frame f = c.next(Duration.ofNanos(deadline - System.nanoTime()));
      if (f == null) {
        assertThat(c.awaitClosed(Duration.ofSeconds(1))).as("closed").isTrue();
        return code;
      }
      if (f.type() == RawH2.GOAWAY && code == -1) {
        code = f.code();
      }
    }
    throw new AssertionError("neither GOAWAY nor close within " + WAIT + "; GOAWAY code " + code);
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void headers_on_a_half_closed_stream_is_a_connection_error(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, get("/a"), true);
      c.headers(1, get("/again"), true);
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(STREAM_CLOSED);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void headers_on_a_closed_stream_is_a_connection_error(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, get("/a"), true);
      awaitAnswer(c, 1);
      c.headers(1, get("/again"), true);
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(STREAM_CLOSED);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void data_on_a_stream_the_client_ended_is_a_connection_error(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, get("/a"), true);
      awaitAnswer(c, 1);
      c.data(1, "late".getBytes(StandardCharsets.US_ASCII), true);
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(STREAM_CLOSED);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void data_after_the_clients_own_reset_is_a_connection_error(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("POST", "a.example", "/a"), false);
      c.frame(RawH2.RST_STREAM, 0, 1, new byte[] {0, 0, 0, 8});
      c.data(1, "late".getBytes(StandardCharsets.US_ASCII), true);
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(STREAM_CLOSED);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_smaller_stream_id_never_opened_is_a_protocol_error(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(5, get("/a"), true);
      awaitAnswer(c, 5);
      c.headers(3, get("/b"), true);
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(PROTOCOL_ERROR);
    }
  }

  /** The frames arrive with the preface, before the connection is reported to the router. */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_smaller_stream_id_in_the_first_read_is_a_protocol_error(boolean tls) throws Exception {
    try (RawH2 c = connect(tls, true)) {
      c.headers(5, get("/a"), true);
      c.headers(3, get("/b"), true);
      c.uncork();
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(PROTOCOL_ERROR);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void legal_requests_in_the_first_read_are_served(boolean tls) throws Exception {
    try (RawH2 c = connect(tls, true)) {
      c.headers(1, get("/a"), true);
      c.headers(3, get("/b"), true);
      c.uncork();
      awaitAnswer(c, 1);
      awaitAnswer(c, 3);
    }
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void trailers_on_an_open_lower_stream_are_legal(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("POST", "a.example", "/upload"), false);
      c.headers(3, get("/b"), true);
      awaitAnswer(c, 3);
      c.data(1, "body".getBytes(StandardCharsets.US_ASCII), false);
      c.headers(1, new DefaultHttp2Headers(false).add("x-checksum", "1"), true);
      awaitAnswer(c, 1);
      c.headers(5, get("/c"), true);
      awaitAnswer(c, 5);
    }
  }

  /** Past the scanner's window of stream ids, in batches of concurrent streams. */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void many_streams_in_a_row_are_legal(boolean tls) throws Exception {
    int streams = 1_500;
    int batch = 50;
    try (RawH2 c = connect(tls)) {
      for (int first = 1; first < 2 * streams; first += 2 * batch) {
        for (int id = first; id < first + 2 * batch; id += 2) {
          c.headers(id, get("/n/" + id), true);
        }
        int open = batch;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (open > 0 && System.nanoTime() < deadline) {
          RawH2.Frame f = c.next(Duration.ofNanos(deadline - System.nanoTime()));
          assertThat(f).as("answers from stream %d on", first).isNotNull();
          assertThat(f.type()).as("frame %s", f).isNotIn(RawH2.GOAWAY, RawH2.RST_STREAM);
          if ((f.flags() & RawH2.END_STREAM) != 0 && f.streamId() != 0) {
            open--;
          }
        }
        assertThat(open).as("unanswered streams from %d", first).isZero();
      }
      int highest = 2 * streams - 1;
      // A stream long out of the window: Netty's own answer (a reset), the connection lives.
      c.headers(1, get("/old"), true);
      c.headers(highest + 2, get("/next"), true);
      awaitAnswer(c, highest + 2);
      // A recent one the client ended: a connection error.
      c.headers(highest - 20, get("/recent"), true);
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(STREAM_CLOSED);
    }
  }

  /**
   * The server resets a stream whose client broke a rule (a WINDOW_UPDATE of 0: RST_STREAM
   * PROTOCOL_ERROR) before the client ended it; the body frames the client had in flight on it are
   * ignored (RFC 9113 §5.1, "closed") and the connection serves on.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void frames_on_a_stream_the_server_reset_are_ignored(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("POST", "a.example", "/upload"), false);
      c.windowUpdate(1, 0);
      RawH2.Frame reset = c.await(RawH2.RST_STREAM, 1, WAIT);
      assertThat(reset).as("the server's reset").isNotNull();
      c.data(1, "in flight".getBytes(StandardCharsets.US_ASCII), false);
      c.data(1, "in flight".getBytes(StandardCharsets.US_ASCII), true);
      c.headers(3, get("/after"), true);
      awaitAnswer(c, 3);
    }
  }

  /**
   * Header blocks the server refuses: Netty while decoding them (HPACK validation: the stream is
   * never created), {@code Http2StreamGuard} or Netty once created (a value with CR, a padded
   * value, a content-length that is not a number), and Vert.x's own request check (a Host that is
   * not the :authority).
   */
  static Stream<Arguments> refusedHeaderBlocks() {
    Stream.Builder<Arguments> cases = Stream.builder();
    for (boolean tls : new boolean[] {true, false}) {
      cases.add(Arguments.of(tls, "connection", "close"));
      cases.add(Arguments.of(tls, "X-Upper", "b"));
      cases.add(Arguments.of(tls, "x-a", "a<CR>b"));
      cases.add(Arguments.of(tls, "x-a", " padded"));
      cases.add(Arguments.of(tls, "content-length", "x1"));
      cases.add(Arguments.of(tls, "host", "other.example"));
    }
    return cases.build();
  }

  /**
   * Reads until the server acknowledges the client's SETTINGS, so that what follows is a read of
   * its own (the first read's frames keep Netty's behaviour); returns the connection window credit
   * (WINDOW_UPDATE on stream 0) read on the way.
   */
  private static long awaitSettingsAck(RawH2 c) throws IOException {
    long credit = 0;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      RawH2.Frame f = c.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      assertThat(f).as("the server's SETTINGS ACK (%s)", c.ended).isNotNull();
      if (f.type() == RawH2.WINDOW_UPDATE && f.streamId() == 0) {
        credit += increment(f);
      }
      if (f.type() == RawH2.SETTINGS && (f.flags() & 1) != 0) {
        return credit;
      }
    }
  }

  private static long increment(RawH2.Frame f) {
    byte[] p = f.payload();
    return ((p[0] & 0x7fL) << 24) | ((p[1] & 0xffL) << 16) | ((p[2] & 0xffL) << 8) | (p[3] & 0xffL);
  }

  /** A POST with one more field; {@code <CR>} in the value stands for a carriage return. */
  private static Http2Headers badPost(String field, String value) {
    Http2Headers h = RawH2.request("POST", "a.example", "/upload");
    h.add(field, value.replace("<CR>", "\r"));
    return h;
  }

  /**
   * RFC 9113 §5.1 ("closed"): after the server resets a stream whose header block it refused, the
   * DATA, WINDOW_UPDATE and RST_STREAM the client had in flight on it are ignored; the connection
   * and its other streams live on (it used to end with GOAWAY(PROTOCOL_ERROR) "Stream 1 does not
   * exist" when Netty refused the block before creating the stream).
   */
  @ParameterizedTest(name = "tls={0} {1}: {2}")
  @MethodSource("refusedHeaderBlocks")
  void frames_in_flight_on_a_refused_stream_are_ignored(boolean tls, String field, String value)
      throws Exception {
    try (RawH2 c = connect(tls)) {
      awaitSettingsAck(c);
      byte[] body = new byte[100];
      c.corked(
          () -> {
            c.headers(1, badPost(field, value), false);
            c.data(1, body, false);
            c.windowUpdate(1, 1000);
            c.data(1, body, false);
          });
      c.corked(
          () -> {
            c.headers(3, RawH2.request("POST", "a.example", "/next"), false);
            c.windowUpdate(3, 1000);
            c.data(3, body, true);
          });
      awaitAnswer(c, 3);
      // In a later read too, and the client's own reset of the refused stream.
      c.data(1, body, true);
      c.frame(RawH2.RST_STREAM, 0, 1, new byte[] {0, 0, 0, 8});
      c.headers(5, get("/last"), true);
      awaitAnswer(c, 5);
    }
  }

  /**
   * A DATA frame in flight on a refused stream whose 9-byte header is split between two reads (the
   * first ends 5 bytes into it) is ignored like a whole one: its type was already past the scanner,
   * so Netty saw it and ended the connection ("Stream 1 does not exist"), until the scanner held
   * such a header back to the next read.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_frame_header_split_between_reads_on_a_refused_stream_is_ignored(boolean tls)
      throws Exception {
    try (RawH2 c = connect(tls)) {
      awaitSettingsAck(c);
      byte[] body = new byte[100];
      byte[] header = {0, 0, (byte) body.length, RawH2.DATA, 0, 0, 0, 0, 1};
      c.corked(
          () -> {
            c.headers(1, badPost("connection", "close"), false);
            c.ping(42);
            c.write(Arrays.copyOfRange(header, 0, 5));
          });
      // The PING's answer: the server has read the header's first bytes.
      assertThat(c.await(RawH2.PING, 0, WAIT)).as("the PING's answer").isNotNull();
      c.write(Arrays.copyOfRange(header, 5, 9));
      c.write(body);
      c.headers(3, get("/after"), true);
      awaitAnswer(c, 3);
    }
  }

  /**
   * A client that obeys flow control keeps sending request bodies on streams the server refused (it
   * has not read the resets yet): more than the connection window in all, in 16 KiB frames. The
   * ignored bytes are given back on the connection window, their 96 frames stay within the budget
   * of frames on reset streams (200 in 30 s), and a request after them is served.
   */
  @ParameterizedTest(name = "tls={0} {1}: {2}")
  @MethodSource("refusedHeaderBlocks")
  void large_bodies_on_refused_streams_keep_the_connection_window_open(
      boolean tls, String field, String value) throws Exception {
    int streams = 24;
    int frame = 16 * 1024;
    int perStream = 64 * 1024; // the node's stream window
    long window = 65_535; // the connection window before the server's WINDOW_UPDATE
    long sent = 0;
    byte[] chunk = new byte[frame];
    try (RawH2 c = connect(tls)) {
      window += awaitSettingsAck(c);
      for (int s = 0; s < streams; s++) {
        int id = 1 + 2 * s;
        c.headers(id, badPost(field, value), false);
        for (int at = 0; at < perStream; at += frame) {
          long deadline = System.nanoTime() + WAIT.toNanos();
          while (window < frame) {
            RawH2.Frame f = c.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(f)
                .as(
                    "connection window credit after %d bytes on refused streams (%s)",
                    sent, c.ended)
                .isNotNull();
            assertThat(f.type()).as("frame %s %s", f, debug(f)).isNotEqualTo(RawH2.GOAWAY);
            if (f.type() == RawH2.WINDOW_UPDATE && f.streamId() == 0) {
              window += increment(f);
            }
          }
          c.data(id, chunk, false);
          window -= frame;
          sent += frame;
        }
      }
      assertThat(sent).isGreaterThan(1024 * 1024);
      int next = 1 + 2 * streams;
      c.headers(next, get("/after-the-bodies"), true);
      awaitAnswer(c, next);
    }
  }

  /**
   * A connection error right behind a request the server refused before Vert.x saw it (its reset
   * not yet flushed): GOAWAY with the error's code, then close, and no stack trace. Vert.x 5.0.10
   * threw a NullPointerException on such a stream and closed without GOAWAY.
   */
  @ParameterizedTest(name = "tls={0} {1}: {2}")
  @MethodSource("refusedHeaderBlocks")
  void a_connection_error_behind_a_refused_request_sends_goaway(
      boolean tls, String field, String value) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, get("/a"), true);
      awaitAnswer(c, 1);
      c.corked(
          () -> {
            c.headers(3, badPost(field, value), false);
            c.windowUpdate(0, 0); // a connection error (RFC 9113 §6.9)
          });
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(PROTOCOL_ERROR);
    }
  }

  @Test
  void after_an_h2c_upgrade_stream_1_is_half_closed() throws Exception {
    try (RawH2 c = RawH2.upgrade(node.port(), "a.example", "/upgraded")) {
      awaitAnswer(c, 1);
      c.headers(3, get("/b"), true);
      awaitAnswer(c, 3);
      c.data(1, "late".getBytes(StandardCharsets.US_ASCII), true);
      assertThat(awaitGoAwayAndClose(c)).isEqualTo(STREAM_CLOSED);
    }
  }

  /**
   * A header block begun and never finished (HEADERS, then a CONTINUATION without END_HEADERS) on a
   * connection that has already served a request, whose own deadline is then the keep-alive idle
   * limit: cut at the header-read deadline, not before.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void an_incomplete_header_block_is_cut_at_the_header_read_deadline(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, get("/a"), true);
      awaitAnswer(c, 1);
      byte[] block = c.block(get("/slow"));
      int half = block.length / 2;
      long started = System.nanoTime();
      c.frame(RawH2.HEADERS, RawH2.END_STREAM, 3, Arrays.copyOfRange(block, 0, half));
      c.frame(CONTINUATION, 0, 3, Arrays.copyOfRange(block, half, block.length - 1));
      long code = awaitGoAwayAndClose(c);
      long after = System.nanoTime() - started;
      assertThat(code).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(after).as("cut after (ns)").isGreaterThanOrEqualTo(LIMIT.toNanos());
    }
  }
}
