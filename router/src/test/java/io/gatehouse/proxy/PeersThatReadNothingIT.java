package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Peers that read nothing (their TCP receive window full) cannot keep a connection, or the node,
 * alive: Vert.x closes a connection only once its last write is taken, so the node resets what it
 * gives up on. An upstream that reads none of a request body gets its connection reset with the
 * 504; a node with such an upstream in flight and a client that reads none of a large download
 * (HTTP/1.1 or h2c) stops within its drain bound.
 *
 * <p>The stuck upstream is a raw socket with a small receive buffer that never reads; whether the
 * node closed its end is probed by writing to it (a write to a reset connection fails), which takes
 * nothing from the node's pending bytes. Every wait has a timeout.
 */
@Timeout(180)
class PeersThatReadNothingIT {
  /** The stuck route's response timeout in the 504 case. */
  private static final Duration RESPONSE = Duration.ofSeconds(3);

  /** The node's drain bound. */
  private static final Duration DRAIN = Duration.ofSeconds(3);

  /** Slack on top of a limit for a slow, loaded machine. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Far more than the loopback socket buffers (node, upstream, client) can hold. */
  private static final long BIG = 256L << 20;

  private static final int SMALL_BUFFER = 4096;

  private Vertx vertx;
  private TestUpstream download;
  private final AtomicLong downloadSent = new AtomicLong();
  private ServerSocket stuckUpstream;
  private final LinkedBlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
  private final List<AutoCloseable> peers = new ArrayList<>();
  private NodeFixture node;

  /** The node's stop, once asked for. */
  private CompletableFuture<Void> stopping;

  @BeforeEach
  void upstreams() throws IOException {
    vertx = Vertx.vertx();
    download = TestUpstream.custom(vertx, this::big);
    stuckUpstream = new ServerSocket();
    // Inherited by accepted sockets: the node's writes beyond it stay queued at the node.
    stuckUpstream.setReceiveBufferSize(SMALL_BUFFER);
    stuckUpstream.bind(new InetSocketAddress("127.0.0.1", 0));
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(stuckUpstream.accept());
                }
              } catch (IOException closed) {
                // the test is over
              }
            },
            "stuck-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void cleanUp() throws Exception {
    // Let every peer go first, so a node that could not stop on its own (before the fix) can.
    for (AutoCloseable p : peers) {
      p.close();
    }
    for (Socket s : accepted) {
      s.close();
    }
    stuckUpstream.close();
    if (node != null) {
      if (stopping == null) {
        stopping = node.node().stop().toCompletionStage().toCompletableFuture();
      }
      try {
        stopping.get(DRAIN.plus(WAIT).toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // reported by the test itself
      }
    }
    download.close();
    vertx.close().await();
  }

  /** The node: {@code stuck.example} to the raw upstream, {@code big.example} to the download. */
  private void startNode(Duration response, boolean h2c) throws Exception {
    startNode(response, h2c, Duration.ofSeconds(60));
  }

  /** As above, with the route's limit for a client that reads nothing ({@code bodyIdle}). */
  private void startNode(Duration response, boolean h2c, Duration sendLimit) throws Exception {
    NodeConfig.Http2 http2 = new NodeConfig.Http2(h2c, 100, 64 * 1024, 1024 * 1024);
    node =
        NodeFixture.start(
            c -> c.withShutdown(new NodeConfig.Shutdown(Duration.ZERO, DRAIN)).withHttp2(http2),
            route("stuck", "stuck.example", stuckUpstream.getLocalPort(), response, sendLimit),
            route("big", "big.example", download.port(), Duration.ofSeconds(60), sendLimit));
  }

  private static RouteSpec route(
      String name, String host, int port, Duration response, Duration bodyIdle) {
    return NodeFixture.valid(
        new RouteSpec(
            RouteKey.of("default", "cli", name),
            List.of(host),
            List.of(),
            Set.of(),
            List.of(),
            List.of(),
            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", port))),
            new Timeouts(Duration.ofSeconds(5), response, bodyIdle, Duration.ZERO),
            // No body limit: the body the upstream leaves unread is far larger than 10 MiB.
            new Limits(0),
            0));
  }

  /** {@link #BIG} bytes with back-pressure, counted in {@link #downloadSent}. */
  private void big(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    resp.putHeader("content-length", Long.toString(BIG));
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (!resp.closed() && downloadSent.get() < BIG && !resp.writeQueueFull()) {
            if (downloadSent.addAndGet(chunk.length()) == BIG) {
              resp.end(chunk);
              return;
            }
            resp.write(chunk);
          }
          if (!resp.closed() && downloadSent.get() < BIG) {
            resp.drainHandler(v -> pump[0].run());
          }
        };
    pump[0].run();
  }

  /**
   * Starts a POST of {@link #BIG} bytes to the upstream that reads nothing; the body is written
   * from another thread until the node stops reading it, counted in {@code sent}.
   */
  private RawHttp stuckUpload(AtomicLong sent) throws IOException {
    RawHttp raw = new RawHttp(node.port());
    peers.add(raw);
    raw.socket().setSoTimeout((int) WAIT.plus(RESPONSE).toMillis());
    raw.send("POST /upload HTTP/1.1\r\nHost: stuck.example\r\nContent-Length: " + BIG + "\r\n\r\n");
    CompletableFuture.runAsync(
        () -> {
          byte[] chunk = new byte[64 * 1024];
          try {
            for (long n = 0; n < BIG; n += chunk.length) {
              raw.send(chunk);
              sent.addAndGet(chunk.length);
            }
          } catch (IOException e) {
            // the node closed
          }
        });
    return raw;
  }

  /** The node's connection to the stuck upstream (it reads nothing from it). */
  private Socket upstreamSide() throws InterruptedException {
    Socket s = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(s).as("the node connected to the stuck upstream").isNotNull();
    return s;
  }

  /** Whether the node has closed its end: a write to a reset connection fails. */
  private static boolean closedByNode(Socket upstream) {
    try {
      OutputStream out = upstream.getOutputStream();
      out.write('\n');
      out.flush();
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Waits until {@code counter} stops moving: the peer's pipe is full. */
  private static void awaitStalled(String what, AtomicLong counter) {
    long[] last = {-1};
    await(what)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              long now = counter.get();
              boolean stalled = now > 0 && now == last[0];
              last[0] = now;
              return stalled;
            });
  }

  @Test
  void an_upstream_that_reads_no_body_gets_504_and_its_connection_is_reset() throws Exception {
    startNode(RESPONSE, false);
    long t0 = System.nanoTime();
    RawHttp client = stuckUpload(new AtomicLong());
    Socket upstream = upstreamSide();
    RawHttp.Response r = client.read();
    Duration answered = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r.status()).as("after %d ms", answered.toMillis()).isEqualTo(504);
    assertThat(answered).isGreaterThanOrEqualTo(RESPONSE);
    // The upstream has read nothing: a graceful close would wait on it forever.
    await("the node's connection to the upstream is closed")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> closedByNode(upstream));
  }

  @ParameterizedTest(name = "client over {0}")
  @ValueSource(strings = {"HTTP/1.1", "h2c"})
  void a_node_with_peers_that_read_nothing_stops_within_its_drain_bound(String protocol)
      throws Exception {
    boolean h2c = protocol.equals("h2c");
    // The upload is still within its response timeout when the node stops.
    startNode(Duration.ofSeconds(120), h2c);
    AtomicLong uploaded = new AtomicLong();
    stuckUpload(uploaded);
    Socket upstream = upstreamSide();
    InputStream downloadIn = h2c ? h2Download() : h1Download();
    await("both exchanges in flight").atMost(WAIT).until(() -> node.node().inFlight() == 2);
    awaitStalled("the upload stalls", uploaded);
    awaitStalled("the download stalls", downloadSent);
    assertThat(downloadSent.get()).isLessThan(BIG);

    long t0 = System.nanoTime();
    stopping = node.node().stop().toCompletionStage().toCompletableFuture();
    try {
      stopping.get(DRAIN.plus(WAIT).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "stop() did not complete within " + DRAIN.plus(WAIT).toSeconds() + " s", e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).as("stop() took %d ms", took.toMillis()).isGreaterThanOrEqualTo(DRAIN);
    await("the node's connection to the upstream is closed")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> closedByNode(upstream));
    assertThat(readToEnd(downloadIn)).as("the download connection").isNotEqualTo("open");
  }

  /**
   * A client that reads none of a download for the route's send limit is dropped, and its
   * connection reset then: a graceful close would wait on that same client (until the keep-alive
   * idle limit, 75 s here).
   */
  @Test
  void a_client_that_reads_nothing_is_reset_at_its_send_limit() throws Exception {
    Duration sendLimit = Duration.ofSeconds(3);
    startNode(Duration.ofSeconds(60), false, sendLimit);
    long t0 = System.nanoTime();
    h1Download();
    Socket client = (Socket) peers.get(peers.size() - 1);
    awaitStalled("the download stalls", downloadSent);
    await("the node resets the client's connection")
        .atMost(sendLimit.plus(WAIT))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> closedByNode(client));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(sendLimit);
    assertThat(downloadSent.get()).isLessThan(BIG);
  }

  /**
   * A WebSocket tunnel whose upstream reads nothing: when the client leaves, the node does not wait
   * for the upstream to take what the client sent; its connection is reset.
   */
  @Test
  void a_tunnel_to_an_upstream_that_reads_nothing_is_reset_when_the_client_leaves()
      throws Exception {
    startNode(Duration.ofSeconds(60), false);
    Socket client = new Socket("127.0.0.1", node.port());
    peers.add(client);
    client.setSoTimeout((int) WAIT.toMillis());
    client
        .getOutputStream()
        .write(
            ("GET /ws HTTP/1.1\r\nHost: stuck.example\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    Socket upstream = upstreamSide();
    // Accepts without reading the request (it waits in the small receive buffer), then reads no
    // more.
    upstream
        .getOutputStream()
        .write(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    String head = new String(client.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
    assertThat(head).isEqualTo("HTTP/1.1 101");
    // The client sends until the tunnel stops taking its bytes, then leaves.
    AtomicLong sent = new AtomicLong();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              byte[] chunk = new byte[64 * 1024];
              try {
                while (sent.get() < BIG) {
                  client.getOutputStream().write(chunk);
                  sent.addAndGet(chunk.length);
                }
              } catch (IOException e) {
                // closed below
              }
            });
    awaitStalled("the client's bytes stall in the tunnel", sent);
    client.close();
    writer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    await("the node's tunnel connection to the upstream is closed")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> closedByNode(upstream));
  }

  /** A GET of the download from a client that reads nothing past the head. */
  private InputStream h1Download() throws IOException {
    Socket s = new Socket();
    peers.add(s);
    s.setReceiveBufferSize(SMALL_BUFFER);
    s.connect(new InetSocketAddress("127.0.0.1", node.port()));
    s.setSoTimeout((int) WAIT.toMillis());
    s.getOutputStream()
        .write(
            "GET /big HTTP/1.1\r\nHost: big.example\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    InputStream in = s.getInputStream();
    String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
    assertThat(head).isEqualTo("HTTP/1.1 200");
    return in;
  }

  /**
   * The same over h2c, from a client that opens its flow-control windows wide (as browsers do) and
   * then reads nothing past the response head: HTTP/2 flow control does not hold the node back.
   */
  private InputStream h2Download() throws IOException {
    RawH2 h2 = RawH2.connect(node.port(), false, false, SMALL_BUFFER);
    peers.add(h2);
    // SETTINGS_INITIAL_WINDOW_SIZE = 2^31 - 1, and the connection window as large.
    h2.frame(RawH2.SETTINGS, 0, 0, new byte[] {0, 4, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
    h2.windowUpdate(0, Integer.MAX_VALUE - 65_535);
    h2.headers(1, RawH2.request("GET", "big.example", "/big"), true);
    RawH2.Frame head = h2.await(RawH2.HEADERS, 1, WAIT);
    assertThat(head).as("the response head (%s)", h2.ended).isNotNull();
    return h2.socket().getInputStream();
  }

  /** Reads what is left: "closed" at EOF, "reset" at a reset, "open" when the time is up. */
  private static String readToEnd(InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (in.read(buf) == -1) {
          return "closed";
        }
      }
      return "open";
    } catch (SocketTimeoutException e) {
      return "open";
    } catch (SocketException e) {
      return "reset";
    }
  }
}
