package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.DefaultCertificate;
import io.gatehouse.certificate.ServedCertificate;
import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.validate.ValidCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plain Vert.x HTTPS server with {@link TlsServerOptions}, answering the SNI name it saw; JDK
 * clients on loopback read the certificate they were served. Each connection uses a fresh client
 * SSL context so that no session is resumed: resumption would show the certificate of the earlier
 * session.
 */
@Timeout(60)
abstract class SniServerITBase {
  static final ServedCertificate DEFAULT = DefaultCertificate.generate(Clock.systemUTC());

  Vertx vertx;
  HttpServer server;
  HttpServerOptions options;
  int port;
  AtomicReference<CertificateIndex> index;
  ValidCertificate a;
  ValidCertificate b;
  ValidCertificate wild;

  abstract TlsServerOptions.Engine engine();

  @BeforeEach
  void start() {
    a = TestCertificates.valid("a", "a.example");
    b = TestCertificates.valid("b", "b.example");
    wild = TestCertificates.valid("wild", "*.wild.example");
    index = new AtomicReference<>(CertificateIndex.of(DEFAULT).next(DEFAULT, List.of(a, b, wild)));
    vertx = Vertx.vertx();
    options =
        TlsServerOptions.https(
            new HttpServerOptions().setHost("127.0.0.1").setPort(0),
            new SniKeyManager(index),
            engine());
    server =
        vertx
            .createHttpServer(options)
            .requestHandler(
                req ->
                    req.response()
                        .end(
                            "sni="
                                + req.connection().indicatedServerName()
                                + " "
                                + req.version()
                                + " "
                                + sessionEngine(req.connection().sslSession())))
            .listen()
            .await();
    port = server.actualPort();
  }

  /** Which engine made the session: proves the options select the engine they claim. */
  static String sessionEngine(javax.net.ssl.SSLSession session) {
    return session.getClass().getName().contains("OpenSsl") ? "OPENSSL" : "JDK";
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void each_sni_name_gets_its_certificate() throws Exception {
    assertThat(served("a.example")).isEqualTo(a.leaf());
    assertThat(served("b.example")).isEqualTo(b.leaf());
    assertThat(served("A.Example")).isEqualTo(a.leaf());
    assertThat(served("x.wild.example")).isEqualTo(wild.leaf());
  }

  @Test
  void unknown_names_deeper_wildcards_and_no_sni_get_the_default() throws Exception {
    assertThat(served("unknown.example")).isEqualTo(DEFAULT.chain()[0]);
    assertThat(served("a.b.wild.example")).isEqualTo(DEFAULT.chain()[0]);
    assertThat(served(null)).isEqualTo(DEFAULT.chain()[0]);
  }

  @Test
  void the_handler_sees_the_sni_name() throws Exception {
    try (SSLSocket s = connect("a.example", null)) {
      assertThat(get(s, "a.example")).isEqualTo("sni=a.example HTTP_1_1 " + engine());
    }
  }

  @Test
  void a_renewed_certificate_is_served_on_new_connections_and_open_ones_keep_working()
      throws Exception {
    try (SSLSocket open = connect("a.example", null)) {
      assertThat(get(open, "a.example")).startsWith("sni=a.example HTTP_1_1");
      ValidCertificate renewed = TestCertificates.valid("a", "a.example");
      index.set(index.get().next(DEFAULT, List.of(renewed, b, wild)));

      assertThat(served("a.example")).isEqualTo(renewed.leaf()).isNotEqualTo(a.leaf());
      assertThat(get(open, "a.example")).startsWith("sni=a.example HTTP_1_1");
      assertThat(open.getSession().getPeerCertificates()[0]).isEqualTo(a.leaf());
    }
  }

  @Test
  void fresh_ssl_contexts_serve_the_current_certificates_and_open_connections_keep_theirs()
      throws Exception {
    // what the router does when KeyMaterialCache says retired certificates crowd the cache
    try (SSLSocket open = connect("a.example", new String[] {"http/1.1"})) {
      assertThat(get(open, "a.example")).startsWith("sni=a.example HTTP_1_1");
      assertThat(served("a.example")).isEqualTo(a.leaf());
      ValidCertificate renewed = TestCertificates.valid("a", "a.example");
      index.set(index.get().next(DEFAULT, List.of(renewed, b, wild)));

      assertThat(server.updateSSLOptions(options.getSslOptions(), true).await()).isTrue();

      assertThat(served("a.example")).isEqualTo(renewed.leaf());
      assertThat(served("b.example")).isEqualTo(b.leaf());
      assertThat(served("x.wild.example")).isEqualTo(wild.leaf());
      assertThat(served(null)).isEqualTo(DEFAULT.chain()[0]);
      try (SSLSocket h2 = connect("a.example", new String[] {"h2", "http/1.1"})) {
        assertThat(h2.getApplicationProtocol()).isEqualTo("h2");
      }
      try (SSLSocket s = connect("a.example", null)) {
        assertThat(get(s, "a.example")).isEqualTo("sni=a.example HTTP_1_1 " + engine());
      }
      assertThat(get(open, "a.example")).startsWith("sni=a.example HTTP_1_1");
      assertThat(open.getSession().getPeerCertificates()[0]).isEqualTo(a.leaf());
    }
  }

  @Test
  void a_removed_certificate_is_no_longer_served() throws Exception {
    index.set(index.get().next(DEFAULT, List.of(b, wild)));
    assertThat(served("a.example")).isEqualTo(DEFAULT.chain()[0]);
    assertThat(served("b.example")).isEqualTo(b.leaf());
  }

  @Test
  void alpn_offers_h2_and_falls_back_to_http11() throws Exception {
    try (SSLSocket s = connect("a.example", new String[] {"h2", "http/1.1"})) {
      assertThat(s.getApplicationProtocol()).isEqualTo("h2");
    }
    try (SSLSocket s = connect("a.example", new String[] {"http/1.1"})) {
      assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
    }
  }

  @Test
  void tls12_and_tls13_are_served() throws Exception {
    for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
      try (SSLSocket s = connect("a.example", null, protocol)) {
        assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
        assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(a.leaf());
      }
    }
  }

  @Test
  void tls11_is_refused() throws Exception {
    // The JDK client will not offer TLS 1.1 at all, so the ClientHello is written by hand; the
    // same hello at version 1.2 shows that the server reads it.
    assertThat(rawHello(0x0303)).as("a TLS 1.2 hello gets a ServerHello").isEqualTo(0x16);
    int first = rawHello(0x0302);
    assertThat(first).as("a TLS 1.1 hello gets an alert or a close").isIn(0x15, -1);
  }

  @Test
  void a_client_that_trusts_nothing_fails_the_handshake_instead_of_hanging() {
    assertThatThrownBy(
            () -> {
              SSLContext ctx = SSLContext.getInstance("TLS");
              ctx.init(null, null, null);
              try (SSLSocket s =
                  (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.startHandshake();
              }
            })
        .isInstanceOf(SSLHandshakeException.class);
  }

  // --- clients ---------------------------------------------------------------------------------

  X509Certificate served(String sni) throws Exception {
    try (SSLSocket s = connect(sni, null)) {
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  SSLSocket connect(String sni, String[] alpn) throws Exception {
    return connect(sni, alpn, null);
  }

  SSLSocket connect(String sni, String[] alpn, String protocol) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new io.gatehouse.testing.TrustAll()}, new SecureRandom());
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    if (alpn != null) {
      p.setApplicationProtocols(alpn);
    }
    if (protocol != null) {
      p.setProtocols(new String[] {protocol});
    }
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  /** One HTTP/1.1 request on a kept-alive connection; returns the body. */
  static String get(SSLSocket s, String host) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed in the response head");
      }
      head.write(c);
    }
    String h = head.toString(StandardCharsets.US_ASCII);
    assertThat(h).startsWith("HTTP/1.1 200");
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return new String(in.readNBytes(length), StandardCharsets.US_ASCII);
  }

  /** Sends a hand-written ClientHello at {@code version}; the first byte of the answer, or -1. */
  int rawHello(int version) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, version);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    body.writeBytes(random);
    body.write(0); // no session id
    int[] suites = {0xc02b, 0xc02f, 0xc009, 0xc013, 0x002f};
    u16(body, suites.length * 2);
    for (int suite : suites) {
      u16(body, suite);
    }
    body.write(1);
    body.write(0); // null compression
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    byte[] name = "a.example".getBytes(StandardCharsets.US_ASCII);
    extension(ext, 0x0000, concat(u16(name.length + 3), new byte[] {0}, u16(name.length), name));
    extension(ext, 0x000a, concat(u16(4), u16(0x001d), u16(0x0017)));
    extension(ext, 0x000b, new byte[] {1, 0});
    extension(ext, 0x000d, concat(u16(6), u16(0x0403), u16(0x0804), u16(0x0401)));
    u16(body, ext.size());
    body.writeBytes(ext.toByteArray());
    byte[] hello = body.toByteArray();
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(0x16);
    u16(record, 0x0301);
    u16(record, hello.length + 4);
    record.write(1); // ClientHello
    record.write(0);
    u16(record, hello.length);
    record.writeBytes(hello);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(record.toByteArray());
      s.getOutputStream().flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      int first = in.read();
      if (first == 0x16) {
        // record version(2) length(2), handshake type(1) length(3), then server_version(2)
        byte[] header = new byte[10];
        in.readFully(header);
        assertThat(header[4]).as("handshake type ServerHello").isEqualTo((byte) 2);
        assertThat(((header[8] & 0xff) << 8) | (header[9] & 0xff))
            .as("server_version")
            .isEqualTo(0x0303);
      }
      return first;
    } catch (java.net.SocketException e) {
      return -1; // reset: refused as well
    }
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    u16(out, type);
    u16(out, data.length);
    out.writeBytes(data);
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  private static byte[] u16(int v) {
    return new byte[] {(byte) (v >> 8), (byte) v};
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
