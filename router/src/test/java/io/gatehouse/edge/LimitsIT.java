package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every edge limit of LIMITS.md that Gatehouse implements, tested just under and just over its
 * exact threshold. A refused request must also never reach the upstream: a {@link
 * RecordingUpstream} (whose own parser limits are far larger) records heads, complete requests and
 * resets separately.
 *
 * <table>
 *   <caption>Limits, where they are enforced, and the answer past them</caption>
 *   <tr><th>limit</th><th>default</th><th>enforced by</th><th>past it</th></tr>
 *   <tr><td>request-header bytes</td><td>32 KiB</td><td>Vert.x {@code maxHeaderSize} (Netty
 *       decoder). Measured: Netty sums the bytes of every header line, Host included, without their
 *       CRLF; the request line and the final empty line do not count. 32768 passes, 32769 is
 *       refused.</td><td>431, closed</td></tr>
 *   <tr><td>header line</td><td>8 KiB</td><td>{@link RequestGuard}: name + ": " + value as Netty
 *       parsed it (optional whitespace trimmed)</td><td>431, closed</td></tr>
 *   <tr><td>header count</td><td>100</td><td>{@link RequestGuard} (repeated names count
 *       each)</td><td>431, closed</td></tr>
 *   <tr><td>request line</td><td>8 KiB</td><td>Vert.x {@code maxInitialLineLength}. Measured:
 *       Netty counts the whole line ({@code GET <target> HTTP/1.1}) without its CRLF.</td>
 *       <td>414, closed</td></tr>
 *   <tr><td>request body</td><td>10 MiB a route</td><td>Gatehouse: the Content-Length before
 *       anything is forwarded; the bytes while streaming (the upstream request is
 *       reset)</td><td>413, closed</td></tr>
 *   <tr><td>header-read deadline</td><td>10 s</td><td>Gatehouse: the router's 100 ms sweep (so
 *       up to 100 ms late)</td><td>408 on the raw connection, closed</td></tr>
 *   <tr><td>body inactivity</td><td>60 s a route</td><td>Gatehouse sweep</td><td>408, closed,
 *       upstream reset</td></tr>
 *   <tr><td>whole request</td><td>300 s a route</td><td>Gatehouse sweep</td><td>504, closed</td></tr>
 *   <tr><td>upstream response</td><td>15 s a route</td><td>Gatehouse sweep</td><td>504</td></tr>
 *   <tr><td>keep-alive idle</td><td>75 s</td><td>Vert.x {@code idleTimeout}</td><td>closed</td></tr>
 *   <tr><td>connections</td><td>10 000 a node, 1 000 a client IP</td><td>{@link
 *       ConnectionLimiter}</td><td>connection closed at once</td></tr>
 *   <tr><td>header names with '_'</td><td>REJECT</td><td>{@link RequestGuard}</td><td>400 (DROP:
 *       forwarded without them; ALLOW: forwarded)</td></tr>
 *   <tr><td>path normalisation</td><td>on</td><td>{@link RequestPaths}</td><td>400 for an invalid
 *       escape</td></tr>
 *   <tr><td>overload</td><td>95 % heap, 200 ms lag</td><td>{@link OverloadGuard} (unit-tested in
 *       {@code OverloadGuardTest})</td><td>503</td></tr>
 * </table>
 *
 * X-Forwarded-* overwriting is covered by {@code HeadersIT}; the parsing rules by {@code
 * SmugglingIT}.
 */
@Timeout(120)
class LimitsIT {
  static final int MIB = 1024 * 1024;
  static final Duration HEADER_READ = Duration.ofMillis(500);
  static final Duration KEEP_ALIVE = Duration.ofSeconds(1);

  static Vertx vertx;
  static RecordingUpstream up;
  static NodeFixture node;
  static NodeFixture tight;
  static final AtomicInteger FOLLOW_UPS = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = new RecordingUpstream(vertx);
    node =
        NodeFixture.start(
            route("lim", "lim.example", null, null, List.of()),
            route("small", "small.example", null, new Limits(1024), List.of()),
            route(
                "idle",
                "idle.example",
                timeouts(Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ZERO),
                null,
                List.of()),
            route(
                "whole",
                "whole.example",
                timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(800)),
                null,
                List.of()),
            route(
                "slow",
                "slow.example",
                timeouts(Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ZERO),
                null,
                List.of()),
            route("paths", "paths.example", null, null, List.of(PathMatch.prefix("/b"))));
    tight =
        NodeFixture.start(
            c -> c.withLimits(edge(1000, 100, EdgeLimits.UnderscoreHeaders.REJECT)),
            route("lim", "lim.example", null, null, List.of()));
  }

  @AfterAll
  static void stop() {
    tight.close();
    node.close();
    up.close();
    vertx.close().await();
  }

  // ------------------------------------------------------------------ request-header bytes

  @Test
  void header_lines_summing_to_exactly_32_kib_pass() throws Exception {
    up.clear();
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET /hdr HTTP/1.1\r\n" + headerLinesOfTotal(32 * 1024));
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.take().uri()).isEqualTo("/hdr");
  }

  @Test
  void header_lines_summing_to_32_kib_plus_one_are_431() throws Exception {
    assertRefused(node, "GET /hdr HTTP/1.1\r\n" + headerLinesOfTotal(32 * 1024 + 1), 431, "/hdr");
  }

  // ------------------------------------------------------------------ header line

  @Test
  void a_header_line_of_exactly_8_kib_passes() throws Exception {
    up.clear();
    String line = "X-Long: " + "v".repeat(8 * 1024 - 8);
    assertThat(line).hasSize(8192);
    RawHttp.Response r =
        RawHttp.exchange(
            node.port(), "GET /line HTTP/1.1\r\nHost: lim.example\r\n" + line + "\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.take().header("x-long")).hasSize(8192 - 8);
  }

  @Test
  void a_header_line_of_8_kib_plus_one_is_431() throws Exception {
    String line = "X-Long: " + "v".repeat(8 * 1024 - 7);
    assertRefused(
        node, "GET /line HTTP/1.1\r\nHost: lim.example\r\n" + line + "\r\n\r\n", 431, "/line");
  }

  // ------------------------------------------------------------------ header count

  @Test
  void one_hundred_header_fields_pass() throws Exception {
    up.clear();
    RawHttp.Response r = RawHttp.exchange(node.port(), "GET /count HTTP/1.1\r\n" + fields(100));
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.take().header("x-f99")).isEqualTo("v");
  }

  @Test
  void one_hundred_and_one_header_fields_are_431() throws Exception {
    assertRefused(node, "GET /count HTTP/1.1\r\n" + fields(101), 431, "/count");
  }

  // ------------------------------------------------------------------ request line

  @Test
  void a_request_line_of_exactly_8_kib_passes() throws Exception {
    up.clear();
    String line = requestLineOf(8 * 1024);
    RawHttp.Response r = RawHttp.exchange(node.port(), line + "\r\nHost: lim.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.take().uri()).hasSize(8 * 1024 - "GET  HTTP/1.1".length());
  }

  @Test
  void a_request_line_of_8_kib_plus_one_is_414() throws Exception {
    String line = requestLineOf(8 * 1024 + 1);
    assertRefused(node, line + "\r\nHost: lim.example\r\n\r\n", 414, "/rl");
  }

  // ------------------------------------------------------------------ request body

  @Test
  void a_content_length_of_exactly_10_mib_is_forwarded_whole() throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /body HTTP/1.1\r\nHost: lim.example\r\nContent-Length: " + 10 * MIB + "\r\n\r\n");
      raw.send(new byte[10 * MIB]);
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(Integer.toString(10 * MIB));
    }
    assertThat(up.take().body().length()).isEqualTo(10 * MIB);
  }

  @Test
  void a_content_length_of_10_mib_plus_one_is_413_before_anything_is_forwarded() throws Exception {
    // Only the head is sent: the answer must not wait for the body.
    assertRefused(
        node,
        "POST /body HTTP/1.1\r\nHost: lim.example\r\nContent-Length: "
            + (10 * MIB + 1)
            + "\r\n\r\n",
        413,
        "/body");
  }

  @Test
  void a_client_that_sends_its_whole_body_before_reading_still_reads_the_413() throws Exception {
    // The 413 goes out after the head; the client goes on sending 64 MiB (more than the kernel
    // buffers of both ends hold) and reads only then. Closed at once, the socket would reset the
    // connection on the client's next bytes, and the reset discards the unread 413 (nginx's
    // lingering_close exists for this); lingering, the node drains the body and closes cleanly.
    up.clear();
    try (RawHttp raw = new RawHttp(node.port())) {
      int total = 64 * MIB;
      raw.send(
          "POST /whole-body HTTP/1.1\r\nHost: small.example\r\nContent-Length: "
              + total
              + "\r\n\r\n");
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < total; sent += chunk.length) {
        raw.send(chunk);
      }
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(raw.closedByServer()).isTrue();
    }
    assertThat(up.heads()).as("heads forwarded").isEmpty();
    assertNextCompleteIsAFollowUp(node);
  }

  @Test
  void a_chunked_body_of_exactly_the_route_limit_is_forwarded() throws Exception {
    up.clear();
    String chunk = "x".repeat(512);
    RawHttp.Response r =
        RawHttp.exchange(
            node.port(),
            "POST /chunked HTTP/1.1\r\nHost: small.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "200\r\n"
                + chunk
                + "\r\n200\r\n"
                + chunk
                + "\r\n0\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.take().body().length()).isEqualTo(1024);
  }

  @Test
  void a_chunked_body_streaming_past_the_route_limit_is_413_and_the_upstream_is_reset()
      throws Exception {
    up.clear();
    String chunk = "x".repeat(512);
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /chunked-over HTTP/1.1\r\nHost: small.example\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "200\r\n"
              + chunk
              + "\r\n200\r\n"
              + chunk
              + "\r\n");
      // The first 1024 bytes are streaming upstream...
      await().atMost(Duration.ofSeconds(5)).until(() -> up.heads().contains("/chunked-over"));
      // ...and one more byte crosses the limit.
      raw.send("1\r\nx\r\n");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(raw.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> up.resets().contains("/chunked-over"));
    assertNextCompleteIsAFollowUp(node);
  }

  // ------------------------------------------------------------------ header-read deadline

  @Test
  void a_head_completed_just_inside_the_header_read_deadline_is_served() throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(tight.port())) {
      raw.send("GET /inside HTTP/1.1\r\n");
      pause(150);
      raw.send("Host: lim.example\r\n");
      pause(150);
      raw.send("\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
    }
    assertThat(up.take().uri()).isEqualTo("/inside");
  }

  @Test
  void a_head_trickled_past_the_header_read_deadline_is_408_and_closed() throws Exception {
    up.clear();
    long t0 = System.nanoTime();
    try (RawHttp raw = new RawHttp(tight.port())) {
      raw.send("GET /slowloris HTTP/1.1\r\nHost: lim.example\r\n");
      // One header line every 100 ms for most of the deadline: the connection is never idle
      // (Vert.x's idle timeout is 1 s), yet the head never ends. The trickle stops just before the
      // deadline so that no write races the server's close (an RST would discard the 408).
      for (int i = 0; i < 4; i++) {
        pause(100);
        raw.send("X-Slow-" + i + ": 1\r\n");
      }
      RawHttp.Response r = raw.read();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.status()).isEqualTo(408);
      assertThat(ms).isBetween(HEADER_READ.toMillis(), HEADER_READ.toMillis() + 1000);
      assertThat(raw.closedByServer()).isTrue();
    }
    assertThat(up.heads()).isEmpty();
  }

  @Test
  void a_second_head_trickled_on_a_keep_alive_connection_is_408_from_its_first_byte()
      throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(tight.port())) {
      raw.send("GET /first HTTP/1.1\r\nHost: lim.example\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      // The next head starts at once and then trickles: the deadline runs from its first byte,
      // not from the keep-alive idle time.
      long t0 = System.nanoTime();
      raw.send("GET /second HTTP/1.1\r\nHost: lim.example\r\n");
      for (int i = 0; i < 4; i++) {
        pause(100);
        raw.send("X-Slow-" + i + ": 1\r\n");
      }
      RawHttp.Response r = raw.read();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.status()).isEqualTo(408);
      assertThat(ms).isBetween(HEADER_READ.toMillis(), HEADER_READ.toMillis() + 1000);
      assertThat(raw.closedByServer()).isTrue();
    }
    assertThat(up.take().uri()).isEqualTo("/first");
  }

  // ------------------------------------------------------------------ body inactivity

  @Test
  void a_body_pausing_less_than_body_idle_is_forwarded() throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send("POST /idle HTTP/1.1\r\nHost: idle.example\r\nContent-Length: 10\r\n\r\nhello");
      pause(250);
      raw.send("world");
      assertThat(raw.read().status()).isEqualTo(200);
    }
    assertThat(up.take().body().toString()).isEqualTo("helloworld");
  }

  @Test
  void a_body_stalled_past_body_idle_is_408_and_the_upstream_is_reset() throws Exception {
    up.clear();
    long t0 = System.nanoTime();
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send("POST /idle-over HTTP/1.1\r\nHost: idle.example\r\nContent-Length: 10\r\n\r\nhello");
      RawHttp.Response r = raw.read();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.status()).isEqualTo(408);
      assertThat(ms).isBetween(500L, 2000L);
      assertThat(raw.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> up.resets().contains("/idle-over"));
    assertNextCompleteIsAFollowUp(node);
  }

  // ------------------------------------------------------------------ whole request

  @Test
  void an_exchange_shorter_than_the_request_timeout_is_served() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET /delay/200 HTTP/1.1\r\nHost: whole.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void an_exchange_longer_than_the_request_timeout_is_504() throws Exception {
    long t0 = System.nanoTime();
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET /delay/3000 HTTP/1.1\r\nHost: whole.example\r\n\r\n");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).isEqualTo(504);
    assertThat(ms).isBetween(800L, 2500L);
  }

  // ------------------------------------------------------------------ upstream response

  @Test
  void an_upstream_answering_inside_the_response_timeout_is_served() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET /delay/150 HTTP/1.1\r\nHost: slow.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void an_upstream_silent_past_the_response_timeout_is_504() throws Exception {
    long t0 = System.nanoTime();
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET /delay/3000 HTTP/1.1\r\nHost: slow.example\r\n\r\n");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).isEqualTo(504);
    assertThat(ms).isBetween(500L, 2000L);
  }

  // ------------------------------------------------------------------ keep-alive idle

  @Test
  void a_keep_alive_connection_reused_within_the_idle_timeout_is_served() throws Exception {
    try (RawHttp raw = new RawHttp(tight.port())) {
      raw.send("GET /ka1 HTTP/1.1\r\nHost: lim.example\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      pause(KEEP_ALIVE.toMillis() / 2);
      raw.send("GET /ka2 HTTP/1.1\r\nHost: lim.example\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  @Test
  void a_keep_alive_connection_idle_past_the_timeout_is_closed() throws Exception {
    try (RawHttp raw = new RawHttp(tight.port())) {
      raw.send("GET /ka HTTP/1.1\r\nHost: lim.example\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      long t0 = System.nanoTime();
      assertThat(raw.closedByServer()).isTrue();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).isBetween(KEEP_ALIVE.toMillis() - 100, KEEP_ALIVE.toMillis() + 1500);
    }
  }

  // ------------------------------------------------------------------ connections

  @Test
  void the_connection_past_the_per_client_cap_is_closed() throws Exception {
    try (NodeFixture capped =
            NodeFixture.start(
                c -> c.withLimits(edge(3, 2, EdgeLimits.UnderscoreHeaders.REJECT)),
                route("lim", "lim.example", null, null, List.of()));
        RawHttp c1 = new RawHttp(capped.port(), "127.0.0.1");
        RawHttp c2 = new RawHttp(capped.port(), "127.0.0.1");
        RawHttp c3 = new RawHttp(capped.port(), "127.0.0.1");
        RawHttp other = new RawHttp(capped.port(), "127.0.0.2")) {
      assertThat(served(c1)).as("1st connection of a client").isTrue();
      assertThat(served(c2)).as("2nd connection of a client").isTrue();
      assertThat(served(c3)).as("3rd connection of a client").isFalse();
      assertThat(served(other)).as("1st connection of another client").isTrue();
    }
  }

  @Test
  void the_connection_past_the_per_node_cap_is_closed_until_one_closes() throws Exception {
    try (NodeFixture capped =
        NodeFixture.start(
            c -> c.withLimits(edge(3, 2, EdgeLimits.UnderscoreHeaders.REJECT)),
            route("lim", "lim.example", null, null, List.of()))) {
      RawHttp c1 = new RawHttp(capped.port(), "127.0.0.1");
      try (RawHttp c2 = new RawHttp(capped.port(), "127.0.0.2");
          RawHttp c3 = new RawHttp(capped.port(), "127.0.0.3");
          RawHttp c4 = new RawHttp(capped.port(), "127.0.0.4")) {
        assertThat(served(c1)).as("1st connection").isTrue();
        assertThat(served(c2)).as("2nd connection").isTrue();
        assertThat(served(c3)).as("3rd connection").isTrue();
        assertThat(served(c4)).as("4th connection").isFalse();
        c1.close();
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () -> {
                  try (RawHttp again = new RawHttp(capped.port(), "127.0.0.4")) {
                    return served(again);
                  }
                });
      }
    }
  }

  // ------------------------------------------------------------------ header names with '_'

  @Test
  void a_header_name_without_underscore_passes_and_one_with_is_400_by_default() throws Exception {
    up.clear();
    RawHttp.Response ok =
        RawHttp.exchange(node.port(), "GET /us HTTP/1.1\r\nHost: lim.example\r\nX-Dash: 1\r\n\r\n");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(up.take().header("x-dash")).isEqualTo("1");
    assertRefused(node, "GET /us HTTP/1.1\r\nHost: lim.example\r\nX_Under: 1\r\n\r\n", 400, "/us");
  }

  @Test
  void underscore_headers_are_dropped_or_allowed_when_configured() throws Exception {
    for (EdgeLimits.UnderscoreHeaders mode :
        List.of(EdgeLimits.UnderscoreHeaders.DROP, EdgeLimits.UnderscoreHeaders.ALLOW)) {
      try (NodeFixture n =
          NodeFixture.start(
              c -> c.withLimits(edge(100, 100, mode)),
              route("lim", "lim.example", null, null, List.of()))) {
        up.clear();
        RawHttp.Response r =
            RawHttp.exchange(
                n.port(),
                "GET /us HTTP/1.1\r\nHost: lim.example\r\nX_Under: 1\r\nX-Dash: 2\r\n\r\n");
        assertThat(r.status()).as("%s", mode).isEqualTo(200);
        RecordingUpstream.Complete seen = up.take();
        assertThat(seen.header("x-dash")).isEqualTo("2");
        if (mode == EdgeLimits.UnderscoreHeaders.DROP) {
          assertThat(seen.header("x_under")).as("DROP").isNull();
        } else {
          assertThat(seen.header("x_under")).as("ALLOW").isEqualTo("1");
        }
      }
    }
  }

  // ------------------------------------------------------------------ path normalisation

  @Test
  void dot_segments_are_removed_before_routing_and_forwarding() throws Exception {
    up.clear();
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET /a/../b?q HTTP/1.1\r\nHost: paths.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.take().uri()).isEqualTo("/b?q");
    RawHttp.Response escaped =
        RawHttp.exchange(node.port(), "GET /%2e%2e/b/x HTTP/1.1\r\nHost: paths.example\r\n\r\n");
    assertThat(escaped.status()).isEqualTo(200);
    assertThat(up.take().uri()).isEqualTo("/b/x");
    // The same bytes without normalisation would not match the route: /a/b goes to the default
    // backend.
    RawHttp.Response unrouted =
        RawHttp.exchange(node.port(), "GET /a/b HTTP/1.1\r\nHost: paths.example\r\n\r\n");
    assertThat(unrouted.status()).isEqualTo(404);
  }

  @Test
  void an_invalid_escape_is_400_and_not_forwarded() throws Exception {
    assertRefused(node, "GET /b/%zz HTTP/1.1\r\nHost: paths.example\r\n\r\n", 400, "/b/%zz");
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Sends {@code request}, expects {@code status} and a closed connection, that the upstream saw no
   * head, and that a valid request on a fresh connection is the next one it completes.
   */
  private static void assertRefused(NodeFixture n, String request, int status, String what)
      throws Exception {
    up.clear();
    try (RawHttp raw = new RawHttp(n.port())) {
      raw.send(request);
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("status for %s", what).isEqualTo(status);
      assertThat(raw.closedByServer()).as("closed after %s", what).isTrue();
    }
    assertThat(up.heads()).as("heads forwarded").isEmpty();
    assertNextCompleteIsAFollowUp(n);
  }

  private static void assertNextCompleteIsAFollowUp(NodeFixture n) throws Exception {
    String path = "/follow-up-" + FOLLOW_UPS.incrementAndGet();
    RawHttp.Response ok =
        RawHttp.exchange(n.port(), "GET " + path + " HTTP/1.1\r\nHost: lim.example\r\n\r\n");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(up.take().uri()).as("next complete request upstream").isEqualTo(path);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(n.node().inFlight()).isZero());
  }

  /** Whether one request on {@code raw} is answered 200 (false when the server closed instead). */
  private static boolean served(RawHttp raw) {
    try {
      raw.send("GET /conn HTTP/1.1\r\nHost: lim.example\r\n\r\n");
      return raw.read().status() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** Host plus padding lines whose bytes, without CRLF, sum to {@code total}; then the end. */
  private static String headerLinesOfTotal(int total) {
    String host = "Host: lim.example";
    StringBuilder b = new StringBuilder(host).append("\r\n");
    int remaining = total - host.length();
    int lines = (remaining + 3999) / 4000;
    for (int i = 0; i < lines; i++) {
      int len = i == lines - 1 ? remaining : remaining / (lines - i);
      String name = "X-Pad-" + i + ": ";
      b.append(name).append("v".repeat(len - name.length())).append("\r\n");
      remaining -= len;
    }
    return b.append("\r\n").toString();
  }

  /** Host and {@code n - 1} more fields, then the end of the head. */
  private static String fields(int n) {
    StringBuilder b = new StringBuilder("Host: lim.example\r\n");
    for (int i = 1; i < n; i++) {
      b.append("X-F").append(i).append(": v\r\n");
    }
    return b.append("\r\n").toString();
  }

  /** {@code GET /rl... HTTP/1.1} of exactly {@code length} bytes. */
  private static String requestLineOf(int length) {
    String fixed = "GET /rl HTTP/1.1";
    String line = "GET /rl" + "x".repeat(length - fixed.length()) + " HTTP/1.1";
    assertThat(line).hasSize(length);
    return line;
  }

  /** Test limits: defaults, but header read 500 ms, keep-alive 1 s and the given caps. */
  private static EdgeLimits edge(
      int maxConnections, int perClient, EdgeLimits.UnderscoreHeaders underscores) {
    EdgeLimits d = EdgeLimits.DEFAULTS;
    return new EdgeLimits(
        d.maxHeaderBytes(),
        d.maxHeaderLineBytes(),
        d.maxHeaderCount(),
        d.maxRequestLineBytes(),
        HEADER_READ,
        KEEP_ALIVE,
        maxConnections,
        perClient,
        underscores,
        d.overloadHeapRatio(),
        d.overloadLoopLag(),
        d.writeQueueBytes(),
        d.pacedConnectionsPerSecond());
  }

  private static Timeouts timeouts(Duration response, Duration bodyIdle, Duration request) {
    return new Timeouts(Duration.ofSeconds(5), response, bodyIdle, request);
  }

  private static RouteSpec route(
      String name, String host, Timeouts timeouts, Limits limits, List<PathMatch> paths) {
    return NodeFixture.valid(
        new RouteSpec(
            RouteKey.of("default", "cli", name),
            List.of(host),
            paths,
            Set.of(),
            List.of(),
            List.of(),
            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", up.port()))),
            timeouts,
            limits,
            0));
  }

  /** Lets time pass on the test thread (the client side of a trickle). */
  private static void pause(long millis) {
    await()
        .pollDelay(Duration.ofMillis(millis))
        .atMost(Duration.ofMillis(millis + 1000))
        .until(() -> true);
  }
}
