package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 streams that are doing legitimate work keep their stream and their connection past the
 * header-read deadline (the idle limit of a stream that sends nothing) and past the keep-alive idle
 * limit (which is for connections without streams): a request body that streams or pauses within
 * the route's body-inactivity limit, next to a stream that is idle and is reset; a slow upstream
 * within the route's response timeout; a download and a server-sent event stream with gaps longer
 * than both limits. Over TLS (ALPN) and h2c, from a raw client. A connection without a stream is
 * still closed at the keep-alive idle limit.
 */
@Timeout(180)
class H2BusyStreamsIT {
  /** The header-read deadline: the idle limit of a stream that sends nothing. */
  private static final Duration HEAD_LIMIT = Duration.ofSeconds(2);

  /** The keep-alive idle limit: for a connection without streams. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(3);

  /** The route's body-inactivity limit. */
  private static final Duration BODY_IDLE = Duration.ofSeconds(12);

  /** A pause longer than both connection limits and shorter than the body-inactivity limit. */
  private static final Duration PAUSE = Duration.ofMillis(4_500);

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long CANCEL = 8;

  /** A download larger than the client's initial flow-control window (64 KiB - 1). */
  private static final int BIG = 256 * 1024;

  @TempDir static Path certs;
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;
  private ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.custom(vertx, H2BusyStreamsIT::upstream);
    TestCertificates.writePair(certs, "fallback", "localhost");
    EdgeLimits d = EdgeLimits.DEFAULTS;
    EdgeLimits limits =
        new EdgeLimits(
            d.maxHeaderBytes(),
            d.maxHeaderLineBytes(),
            d.maxHeaderCount(),
            d.maxRequestLineBytes(),
            HEAD_LIMIT,
            KEEP_ALIVE,
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
            NodeFixture.valid(
                new RouteSpec(
                    RouteKey.of("default", "cli", "a"),
                    List.of("a.example"),
                    List.of(),
                    Set.of(),
                    List.of(),
                    List.of(),
                    BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", up.port()))),
                    new Timeouts(
                        Duration.ofSeconds(5), Duration.ofSeconds(20), BODY_IDLE, Duration.ZERO),
                    null,
                    0)));
  }

  /**
   * {@code /echo}: the size of the whole request body, once it has ended. {@code /slow}: 200 after
   * {@link #PAUSE}. {@code /events}: headers at once, then three events {@link #PAUSE} apart, then
   * the end (a server-sent event stream, or a long download).
   */
  private static void upstream(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    switch (req.path()) {
      case "/slow" ->
          req.end().onSuccess(v -> vertx.setTimer(PAUSE.toMillis(), t -> resp.end("slow answer")));
      case "/big" -> resp.end(Buffer.buffer(new byte[BIG]));
      case "/events" -> {
        resp.setChunked(true).putHeader("content-type", "text/event-stream");
        resp.writeHead();
        event(resp, 0);
      }
      default ->
          req.body()
              .onSuccess(b -> resp.end("got " + b.length() + " bytes"))
              .onFailure(t -> resp.reset());
    }
  }

  private static void event(HttpServerResponse resp, int n) {
    if (resp.closed()) {
      return;
    }
    if (n == 3) {
      resp.end("data: end\n\n");
      return;
    }
    resp.write(Buffer.buffer("data: " + n + "\n\n"));
    vertx.setTimer(PAUSE.toMillis(), t -> event(resp, n + 1));
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
    assertThat(logs.list).noneMatch(e -> e.getThrowableProxy() != null);
  }

  private static RawH2 connect(boolean tls) throws IOException {
    return tls ? RawH2.connectTls(node.httpsPort(), false) : RawH2.connect(node.port());
  }

  /** What the client saw until a deadline: frames, and whether the server closed. */
  private record Seen(List<RawH2.Frame> frames, String ended) {
    boolean closed() {
      return ended != null && !ended.equals("timeout");
    }

    List<RawH2.Frame> of(int type) {
      return frames.stream().filter(f -> f.type() == type).toList();
    }

    /** The frames that end or cut something: RST_STREAM, GOAWAY and the close. */
    String cuts() {
      StringBuilder s = new StringBuilder();
      for (RawH2.Frame f : frames) {
        if (f.type() == RawH2.RST_STREAM || f.type() == RawH2.GOAWAY) {
          s.append(f.type() == RawH2.RST_STREAM ? "RST_STREAM" : "GOAWAY")
              .append(" stream ")
              .append(f.streamId())
              .append(" code ")
              .append(f.code())
              .append("; ");
        }
      }
      return s.append(closed() ? "closed (" + ended + ")" : "open").toString();
    }
  }

  /** Reads every frame for {@code span} (the server's SETTINGS acknowledged on the way). */
  private static Seen watch(RawH2 c, Duration span) throws IOException {
    List<RawH2.Frame> frames = new ArrayList<>();
    long deadline = System.nanoTime() + span.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return new Seen(frames, null);
      }
      RawH2.Frame f = c.next(Duration.ofNanos(left));
      if (f == null) {
        return new Seen(frames, "timeout".equals(c.ended) ? null : c.ended);
      }
      frames.add(f);
    }
  }

  /** Reads until the response on {@code stream} ends; returns its status and body. */
  private static String awaitAnswer(RawH2 c, int stream) throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos() + PAUSE.toNanos() * 4;
    String status = null;
    StringBuilder body = new StringBuilder();
    while (System.nanoTime() < deadline) {
      RawH2.Frame f = c.next(Duration.ofNanos(deadline - System.nanoTime()));
      assertThat(f).as("the answer on stream %d (%s)", stream, c.ended).isNotNull();
      assertThat(f.type()).as("frame %s", f).isNotEqualTo(RawH2.GOAWAY);
      if (f.streamId() != stream) {
        continue;
      }
      assertThat(f.type()).as("reset of stream %d: %s", stream, f).isNotEqualTo(RawH2.RST_STREAM);
      if (f.type() == RawH2.HEADERS && status == null) {
        status = c.lastHeaders.status().toString();
      } else if (f.type() == RawH2.DATA) {
        body.append(new String(f.payload(), StandardCharsets.UTF_8));
      }
      if ((f.flags() & RawH2.END_STREAM) != 0) {
        return status + " " + body;
      }
    }
    throw new AssertionError("no answer on stream " + stream);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Stream 1 sends its request head and nothing more: it is reset at the header-read deadline.
   * Stream 3 has sent part of its body and waits: it is the body-inactivity limit's, so it and the
   * connection live on, past the keep-alive idle limit too, and its request completes.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void an_idle_stream_is_reset_and_a_stream_with_body_keeps_the_connection(boolean tls)
      throws Exception {
    try (RawH2 c = connect(tls)) {
      long started = System.nanoTime();
      c.headers(1, RawH2.request("POST", "a.example", "/echo"), false);
      c.headers(3, RawH2.request("POST", "a.example", "/echo"), false);
      c.data(3, bytes("first part;"), false);
      Seen seen = watch(c, HEAD_LIMIT.plus(PAUSE));
      List<RawH2.Frame> resets = seen.of(RawH2.RST_STREAM);
      assertThat(seen.closed()).as("closed: %s", seen.cuts()).isFalse();
      assertThat(seen.of(RawH2.GOAWAY)).as("GOAWAY: %s", seen.cuts()).isEmpty();
      assertThat(resets).as("resets: %s", seen.cuts()).hasSize(1);
      assertThat(resets.get(0).streamId()).isEqualTo(1);
      assertThat(resets.get(0).code()).isEqualTo(CANCEL);
      assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(HEAD_LIMIT.toNanos());
      c.data(3, bytes("last part"), true);
      assertThat(awaitAnswer(c, 3)).isEqualTo("200 got 20 bytes");
    }
  }

  /** One stream alone, its body paused twice for longer than both connection limits. */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_body_paused_within_the_body_limit_is_served(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("POST", "a.example", "/echo"), false);
      c.data(1, bytes("one;"), false);
      Seen first = watch(c, PAUSE);
      assertThat(first.cuts()).as("after the first pause").isEqualTo("open");
      c.data(1, bytes("two;"), false);
      Seen second = watch(c, PAUSE);
      assertThat(second.cuts()).as("after the second pause").isEqualTo("open");
      c.data(1, bytes("three"), true);
      assertThat(awaitAnswer(c, 1)).isEqualTo("200 got 13 bytes");
    }
  }

  /**
   * The request has ended; the upstream answers after longer than both connection limits, twice.
   * Then the connection, without a stream, is closed at the keep-alive idle limit.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_slow_upstream_within_its_timeout_keeps_the_connection(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("GET", "a.example", "/slow"), true);
      assertThat(awaitAnswer(c, 1)).isEqualTo("200 slow answer");
      c.headers(3, RawH2.request("GET", "a.example", "/slow"), true);
      assertThat(awaitAnswer(c, 3)).isEqualTo("200 slow answer");
      // Without a stream, keep-alive idle applies again.
      Seen after = watch(c, KEEP_ALIVE.plus(WAIT));
      assertThat(after.closed()).as("closed once idle: %s", after.cuts()).isTrue();
    }
  }

  /**
   * A server-sent event stream (or a long download) whose events come further apart than both
   * connection limits: every event arrives and the stream ends normally.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void an_event_stream_with_long_gaps_is_not_cut(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("GET", "a.example", "/events"), true);
      assertThat(awaitAnswer(c, 1)).isEqualTo("200 data: 0\n\ndata: 1\n\ndata: 2\n\ndata: end\n\n");
    }
  }

  /**
   * A stream whose request is still open (a client streaming its request, as in gRPC's
   * bidirectional calls) and whose response has started: events further apart than both connection
   * limits keep coming until the response ends.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_response_under_way_on_an_open_request_is_not_cut(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("POST", "a.example", "/events"), false);
      c.data(1, bytes("subscribe"), false);
      String answer = awaitAnswer(c, 1);
      assertThat(answer).isEqualTo("200 data: 0\n\ndata: 1\n\ndata: 2\n\ndata: end\n\n");
    }
  }

  /**
   * A download the client stops reading (its flow-control window stays closed) for longer than both
   * connection limits and less than the route's body-inactivity limit (nginx's send_timeout), then
   * resumes: the whole body arrives.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_download_paused_by_the_client_is_not_cut(boolean tls) throws Exception {
    try (RawH2 c = connect(tls)) {
      c.headers(1, RawH2.request("GET", "a.example", "/big"), true);
      long received = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      // The initial windows let 65,535 bytes through.
      while (received < 65_535 && System.nanoTime() < deadline) {
        RawH2.Frame f = c.next(Duration.ofNanos(deadline - System.nanoTime()));
        assertThat(f).as("the first window's worth (%d bytes so far)", received).isNotNull();
        if (f.type() == RawH2.DATA && f.streamId() == 1) {
          received += f.payload().length;
        }
      }
      assertThat(received).isEqualTo(65_535);
      Seen paused = watch(c, PAUSE);
      assertThat(paused.cuts()).as("while the client reads nothing").isEqualTo("open");
      c.windowUpdate(0, BIG);
      c.windowUpdate(1, BIG);
      deadline = System.nanoTime() + WAIT.toNanos();
      boolean ended = false;
      while (!ended && System.nanoTime() < deadline) {
        RawH2.Frame f = c.next(Duration.ofNanos(deadline - System.nanoTime()));
        assertThat(f).as("the rest (%d bytes so far; %s)", received, c.ended).isNotNull();
        assertThat(f.type()).as("frame %s", f).isNotIn(RawH2.GOAWAY, RawH2.RST_STREAM);
        if (f.type() == RawH2.DATA && f.streamId() == 1) {
          received += f.payload().length;
          ended = (f.flags() & RawH2.END_STREAM) != 0;
        }
      }
      assertThat(received).isEqualTo(BIG);
    }
  }

  /** Keep-alive idle still closes a connection that has no stream left. */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_connection_without_streams_is_closed_at_the_keep_alive_limit(boolean tls)
      throws Exception {
    try (RawH2 c = connect(tls)) {
      // The server's last write (the answer) comes after this: its idle time starts later.
      long sent = System.nanoTime();
      c.headers(1, RawH2.request("GET", "a.example", "/echo"), true);
      assertThat(awaitAnswer(c, 1)).isEqualTo("200 got 0 bytes");
      Seen seen = watch(c, KEEP_ALIVE.plus(WAIT));
      long after = System.nanoTime() - sent;
      assertThat(seen.closed()).as("closed: %s", seen.cuts()).isTrue();
      assertThat(after).as("closed after (ns)").isGreaterThanOrEqualTo(KEEP_ALIVE.toNanos());
    }
  }
}
