package io.gatehouse.tls;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection the node cuts while the client's bytes are still in flight closes the way nginx's
 * lingering_close does, over TLS and h2c: the client reads the GOAWAY with its error code and then
 * a clean end of stream (FIN), not a TCP reset that would have discarded the GOAWAY unread; and a
 * client that keeps writing after the cut is closed all the same.
 */
@Timeout(120)
class H2LingeringCloseIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long STREAM_CLOSED = 5;

  /** A frame type RFC 9113 §5.5 says to ignore: bulk that changes no state. */
  private static final int UNKNOWN_TYPE = 0x20;

  @TempDir static Path certs;
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "up");
    TestCertificates.writePair(certs, "fallback", "localhost");
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
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

  private static RawH2 connectCorked(boolean tls) throws IOException {
    return tls ? RawH2.connectTls(node.httpsPort(), true) : RawH2.connect(node.port(), true);
  }

  /** A stream the client ends, then DATA on it: a connection error STREAM_CLOSED. */
  private static void breakConnection(RawH2 c) throws IOException {
    c.headers(1, RawH2.request("GET", "a.example", "/a"), true);
    c.data(1, new byte[1], false);
  }

  /**
   * The error and, in the same write, 768 KiB more (less than the node's 1 MiB connection window,
   * which an honest client may fill): the node finds the error in its first read, while the rest is
   * still on its way or waiting in the node's socket buffer when it closes.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_client_cut_with_bytes_in_flight_reads_the_goaway_and_then_the_end_of_stream(boolean tls)
      throws Exception {
    try (RawH2 c = connectCorked(tls)) {
      breakConnection(c);
      for (int i = 0; i < 48; i++) {
        c.frame(UNKNOWN_TYPE, 0, 0, new byte[16 * 1024]);
      }
      c.uncork();
      long code = -1;
      long deadline = System.nanoTime() + WAIT.toNanos();
      RawH2.Frame f;
      while ((f = c.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null) {
        if (f.type() == RawH2.GOAWAY) {
          code = f.code();
        }
      }
      assertThat(c.ended).as("how the connection ended (GOAWAY code %d)", code).isEqualTo("closed");
      assertThat(code).as("GOAWAY code").isEqualTo(STREAM_CLOSED);
    }
  }

  /**
   * A client that is not reading when it is cut: 900 PINGs after a request (under the control-frame
   * budget), whose 15 KiB of ACKs exceed the 4 KiB window it offers, so they and the GOAWAY behind
   * them wait in the node's socket when it cuts; then 64 KiB more. Closed with those bytes unread,
   * the node's kernel resets the connection and throws away what it had not sent: no GOAWAY reaches
   * the client. With the lingering close all of it arrives, then the end of stream.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_client_not_reading_when_it_is_cut_gets_every_frame_and_the_goaway(boolean tls)
      throws Exception {
    int pings = 900;
    try (RawH2 c = RawH2.connect(tls ? node.httpsPort() : node.port(), tls, true, 4096)) {
      c.headers(1, RawH2.request("GET", "a.example", "/a"), true);
      for (int i = 0; i < pings; i++) {
        c.ping(i);
      }
      c.data(1, new byte[1], false);
      for (int i = 0; i < 4; i++) {
        c.frame(UNKNOWN_TYPE, 0, 0, new byte[16 * 1024]);
      }
      c.uncork();
      int acks = 0;
      long code = -1;
      long deadline = System.nanoTime() + WAIT.toNanos();
      RawH2.Frame f;
      while ((f = c.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null) {
        if (f.type() == RawH2.PING) {
          acks++;
        } else if (f.type() == RawH2.GOAWAY) {
          code = f.code();
        }
      }
      assertThat(c.ended)
          .as("how the connection ended (%d PING ACKs, GOAWAY code %d)", acks, code)
          .isEqualTo("closed");
      assertThat(code).as("GOAWAY code").isEqualTo(STREAM_CLOSED);
      assertThat(acks).as("PING ACKs").isEqualTo(pings);
    }
  }

  /**
   * A client that goes on writing after the cut, without reading, is closed within the drain's
   * bounds (1 s, or the connection window and 64 KiB of bytes): its writes fail.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_client_that_keeps_writing_after_the_cut_is_closed(boolean tls) throws Exception {
    try (RawH2 c = connectCorked(tls)) {
      breakConnection(c);
      c.uncork();
      long started = System.nanoTime();
      AtomicLong written = new AtomicLong();
      byte[] chunk = new byte[16 * 1024];
      boolean open = true;
      while (open && System.nanoTime() - started < WAIT.toNanos()) {
        try {
          c.frame(UNKNOWN_TYPE, 0, 0, chunk);
          written.addAndGet(chunk.length + 9);
        } catch (IOException closed) {
          open = false;
        }
      }
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(open)
          .as("still writable after %d ms and %d bytes", elapsedMs, written.get())
          .isFalse();
    }
  }

  /**
   * A client that trickles a few bytes at a time after the cut, never closing, is closed once the
   * drain's time is up: it reads the GOAWAY and the end of stream, and its next writes fail.
   */
  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void a_client_that_trickles_after_the_cut_is_closed_after_the_drain_time(boolean tls)
      throws Exception {
    try (RawH2 c = connectCorked(tls)) {
      breakConnection(c);
      c.uncork();
      long code = -1;
      RawH2.Frame f;
      while ((f = c.next(WAIT)) != null) {
        if (f.type() == RawH2.GOAWAY) {
          code = f.code();
        }
      }
      assertThat(c.ended).as("how the connection ended (GOAWAY code %d)", code).isEqualTo("closed");
      assertThat(code).as("GOAWAY code").isEqualTo(STREAM_CLOSED);
      long finAt = System.nanoTime();
      CountDownLatch never = new CountDownLatch(1);
      boolean open = true;
      while (open && System.nanoTime() - finAt < WAIT.toNanos()) {
        try {
          c.frame(UNKNOWN_TYPE, 0, 0, new byte[16]);
        } catch (IOException closed) {
          open = false;
        }
        // A pause between writes that is not a sleep: nothing counts the latch down.
        assertThat(never.await(50, TimeUnit.MILLISECONDS)).isFalse();
      }
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - finAt);
      assertThat(open).as("still writable %d ms after the end of stream", elapsedMs).isFalse();
    }
  }
}
