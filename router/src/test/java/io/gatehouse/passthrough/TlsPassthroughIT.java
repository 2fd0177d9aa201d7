package io.gatehouse.passthrough;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.TlsSpec;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.gatehouse.testing.TrustAll;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS passthrough on the HTTPS listener: a route for {@code pt.example} passes connections, bytes
 * unchanged, to a TLS backend with its own self-signed certificate; {@code term.example} is
 * terminated by Gatehouse on the same port; other names are refused with an {@code
 * unrecognized_name} alert.
 */
@Timeout(60)
class TlsPassthroughIT {
  private static final int BIG = 8 * 1024 * 1024;

  static Vertx vertx;
  static TestPki.Issued backendCert;
  static io.vertx.core.http.HttpServer backend;
  static TestUpstream terminated;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    backendCert =
        TestPki.selfSigned(
            "pt.example",
            List.of("pt.example"),
            now.minus(1, ChronoUnit.HOURS),
            now.plus(1, ChronoUnit.DAYS));
    backend =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setSni(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertValue(Buffer.buffer(backendCert.certPem()))
                            .setKeyValue(Buffer.buffer(backendCert.keyPem()))))
            .requestHandler(
                req -> {
                  if (req.path().equals("/big")) {
                    req.response().putHeader("content-length", Integer.toString(BIG));
                    req.response().end(Buffer.buffer(bytes(BIG, 7)));
                    return;
                  }
                  req.body()
                      .onSuccess(
                          body ->
                              req.response()
                                  .end(
                                      "backend sni="
                                          + req.connection().indicatedServerName()
                                          + " bytes="
                                          + body.length()
                                          + " sha256="
                                          + sha256(body.getBytes())));
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    terminated = TestUpstream.named(vertx, "terminated-upstream");
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort(); // nothing listens here once closed
    }
    node =
        NodeFixture.start(
            NodeFixture::withHttps,
            NodeFixture.valid(
                route("pt", "pt.example", "127.0.0.1:" + backend.actualPort())
                    .withTls(TlsSpec.passthrough(List.of()))),
            NodeFixture.valid(
                route("down", "down.example", "127.0.0.1:" + closed)
                    .withTls(TlsSpec.passthrough(List.of()))),
            route("term", "term.example", terminated.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    terminated.close();
    backend.close().await();
    vertx.close().await();
  }

  @Test
  void a_passthrough_name_reaches_the_backend_with_its_own_certificate() throws Exception {
    try (SSLSocket s = TlsSockets.open(node.httpsPort(), "pt.example")) {
      X509Certificate seen = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(seen.getEncoded()).isEqualTo(backendCert.cert().getEncoded());
      String answer = TlsSockets.get(s, "pt.example", "/hello");
      assertThat(answer).startsWith("HTTP/1.1 200").contains("backend sni=pt.example bytes=0");
    }
  }

  @Test
  void a_terminated_name_on_the_same_port_gets_gatehouses_certificate_and_route() throws Exception {
    try (SSLSocket s = TlsSockets.open(node.httpsPort(), "term.example")) {
      X509Certificate seen = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(seen.getEncoded()).isNotEqualTo(backendCert.cert().getEncoded());
      String answer = TlsSockets.get(s, "term.example", "/t");
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith("terminated-upstream");
    }
  }

  @Test
  void a_terminated_name_still_speaks_http2_by_alpn_behind_the_gate() throws Exception {
    io.vertx.core.http.HttpClientAgent h2 =
        vertx.createHttpClient(
            new io.vertx.core.http.HttpClientOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setTrustAll(true)
                .setVerifyHost(false)
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2));
    try {
      String answer =
          h2.request(
                  new io.vertx.core.http.RequestOptions()
                      .setServer(
                          io.vertx.core.net.SocketAddress.inetSocketAddress(
                              node.httpsPort(), "127.0.0.1"))
                      .setHost("term.example")
                      .setPort(node.httpsPort())
                      .setURI("/h2"))
              .compose(
                  r ->
                      r.send()
                          .compose(
                              resp -> resp.body().map(b -> resp.version() + " " + b.toString())))
              .await(20, TimeUnit.SECONDS);
      assertThat(answer).isEqualTo("HTTP_2 terminated-upstream");
    } finally {
      h2.close().await();
    }
  }

  @Test
  void a_passthrough_route_added_at_runtime_is_used_by_the_next_connection() throws Exception {
    node.put(
        NodeFixture.valid(
            route("late", "late.example", "127.0.0.1:" + backend.actualPort())
                .withTls(TlsSpec.passthrough(List.of()))));
    try (SSLSocket s = TlsSockets.open(node.httpsPort(), "late.example")) {
      X509Certificate seen = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(seen.getEncoded()).isEqualTo(backendCert.cert().getEncoded());
      assertThat(TlsSockets.get(s, "late.example", "/")).contains("backend sni=late.example");
    }
  }

  @Test
  void an_unknown_name_is_refused_with_unrecognized_name() {
    assertThatThrownBy(() -> TlsSockets.open(node.httpsPort(), "nope.example").close())
        .isInstanceOf(SSLException.class)
        .hasMessageContaining("unrecognized_name");
  }

  @Test
  void no_name_is_refused_when_no_route_serves_every_host() {
    assertThatThrownBy(() -> openWithoutSni(node.httpsPort()).close())
        .isInstanceOf(SSLException.class)
        .hasMessageContaining("unrecognized_name");
  }

  @Test
  void a_large_body_streams_through_both_ways() throws Exception {
    byte[] up = bytes(BIG, 3);
    try (SSLSocket s = TlsSockets.open(node.httpsPort(), "pt.example")) {
      OutputStream out = s.getOutputStream();
      // The upload runs beside the read, so neither side waits on a full buffer of the other.
      CompletableFuture<Void> sent =
          CompletableFuture.runAsync(
              () -> {
                try {
                  out.write(
                      ("POST /up HTTP/1.1\r\nHost: pt.example\r\nContent-Length: "
                              + BIG
                              + "\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.write(up);
                  out.write(
                      "GET /big HTTP/1.1\r\nHost: pt.example\r\nConnection: close\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      DataInputStream in = new DataInputStream(s.getInputStream());
      String first = new String(body(in), StandardCharsets.UTF_8);
      assertThat(first).isEqualTo("backend sni=pt.example bytes=" + BIG + " sha256=" + sha256(up));
      byte[] down = body(in);
      assertThat(down).hasSize(BIG);
      assertThat(sha256(down)).isEqualTo(sha256(bytes(BIG, 7)));
      sent.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_backend_that_is_down_closes_the_connection_promptly() {
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> TlsSockets.open(node.httpsPort(), "down.example").close())
        .isInstanceOf(java.io.IOException.class)
        .isNotInstanceOf(SocketTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void a_node_stops_within_its_drain_with_a_spliced_connection_open_and_closes_it()
      throws Exception {
    NodeFixture own =
        NodeFixture.start(
            NodeFixture::withHttps,
            NodeFixture.valid(
                route("pt", "pt.example", "127.0.0.1:" + backend.actualPort())
                    .withTls(TlsSpec.passthrough(List.of()))));
    try (SSLSocket s = TlsSockets.open(own.httpsPort(), "pt.example")) {
      long t0 = System.nanoTime();
      CompletableFuture.runAsync(own::close).get(20, TimeUnit.SECONDS);
      // The test node drains for at most 5 s: a spliced connection has no request to finish.
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
      // The splice went with the node: the client sees its connection end, not a hang.
      assertThatThrownBy(
              () -> {
                if (s.getInputStream().read() >= 0) {
                  throw new AssertionError("a byte after the node stopped");
                }
                throw new java.io.EOFException("closed");
              })
          .isInstanceOf(java.io.IOException.class)
          .isNotInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void its_idle_timeout_is_a_setting_and_its_connections_are_counted_on_metrics() throws Exception {
    Passthrough.Settings settings =
        new Passthrough.Settings(
            Duration.ofSeconds(10), 64 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(1));
    try (NodeFixture own =
        NodeFixture.start(
            c -> {
              NodeConfig https = NodeFixture.withHttps(c);
              return https.withTls(https.tls().withPassthrough(settings));
            },
            NodeFixture.valid(
                route("pt", "pt.example", "127.0.0.1:" + backend.actualPort())
                    .withTls(TlsSpec.passthrough(List.of()))))) {
      String answer;
      try (SSLSocket s = TlsSockets.open(own.httpsPort(), "pt.example")) {
        answer = TlsSockets.get(s, "pt.example", "/hello");
      }
      assertThat(answer).startsWith("HTTP/1.1 200");
      try (SSLSocket idle = TlsSockets.open(own.httpsPort(), "pt.example")) {
        long t0 = System.nanoTime();
        // Nothing either way: the node closes it after tls.passthrough.idleTimeout, not the 5 min.
        assertThatThrownBy(
                () -> {
                  if (idle.getInputStream().read() >= 0) {
                    throw new AssertionError("a byte on an idle connection");
                  }
                  throw new java.io.EOFException("closed");
                })
            .isInstanceOf(java.io.IOException.class)
            .isNotInstanceOf(SocketTimeoutException.class);
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(waited).isGreaterThan(Duration.ofMillis(800)).isLessThan(Duration.ofSeconds(15));
      }
      assertThatThrownBy(() -> TlsSockets.open(own.httpsPort(), "nope.example").close())
          .isInstanceOf(SSLException.class);
      String metrics =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () ->
                      RawHttp.exchange(
                              own.statusPort(), "GET /metrics HTTP/1.1\r\nHost: status\r\n\r\n")
                          .body(),
                  m -> value(m, "gatehouse_passthrough_open_connections") == 0.0);
      assertThat(value(metrics, "gatehouse_passthrough_connections_total{outcome=\"passed\"}"))
          .isEqualTo(2.0);
      assertThat(value(metrics, "gatehouse_passthrough_connections_total{outcome=\"refused\"}"))
          .isEqualTo(1.0);
      assertThat(value(metrics, "gatehouse_passthrough_connections_total{outcome=\"terminated\"}"))
          .isEqualTo(0.0);
      assertThat(value(metrics, "gatehouse_passthrough_connect_failures_total{listener=\"https\"}"))
          .isEqualTo(0.0);
      // Two handshakes and a request one way, the backend's certificates and answer the other.
      assertThat(value(metrics, "gatehouse_passthrough_bytes_total{direction=\"from_client\"}"))
          .isGreaterThan(500.0);
      assertThat(value(metrics, "gatehouse_passthrough_bytes_total{direction=\"to_client\"}"))
          .isGreaterThan((double) backendCert.cert().getEncoded().length + answer.length());
    }
  }

  /** The value of the series named exactly {@code series} (name and labels) in an exposition. */
  private static double value(String exposition, String series) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }

  /** A handshake without the server_name extension. */
  private static SSLSocket openWithoutSni(int port) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
    try {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(20_000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of());
      s.setSSLParameters(p);
      s.startHandshake();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /** The body of the next HTTP/1.1 response with a Content-Length (the head is skipped). */
  private static byte[] body(DataInputStream in) throws Exception {
    int length = -1;
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("response head cut");
      }
      if (b == '\n') {
        String l = line.toString().trim();
        line.setLength(0);
        if (l.isEmpty()) {
          break;
        }
        if (l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(l.substring(15).trim());
        }
      } else {
        line.append((char) b);
      }
    }
    byte[] out = new byte[length];
    in.readFully(out);
    return out;
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
