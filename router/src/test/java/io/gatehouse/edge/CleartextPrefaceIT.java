package io.gatehouse.edge;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RecordingUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The start of a connection on the plain listener with h2c: an h2c-only listener ({@code
 * http2.cleartextOnly}) closes anything but the client preface without a byte (RFC 9113 3.4; what
 * h2spec's "invalid connection preface" case checks), and a mixed one closes a broken preface
 * silently, answers other garbage as HTTP/1, and holds the first request head to the header-read
 * deadline like a plain HTTP/1 listener.
 */
@Timeout(60)
class CleartextPrefaceIT {
  static final Duration HEADER_READ = Duration.ofMillis(500);

  static Vertx vertx;
  static RecordingUpstream up;
  static NodeFixture h2cOnly;
  static NodeFixture mixed;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = new RecordingUpstream(vertx);
    h2cOnly =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024, true))
                    .withLimits(limits()),
            route("a", "a.example", up.address()));
    mixed =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withLimits(limits()),
            route("a", "a.example", up.address()));
  }

  @AfterAll
  static void stop() {
    h2cOnly.close();
    mixed.close();
    up.close();
    vertx.close().await();
  }

  @Test
  void h2c_only_closes_an_invalid_preface_without_a_byte() throws Exception {
    assertThat(silentlyClosed(h2cOnly.port(), "INVALID CONNECTION PREFACE\r\n\r\n")).isEmpty();
  }

  @Test
  void h2c_only_serves_no_http1_request() throws Exception {
    up.clear();
    assertThat(silentlyClosed(h2cOnly.port(), "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"))
        .isEmpty();
    assertThat(up.heads()).isEmpty();
  }

  @Test
  void h2c_only_does_not_upgrade() throws Exception {
    String upgrade =
        "GET / HTTP/1.1\r\nHost: a.example\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";
    assertThat(silentlyClosed(h2cOnly.port(), upgrade)).isEmpty();
  }

  @Test
  void h2c_only_closes_a_half_preface_at_the_header_read_deadline() throws Exception {
    long t0 = System.nanoTime();
    assertThat(silentlyClosed(h2cOnly.port(), "PRI * HTTP/2.0\r\n")).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(HEADER_READ);
  }

  @Test
  void h2c_only_serves_http2_with_prior_knowledge() {
    assertThat(h2cGet(h2cOnly.port())).isEqualTo("HTTP_2 200");
  }

  @Test
  void mixed_closes_a_broken_preface_without_an_http1_answer() throws Exception {
    assertThat(silentlyClosed(mixed.port(), "PRI * HTTP/2.0\r\n\r\nXY\r\n\r\n")).isEmpty();
    assertThat(silentlyClosed(mixed.port(), "PRI * HTTP/2.0\r\nHost: a.example\r\n\r\n")).isEmpty();
  }

  @Test
  void mixed_answers_other_garbage_with_400() throws Exception {
    try (RawHttp raw = new RawHttp(mixed.port())) {
      raw.send("INVALID CONNECTION PREFACE\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(400);
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void mixed_serves_http1_and_http2_with_prior_knowledge() throws Exception {
    try (RawHttp raw = new RawHttp(mixed.port())) {
      raw.send("GET /one HTTP/1.1\r\nHost: a.example\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
    }
    assertThat(h2cGet(mixed.port())).isEqualTo("HTTP_2 200");
  }

  @Test
  void mixed_answers_a_first_head_past_the_header_read_deadline_with_408() throws Exception {
    up.clear();
    long t0 = System.nanoTime();
    try (RawHttp raw = new RawHttp(mixed.port())) {
      raw.send("GET /slowloris HTTP/1.1\r\nHost: a.example\r\n");
      RawHttp.Response r = raw.read();
      assertThat(r.status()).as("answer to an unfinished first head").isEqualTo(408);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(HEADER_READ);
      assertThat(raw.closedByServer()).isTrue();
    }
    assertThat(up.heads()).isEmpty();
  }

  @Test
  void mixed_answers_a_silent_connection_with_408_at_the_header_read_deadline() throws Exception {
    try (RawHttp raw = new RawHttp(mixed.port())) {
      RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  /** Sends {@code data} and returns what arrives before the server closes (fails on no close). */
  private static String silentlyClosed(int port, String data) throws IOException {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(data);
      InputStream in = raw.socket().getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[1024];
      try {
        for (int n; (n = in.read(buf)) != -1; ) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "connection still open 10 s after "
                + data.trim()
                + "; received: "
                + got.toString(StandardCharsets.ISO_8859_1));
      } catch (IOException reset) {
        // a reset is a close too
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static String h2cGet(int port) {
    HttpClientAgent client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    try {
      return client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.GET)
                  .setHost("127.0.0.1")
                  .setPort(port)
                  .setURI("/h2"))
          .compose(
              req -> {
                req.authority(HostAndPort.create("a.example", 80));
                return req.send()
                    .compose(r -> r.body().map(b -> r.version() + " " + r.statusCode()));
              })
          .await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      client.close().await();
    }
  }

  private static EdgeLimits limits() {
    EdgeLimits d = EdgeLimits.DEFAULTS;
    return new EdgeLimits(
        d.maxHeaderBytes(),
        d.maxHeaderLineBytes(),
        d.maxHeaderCount(),
        d.maxRequestLineBytes(),
        HEADER_READ,
        d.keepAliveIdleTimeout(),
        d.maxConnections(),
        d.maxConnectionsPerClient(),
        d.underscoreHeaders(),
        d.overloadHeapRatio(),
        d.overloadLoopLag(),
        d.writeQueueBytes(),
        d.pacedConnectionsPerSecond());
  }
}
