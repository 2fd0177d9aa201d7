package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.TestUpstream;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Malformed HTTP/2 requests (RFC 9113 §8.2.1, §8.1.1) from a raw client over h2c: each is reset
 * with PROTOCOL_ERROR before any upstream work, logs nothing, and leaves the connection usable.
 */
@Timeout(60)
class H2HostileInputIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  static Vertx vertx;
  static TestUpstream up;

  /** Only the MadeYouReset test routes here, so its connection count starts at zero. */
  static TestUpstream resetUp;

  static NodeFixture node;
  private ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "h1-upstream");
    resetUp = TestUpstream.named(vertx, "reset-upstream");
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)),
            route("a", "a.example", up.address()),
            route("b", "b.example", resetUp.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    up.close();
    resetUp.close();
    vertx.close().await();
  }

  @BeforeEach
  void captureLogs() throws InterruptedException {
    // Each test looks at what reaches the upstream from its own requests only.
    while (!up.receivedNothing()) {
      up.take();
    }
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  static Stream<Arguments> malformedFields() {
    return Stream.of(
        Arguments.of("value-with-cr", "x-a", "b\rc"),
        Arguments.of("value-with-lf", "x-a", "b\nc"),
        Arguments.of("value-with-nul", "x-a", "b\0c"),
        Arguments.of("value-with-leading-space", "x-a", " b"),
        Arguments.of("value-with-trailing-tab", "x-a", "b\t"),
        Arguments.of("name-with-colon", "x:a", "b"),
        Arguments.of("name-with-space", "x a", "b"),
        Arguments.of("name-with-cr", "x\ra", "b"),
        Arguments.of("name-with-nul", "x\0a", "b"),
        Arguments.of("name-uppercase", "X-A", "b"),
        Arguments.of("name-with-del", "x\u007fa", "b"),
        Arguments.of("connection-specific-field", "connection", "close"),
        Arguments.of("te-other-than-trailers", "te", "gzip"),
        Arguments.of("transfer-encoding", "transfer-encoding", "chunked"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedFields")
  void a_malformed_field_resets_the_stream_before_any_upstream_work(
      String name, String field, String value) throws Exception {
    int connectionsBefore = up.connections();
    try (RawH2 c = RawH2.connect(node.port())) {
      Http2Headers bad = RawH2.request("GET", "a.example", "/bad");
      bad.add(field, value);
      c.headers(1, bad, true);
      RawH2.Frame rst = c.await(RawH2.RST_STREAM, 1, WAIT);
      assertThat(rst).as("RST_STREAM on the malformed stream").isNotNull();
      assertThat(rst.code()).isEqualTo(RawH2.PROTOCOL_ERROR);
      // The connection still serves a valid request.
      c.headers(3, RawH2.request("GET", "a.example", "/ok"), true);
      assertThat(c.await(RawH2.HEADERS, 3, WAIT)).as("answer on the next stream").isNotNull();
    }
    assertThat(up.take().uri()).isEqualTo("/ok");
    assertThat(up.receivedNothing()).isTrue();
    // One connection at most, for the valid request; none was opened for the malformed one.
    assertThat(up.connections() - connectionsBefore).isLessThanOrEqualTo(1);
    assertThat(warningsAndErrors()).isEmpty();
  }

  @Test
  void an_http2_connect_is_answered_and_never_tunnelled() throws Exception {
    int connectionsBefore = up.connections();
    try (RawH2 c = RawH2.connect(node.port())) {
      Http2Headers h = new DefaultHttp2Headers(false);
      h.method("CONNECT").authority("a.example:443");
      c.headers(1, h, false);
      RawH2.Frame answer = c.await(RawH2.HEADERS, 1, WAIT);
      assertThat(answer).as("an answer to the CONNECT stream").isNotNull();
    }
    assertThat(up.connections()).isEqualTo(connectionsBefore);
    assertThat(up.receivedNothing()).isTrue();
    assertThat(warningsAndErrors()).isEmpty();
  }

  @Test
  void a_stream_the_server_resets_opens_no_upstream_connection() throws Exception {
    // MadeYouReset (CVE-2025-8671): a valid request, then a frame that makes the server reset
    // the stream (WINDOW_UPDATE of 0 is a stream error), in the same write.
    int streams = 50;
    try (RawH2 c = RawH2.connect(node.port())) {
      for (int i = 0; i < streams; i++) {
        int id = 1 + 2 * i;
        Http2Headers h = RawH2.request("POST", "b.example", "/reset");
        c.headers(id, h, false);
        c.windowUpdate(id, 0);
      }
      int resets = 0;
      for (int i = 0; i < streams; i++) {
        RawH2.Frame f = c.await(RawH2.RST_STREAM, 1 + 2 * i, WAIT);
        if (f != null) {
          resets++;
        }
      }
      assertThat(resets).isEqualTo(streams);
    }
    assertThat(resetUp.connections()).as("upstream connections opened").isZero();
    assertThat(resetUp.receivedNothing()).isTrue();
  }

  static Stream<Arguments> controlFloods() {
    return Stream.of(
        Arguments.of("PING", RawH2.PING, 0, 0, new byte[8]),
        Arguments.of("SETTINGS", RawH2.SETTINGS, 0, 0, new byte[0]),
        Arguments.of("PRIORITY", RawH2.PRIORITY, 0, 1, new byte[] {0, 0, 0, 0, 16}),
        Arguments.of("WINDOW_UPDATE", RawH2.WINDOW_UPDATE, 0, 0, new byte[] {0, 0, 0, 1}));
  }

  /**
   * A flood of frames that carry no request is cut early, while another client keeps being served
   * within 2x its idle p99 (plus 250 ms: a loaded 2-core CI box stalls a whole process now and
   * then, which the ratio alone would count against the flood).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("controlFloods")
  void a_control_frame_flood_is_cut_while_another_client_is_served(
      String name, int type, int flags, int streamId, byte[] payload) throws Exception {
    long[] idle = latencies(40);
    java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    long[] during;
    try (RawH2 attacker = RawH2.connect(node.port())) {
      // The attacker reads what the server answers, so no write queue limit ends the flood.
      Thread flood = new Thread(() -> attacker.flood(type, flags, streamId, payload, 50_000));
      Thread drain =
          new Thread(
              () -> {
                try {
                  closed.set(attacker.awaitClosed(Duration.ofSeconds(30)));
                } catch (java.io.IOException e) {
                  closed.set(true);
                }
              });
      flood.start();
      drain.start();
      during = latencies(40);
      flood.join(30_000);
      drain.join(35_000);
    }
    assertThat(closed.get()).as("the flooding connection is closed").isTrue();
    long idleP99 = idle[(int) (idle.length * 0.99)];
    long duringP99 = during[(int) (during.length * 0.99)];
    assertThat(duringP99)
        .as("p99 during the flood (idle p99 %d ns)", idleP99)
        .isLessThanOrEqualTo(2 * idleP99 + 250_000_000L);
  }

  /**
   * Before its first request a connection gets a tenth of the control-frame burst (100 frames, then
   * 100 a second): a flood that asks for nothing costs the event loop 100 frames' work, not 1,000.
   * The bucket refills while the node reads, so the cut may come a little after the 100th frame.
   * 3,000 PINGs: many are still unread at the node when it cuts; the lingering close drains them
   * instead of closing with them unread, which the kernel answers with a TCP reset (seen as
   * "Connection reset" after 0 PING ACKs before the lingering close).
   */
  @Test
  void a_connection_that_has_asked_for_nothing_is_cut_after_100_control_frames() throws Exception {
    try (RawH2 c = RawH2.connect(node.port())) {
      c.flood(RawH2.PING, 0, 0, new byte[8], 3_000);
      int acks = 0;
      RawH2.Frame f;
      while ((f = c.next(WAIT)) != null && f.type() != RawH2.GOAWAY) {
        if (f.type() == RawH2.PING) {
          acks++;
        }
      }
      assertThat(f).as("GOAWAY after %d PING ACKs (%s)", acks, c.ended).isNotNull();
      assertThat(f.code())
          .as("GOAWAY code after %d PING ACKs", acks)
          .isEqualTo(RawH2.ENHANCE_YOUR_CALM);
      assertThat(acks).as("PINGs answered before the cut").isBetween(100, 200);
    }
  }

  /** Once it has asked for something, a connection gets the whole burst of 1,000. */
  @Test
  void a_connection_with_a_request_may_send_1000_control_frames() throws Exception {
    try (RawH2 c = RawH2.connect(node.port())) {
      c.headers(1, RawH2.request("GET", "a.example", "/ok"), true);
      assertThat(c.await(RawH2.HEADERS, 1, WAIT)).as("answer").isNotNull();
      int pings = 900;
      c.flood(RawH2.PING, 0, 0, new byte[8], pings);
      int acks = 0;
      while (acks < pings) {
        RawH2.Frame f = c.next(WAIT);
        assertThat(f).as("frame after %d PING ACKs (%s)", acks, c.ended).isNotNull();
        assertThat(f.type()).as("frame type after %d PING ACKs", acks).isNotEqualTo(RawH2.GOAWAY);
        if (f.type() == RawH2.PING) {
          acks++;
        }
      }
      c.headers(3, RawH2.request("GET", "a.example", "/ok"), true);
      assertThat(c.await(RawH2.HEADERS, 3, WAIT)).as("answer after the PINGs").isNotNull();
    }
    up.take();
    up.take();
  }

  /**
   * Sorted latencies in ns of {@code n} sequential requests on one fresh connection; all succeed.
   */
  private static long[] latencies(int n) throws Exception {
    long[] out = new long[n];
    try (RawH2 c = RawH2.connect(node.port())) {
      for (int i = 0; i < n; i++) {
        int id = 1 + 2 * i;
        long t0 = System.nanoTime();
        c.headers(id, RawH2.request("GET", "a.example", "/ok"), true);
        assertThat(c.await(RawH2.HEADERS, id, WAIT)).as("answer %d", i).isNotNull();
        out[i] = System.nanoTime() - t0;
      }
    }
    for (int i = 0; i < n; i++) {
      up.take();
    }
    java.util.Arrays.sort(out);
    return out;
  }

  private List<String> warningsAndErrors() {
    return logs.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .toList();
  }
}
