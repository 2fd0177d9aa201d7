package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow clients (issue #11, section 4) are held exactly as long as the route's limits allow, at
 * their thresholds: a body that trickles in (never idle for the body-inactivity limit) until the
 * whole-request limit, and a client that reads none of a large response for the body-inactivity
 * limit (nginx's {@code send_timeout}), after which the node drops it and releases the upstream.
 */
@Timeout(120)
class SlowClientsIT {
  static final Duration BODY_IDLE = Duration.ofSeconds(2);
  static final Duration WHOLE = Duration.ofSeconds(3);
  static final Duration MARGIN = Duration.ofSeconds(15);

  /** Far more than the kernel's and the node's buffers on loopback can hold. */
  static final long LARGE = 1L << 30;

  static Vertx vertx;
  static RecordingUpstream up;
  static HttpServer large;
  static final AtomicLong LARGE_SENT = new AtomicLong();
  static volatile CompletableFuture<Long> largeReleased = new CompletableFuture<>();
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = new RecordingUpstream(vertx);
    large =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(req -> streamLarge(req.response()))
            .listen()
            .await();
    node =
        NodeFixture.start(
            route("trickle", "trickle.example", up.port(), BODY_IDLE, WHOLE),
            route("large", "large.example", large.actualPort(), BODY_IDLE, Duration.ZERO));
  }

  @AfterAll
  static void stop() {
    node.close();
    large.close().await();
    up.close();
    vertx.close().await();
  }

  /** Writes {@link #LARGE} bytes with back-pressure; completes the future when it stops. */
  private static void streamLarge(HttpServerResponse resp) {
    CompletableFuture<Long> released = largeReleased;
    resp.putHeader("Content-Length", Long.toString(LARGE));
    resp.closeHandler(v -> released.complete(LARGE_SENT.get()));
    resp.exceptionHandler(t -> released.complete(LARGE_SENT.get()));
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (!resp.closed() && LARGE_SENT.get() < LARGE && !resp.writeQueueFull()) {
            resp.write(chunk);
            LARGE_SENT.addAndGet(chunk.length());
          }
          if (!resp.closed() && LARGE_SENT.get() < LARGE) {
            resp.drainHandler(v -> pump[0].run());
          }
        };
    pump[0].run();
  }

  @Test
  void a_body_trickling_faster_than_body_idle_is_held_until_the_whole_request_limit()
      throws Exception {
    up.clear();
    long t0 = System.nanoTime();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.socket().setSoTimeout((int) MARGIN.toMillis());
      raw.send("POST /trickle HTTP/1.1\r\nHost: trickle.example\r\nContent-Length: 1000\r\n\r\n");
      // One byte every 250 ms: never idle for BODY_IDLE, never complete.
      int sent = 0;
      while (!raw.hasInput() && sent < 1000 && elapsed(t0).compareTo(WHOLE.plus(MARGIN)) < 0) {
        raw.send("x");
        sent++;
        pause(250);
      }
      RawHttp.Response r = raw.read();
      Duration held = elapsed(t0);
      assertThat(held).as("held while trickling").isGreaterThanOrEqualTo(WHOLE);
      assertThat(held).as("cut after the whole-request limit").isLessThan(WHOLE.plus(MARGIN));
      assertThat(r.status()).isEqualTo(504);
      assertThat(raw.closedByServer()).isTrue();
    }
    await().atMost(MARGIN).until(() -> up.resets().contains("/trickle"));
    await().atMost(MARGIN).untilAsserted(() -> assertThat(node.node().inFlight()).isZero());
  }

  @Test
  void a_client_that_reads_nothing_is_dropped_after_body_idle_and_the_upstream_released()
      throws Exception {
    largeReleased = new CompletableFuture<>();
    LARGE_SENT.set(0);
    long t0 = System.nanoTime();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.socket().setReceiveBufferSize(64 * 1024);
      raw.send("GET /large HTTP/1.1\r\nHost: large.example\r\n\r\n");
      // Read nothing. The node must give up on the client and release the upstream.
      long sentWhenReleased =
          largeReleased.get(BODY_IDLE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
      Duration held = elapsed(t0);
      assertThat(held).as("held for the body-inactivity limit").isGreaterThanOrEqualTo(BODY_IDLE);
      assertThat(sentWhenReleased).as("upstream bytes sent before release").isLessThan(LARGE);
      // The client's connection is dropped: it ends (EOF or reset) before the whole response.
      raw.socket().setSoTimeout((int) MARGIN.toMillis());
      assertThat(drain(raw.socket().getInputStream())).isLessThan(LARGE);
    }
    await().atMost(MARGIN).untilAsserted(() -> assertThat(node.node().inFlight()).isZero());
  }

  /** Reads until EOF or a reset; returns the bytes read. */
  private static long drain(InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    try {
      int n;
      while ((n = in.read(buf)) != -1) {
        total += n;
      }
    } catch (SocketException e) {
      // reset by the node: dropped
    }
    return total;
  }

  private static Duration elapsed(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** Lets time pass on the test thread (the client side of a trickle). */
  private static void pause(long millis) {
    await()
        .pollDelay(Duration.ofMillis(millis))
        .atMost(Duration.ofMillis(millis + 1000))
        .until(() -> true);
  }

  private static RouteSpec route(
      String name, String host, int port, Duration bodyIdle, Duration request) {
    return NodeFixture.valid(
        new RouteSpec(
            RouteKey.of("default", "cli", name),
            List.of(host),
            List.of(),
            Set.of(),
            List.of(),
            List.of(),
            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", port))),
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), bodyIdle, request),
            null,
            0));
  }
}
