package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/1.1 (and HTTP/1.0 keep-alive) connections whose request is in flight keep their connection
 * past the keep-alive idle limit, which is for a connection between requests (nginx's
 * keepalive_timeout): a slow upstream within the route's response timeout, an event stream with
 * gaps, a request body that pauses within the body-inactivity limit, a download the client stops
 * reading within the same limit (nginx's send_timeout). The converse holds too: a connection
 * without a request in flight is closed at the keep-alive limit, and a request past its own limit
 * gets that limit's answer (408 for the head and the body, 504 for the upstream, a dropped
 * connection for a client that reads nothing).
 *
 * <p>The keep-alive limit is short and every other limit longer, so each case sits between the two
 * thresholds; the waits are on the socket (data, end of stream) or on the node's state, each with a
 * timeout.
 */
@Timeout(180)
class H1BusyConnectionsIT {
  /** The keep-alive idle limit: for a connection without a request in flight. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(2);

  /** Longer than the keep-alive limit and shorter than every limit below. */
  private static final Duration PAUSE = Duration.ofMillis(4_000);

  /** The header-read deadline. */
  private static final Duration HEAD_LIMIT = Duration.ofSeconds(8);

  /** The route's body-inactivity limit (also the limit for a client that reads nothing). */
  private static final Duration BODY_IDLE = Duration.ofSeconds(8);

  /** The route's upstream response (idle) timeout. */
  private static final Duration RESPONSE = Duration.ofSeconds(8);

  /** Slack on top of a limit for a slow, loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(15);

  /** A download far larger than the loopback socket buffers (node and upstream) can hold. */
  private static final long BIG = 64L << 20;

  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;

  /** The request {@code /stuck} holds unread. */
  static volatile HttpServerRequest stuck;

  @BeforeAll
  static void start() throws Exception {
    start(UnaryOperator.identity());
  }

  /** The upstream, and a node with these limits and {@code tweak} applied to its config. */
  static void start(UnaryOperator<NodeConfig> tweak) throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.custom(vertx, H1BusyConnectionsIT::upstream);
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
            c -> tweak.apply(c.withLimits(limits)),
            NodeFixture.valid(
                new RouteSpec(
                    RouteKey.of("default", "cli", "a"),
                    List.of("a.example"),
                    List.of(),
                    Set.of(),
                    List.of(),
                    List.of(),
                    BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", up.port()))),
                    new Timeouts(Duration.ofSeconds(5), RESPONSE, BODY_IDLE, Duration.ZERO),
                    // No body limit: the body an upstream leaves unread is larger than 10 MiB.
                    new Limits(0),
                    0)));
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

  /**
   * {@code /echo}: the size of the whole request body once it has ended. {@code /slow}: 200 after
   * {@link #PAUSE}. {@code /slower}: 200 after the response timeout and then some. {@code /events}:
   * headers at once, then three events {@link #PAUSE} apart, then the end. {@code /big}: {@link
   * #BIG} bytes with back-pressure. {@code /stuck}: reads nothing and never answers. {@code /ws}:
   * accepts a WebSocket and stays silent.
   */
  private static void upstream(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    switch (req.path()) {
      case "/slow" -> req.end().onSuccess(v -> later(PAUSE, () -> resp.end("slow answer")));
      case "/slower" ->
          req.end().onSuccess(v -> later(RESPONSE.plus(PAUSE), () -> resp.end("too late")));
      case "/events" -> {
        resp.setChunked(true).putHeader("content-type", "text/event-stream");
        resp.writeHead();
        event(resp, 0);
      }
      case "/big" -> big(resp);
      case "/stuck" -> {
        req.pause();
        stuck = req;
      }
      case "/ws" -> req.toWebSocket();
      default ->
          req.body()
              .onSuccess(b -> resp.end("got " + b.length() + " bytes"))
              .onFailure(t -> resp.reset());
    }
  }

  private static void later(Duration d, Runnable r) {
    vertx.setTimer(d.toMillis(), t -> r.run());
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
    later(PAUSE, () -> event(resp, n + 1));
  }

  private static void big(HttpServerResponse resp) {
    resp.putHeader("content-length", Long.toString(BIG));
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    long[] sent = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (!resp.closed() && sent[0] < BIG && !resp.writeQueueFull()) {
            sent[0] += chunk.length();
            if (sent[0] == BIG) {
              resp.end(chunk);
              return;
            }
            resp.write(chunk);
          }
          if (!resp.closed() && sent[0] < BIG) {
            resp.drainHandler(v -> pump[0].run());
          }
        };
    pump[0].run();
  }

  private static RawHttp connect() throws IOException {
    RawHttp raw = new RawHttp(node.port());
    raw.socket().setSoTimeout((int) WAIT.plus(PAUSE.multipliedBy(4)).toMillis());
    return raw;
  }

  /**
   * Waits {@code span} for the node to send or close: nothing must happen. Returns what did happen,
   * with when, or "quiet".
   */
  private static String quietFor(RawHttp raw, Duration span) throws IOException {
    long t0 = System.nanoTime();
    int before = raw.socket().getSoTimeout();
    raw.socket().setSoTimeout((int) span.toMillis());
    try {
      int b = raw.socket().getInputStream().read();
      return (b == -1 ? "closed" : "a byte") + " after " + elapsed(t0).toMillis() + " ms";
    } catch (SocketTimeoutException e) {
      return "quiet";
    } catch (SocketException e) {
      return "reset after " + elapsed(t0).toMillis() + " ms";
    } finally {
      raw.socket().setSoTimeout(before);
    }
  }

  private static Duration elapsed(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  private static String get(String path, String version) {
    String keepAlive = version.equals("HTTP/1.0") ? "Connection: keep-alive\r\n" : "";
    return "GET " + path + " " + version + "\r\nHost: a.example\r\n" + keepAlive + "\r\n";
  }

  /** The answer after {@link #PAUSE}; then the same connection serves another request. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void a_slow_upstream_within_its_timeout_is_answered(String version) throws Exception {
    try (RawHttp raw = connect()) {
      long t0 = System.nanoTime();
      raw.send(get("/slow", version));
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("answer after %d ms", elapsed(t0).toMillis()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow answer");
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(PAUSE);
      raw.send(get("/echo", version));
      assertThat(raw.read().body()).isEqualTo("got 0 bytes");
    }
  }

  /** Every event arrives, gaps longer than the keep-alive limit; the connection stays usable. */
  @Test
  void an_event_stream_with_long_gaps_is_not_cut() throws Exception {
    try (RawHttp raw = connect()) {
      raw.send(get("/events", "HTTP/1.1"));
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("cut?").isEqualTo(200);
      assertThat(r.body()).isEqualTo("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: end\n\n");
      raw.send(get("/echo", "HTTP/1.1"));
      assertThat(raw.read().body()).isEqualTo("got 0 bytes");
    }
  }

  /** A body paused twice for longer than the keep-alive limit, with a length or chunked. */
  @ParameterizedTest(name = "chunked={0}")
  @ValueSource(booleans = {false, true})
  void a_body_paused_within_the_body_limit_is_served(boolean chunked) throws Exception {
    try (RawHttp raw = connect()) {
      String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: 13";
      raw.send("POST /echo HTTP/1.1\r\nHost: a.example\r\n" + framing + "\r\n\r\n");
      raw.send(chunked ? "4\r\none;\r\n" : "one;");
      assertThat(quietFor(raw, PAUSE)).as("the first pause").isEqualTo("quiet");
      raw.send(chunked ? "4\r\ntwo;\r\n" : "two;");
      assertThat(quietFor(raw, PAUSE)).as("the second pause").isEqualTo("quiet");
      raw.send(chunked ? "5\r\nthree\r\n0\r\n\r\n" : "three");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("got 13 bytes");
    }
  }

  /**
   * The client reads the head and stops reading for longer than the keep-alive limit (the node's
   * writes wait, the upstream is paused), then reads the whole body.
   */
  @Test
  void a_download_paused_by_the_client_completes() throws Exception {
    try (RawHttp raw = connect()) {
      raw.socket().setReceiveBufferSize(64 * 1024);
      raw.send(get("/big", "HTTP/1.1"));
      InputStream in = raw.socket().getInputStream();
      byte[] first = in.readNBytes(1024);
      String head = new String(first, StandardCharsets.ISO_8859_1);
      assertThat(head.toLowerCase(Locale.ROOT))
          .startsWith("http/1.1 200 ")
          .contains("content-length: " + BIG);
      long received = first.length - (head.indexOf("\r\n\r\n") + 4);
      // Read nothing: the exchange stays in flight for the whole pause.
      await("the download stays in flight while the client reads nothing")
          .during(PAUSE)
          .atMost(PAUSE.plus(WAIT))
          .until(() -> node.node().inFlight() == 1);
      received += drain(in, BIG - received);
      assertThat(received).as("bytes after the pause").isEqualTo(BIG);
      raw.send(get("/echo", "HTTP/1.1"));
      assertThat(raw.read().body()).isEqualTo("got 0 bytes");
    }
  }

  /** Reads up to {@code limit} bytes, until EOF or a reset; returns the bytes read. */
  private static long drain(InputStream in, long limit) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    try {
      int n;
      while (total < limit
          && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - total))) != -1) {
        total += n;
      }
    } catch (SocketException e) {
      // reset by the node
    }
    return total;
  }

  // ---------------------------------------------------------------- the converse

  /** A connection on which nothing was sent is closed at the keep-alive limit, not earlier. */
  @Test
  void a_connection_that_sends_nothing_is_closed_at_the_keep_alive_limit() throws Exception {
    // Before connecting: the node's idle time starts when it accepts, which on a loaded machine can
    // be tens of milliseconds before connect() returns here (measured 1.97 s with t0 after it).
    long t0 = System.nanoTime();
    try (RawHttp raw = connect()) {
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("closed without an answer").isEqualTo(-1);
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(KEEP_ALIVE).isLessThan(HEAD_LIMIT);
    }
  }

  /** After its answer, an idle keep-alive connection is closed at the keep-alive limit. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void an_idle_keep_alive_connection_is_closed_at_the_keep_alive_limit(String version)
      throws Exception {
    try (RawHttp raw = connect()) {
      // The node's last write (the answer) comes after this: its idle time starts later.
      long t0 = System.nanoTime();
      raw.send(get("/echo", version));
      assertThat(raw.read().body()).isEqualTo("got 0 bytes");
      assertThat(raw.closedByServer()).as("closed").isTrue();
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(KEEP_ALIVE).isLessThan(HEAD_LIMIT);
    }
  }

  /** A head that stops half-way gets the header-read deadline's 408, not a silent close. */
  @Test
  void a_head_that_stalls_gets_408_at_the_header_read_deadline() throws Exception {
    // Before connecting, as above: the first head's deadline may start at the node's accept.
    long t0 = System.nanoTime();
    try (RawHttp raw = connect()) {
      raw.send("GET /echo HTTP/1.1\r\nHost: a.exa");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("after %d ms", elapsed(t0).toMillis()).isEqualTo(408);
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(HEAD_LIMIT);
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  /** A body paused for the body-inactivity limit gets 408 and the connection is closed. */
  @Test
  void a_body_stalled_past_the_body_limit_gets_408() throws Exception {
    try (RawHttp raw = connect()) {
      raw.send("POST /echo HTTP/1.1\r\nHost: a.example\r\nContent-Length: 10\r\n\r\nabc");
      long t0 = System.nanoTime();
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("after %d ms", elapsed(t0).toMillis()).isEqualTo(408);
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(BODY_IDLE);
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  /** An upstream slower than the route's response timeout gets 504. */
  @Test
  void an_upstream_past_its_timeout_gets_504() throws Exception {
    try (RawHttp raw = connect()) {
      long t0 = System.nanoTime();
      raw.send(get("/slower", "HTTP/1.1"));
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("after %d ms", elapsed(t0).toMillis()).isEqualTo(504);
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(RESPONSE);
    }
  }

  /**
   * An upstream that reads none of the request body (the node's writes to it wait, and it stops
   * reading the client) for the response timeout gets 504: with the keep-alive limit held back
   * while the request is in flight, it would otherwise hold the connection until the whole-request
   * limit, which this route has off.
   */
  @Test
  void an_upstream_that_reads_no_body_gets_504_at_its_timeout() throws Exception {
    try (RawHttp raw = connect()) {
      long t0 = System.nanoTime();
      raw.send("POST /stuck HTTP/1.1\r\nHost: a.example\r\nContent-Length: " + BIG + "\r\n\r\n");
      // Writes until the node stops reading, from another thread; ends when the socket does.
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                  for (long sent = 0; sent < BIG; sent += chunk.length) {
                    raw.send(chunk);
                  }
                } catch (IOException e) {
                  // the node closed: the answer tells why
                }
              });
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("after %d ms", elapsed(t0).toMillis()).isEqualTo(504);
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(RESPONSE);
      raw.close();
      writer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    // The upstream still reads nothing: the node reset its connection to it, or the node's stop
    // after this class would never complete (PeersThatReadNothingIT checks both directly).
  }

  /** A WebSocket keeps the keep-alive limit as its idle limit: a silent one is closed at it. */
  @Test
  void a_silent_websocket_is_closed_at_the_keep_alive_limit() throws Exception {
    try (RawHttp raw = connect()) {
      long t0 = System.nanoTime();
      raw.send(
          "GET /ws HTTP/1.1\r\nHost: a.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(101);
      assertThat(raw.closedByServer()).as("closed").isTrue();
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(KEEP_ALIVE).isLessThan(HEAD_LIMIT);
    }
  }

  /**
   * A client that reads nothing for the body-inactivity limit is dropped, the upstream released.
   */
  @Test
  void a_client_that_reads_nothing_past_the_limit_is_dropped() throws Exception {
    try (RawHttp raw = connect()) {
      raw.socket().setReceiveBufferSize(64 * 1024);
      long t0 = System.nanoTime();
      raw.send(get("/big", "HTTP/1.1"));
      await("the download starts").atMost(WAIT).until(() -> node.node().inFlight() == 1);
      await("the node gives up on the client")
          .atMost(BODY_IDLE.plus(WAIT))
          .until(() -> node.node().inFlight() == 0);
      assertThat(elapsed(t0)).isGreaterThanOrEqualTo(BODY_IDLE);
      assertThat(drain(raw.socket().getInputStream(), BIG + 1024)).isLessThan(BIG);
    }
  }
}
