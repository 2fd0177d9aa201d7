package io.gatehouse.edge;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TrustAll;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one client address every access rule uses, through real nodes: the peer, the X-Forwarded-For
 * client only behind a trusted proxy, the PROXY protocol's source; IP rules per route and per node.
 * The whole of 127.0.0.0/8 is loopback on Linux, so 127.0.0.1 plays a trusted proxy and 127.0.0.2 a
 * client that is not one.
 */
@Timeout(60)
class ClientAddressIT {
  private static final String TRUSTED_PEER = "127.0.0.1";
  private static final String UNTRUSTED_PEER = "127.0.0.2";

  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture trusting;
  static NodeFixture nodeLists;
  static NodeFixture proxyProtocol;
  static NodeFixture proxyProtocolH2c;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "up");
    RouteSpec open = route("open", "open.example", up.address());
    // Built after validation: the validator's rule for IpAccess lands with the documents branch.
    RouteSpec allowDocs =
        route("ip", "ip.example", up.address())
            .withPolicies(
                List.of(new IpAccess(List.of("203.0.113.0/24"), List.of("203.0.113.66"))));
    RouteSpec denyUntrusted =
        route("deny", "deny.example", up.address())
            .withPolicies(List.of(new IpAccess(List.of(), List.of(UNTRUSTED_PEER))));
    trusting =
        NodeFixture.start(
            c -> c.withProxy(new NodeConfig.Proxy(List.of(TRUSTED_PEER + "/32"), true)),
            open,
            allowDocs,
            denyUntrusted);
    nodeLists =
        NodeFixture.start(
            c ->
                c.withProxy(
                    new NodeConfig.Proxy(List.of(), true)
                        .withClients(List.of(), List.of(UNTRUSTED_PEER + "/32"))),
            open);
    proxyProtocol =
        NodeFixture.start(
            c ->
                c.withProxy(
                        new NodeConfig.Proxy(List.of(TRUSTED_PEER), true)
                            .withProxyProtocol(
                                new NodeConfig.ProxyProtocol(true, true, Duration.ofMillis(500))))
                    .withTls(
                        new NodeConfig.Tls(
                            true,
                            "127.0.0.1",
                            0,
                            "",
                            "",
                            NodeConfig.Tls.Engine.JDK,
                            Duration.ofSeconds(2))),
            open,
            allowDocs);
    proxyProtocolH2c =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withProxy(
                        new NodeConfig.Proxy(List.of(), true)
                            .withProxyProtocol(
                                new NodeConfig.ProxyProtocol(true, false, Duration.ofSeconds(5)))),
            open);
  }

  @AfterAll
  static void stop() {
    trusting.close();
    nodeLists.close();
    proxyProtocol.close();
    proxyProtocolH2c.close();
    up.close();
    vertx.close().await();
  }

  private static String get(String host, String extraHeaders) {
    return "GET / HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders + "Connection: close\r\n\r\n";
  }

  private static RawHttp.Response send(int port, String from, String request) throws IOException {
    try (RawHttp raw = new RawHttp(port, from)) {
      raw.send(request);
      return raw.read();
    }
  }

  @Test
  void a_spoofed_x_forwarded_for_from_an_untrusted_peer_is_ignored_by_ip_rules() throws Exception {
    RawHttp.Response r =
        send(
            trusting.port(),
            UNTRUSTED_PEER,
            get("ip.example", "X-Forwarded-For: 203.0.113.5\r\nForwarded: for=203.0.113.5\r\n"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.header("x-request-id")).isNotBlank();
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_spoofed_x_forwarded_for_does_not_escape_a_deny() throws Exception {
    RawHttp.Response r =
        send(
            trusting.port(),
            UNTRUSTED_PEER,
            get("deny.example", "X-Forwarded-For: 198.51.100.1\r\nX-Real-IP: 198.51.100.1\r\n"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client() throws Exception {
    RawHttp.Response r =
        send(
            trusting.port(),
            TRUSTED_PEER,
            get("ip.example", "X-Forwarded-For: 6.6.6.6, 203.0.113.5\r\nX-Real-IP: 6.6.6.6\r\n"));
    assertThat(r.status()).isEqualTo(200);
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.header("x-real-ip")).isEqualTo("203.0.113.5");
    assertThat(seen.header("x-forwarded-for")).isEqualTo("6.6.6.6, 203.0.113.5, 127.0.0.1");
  }

  @Test
  void behind_a_trusted_proxy_deny_wins_over_allow() throws Exception {
    RawHttp.Response r =
        send(trusting.port(), TRUSTED_PEER, get("ip.example", "X-Forwarded-For: 203.0.113.66\r\n"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void behind_a_trusted_proxy_a_client_outside_the_allow_list_is_refused() throws Exception {
    RawHttp.Response r =
        send(trusting.port(), TRUSTED_PEER, get("ip.example", "X-Forwarded-For: 198.51.100.1\r\n"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void behind_a_trusted_proxy_the_client_it_names_is_denied() throws Exception {
    RawHttp.Response r =
        send(
            trusting.port(),
            TRUSTED_PEER,
            get("deny.example", "X-Forwarded-For: " + UNTRUSTED_PEER + "\r\n"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void an_untrusted_peer_is_its_own_x_real_ip_whatever_it_sends() throws Exception {
    RawHttp.Response r =
        send(
            trusting.port(),
            UNTRUSTED_PEER,
            get("open.example", "X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n"));
    assertThat(r.status()).isEqualTo(200);
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.header("x-real-ip")).isEqualTo(UNTRUSTED_PEER);
    assertThat(seen.header("x-forwarded-for")).isEqualTo(UNTRUSTED_PEER);
  }

  @Test
  void the_node_deny_list_refuses_before_any_route_is_matched() throws Exception {
    RawHttp.Response routed = send(nodeLists.port(), UNTRUSTED_PEER, get("open.example", ""));
    RawHttp.Response unrouted = send(nodeLists.port(), UNTRUSTED_PEER, get("nope.example", ""));
    assertThat(routed.status()).isEqualTo(403);
    assertThat(routed.header("x-request-id")).isNotBlank();
    assertThat(unrouted.status()).as("403, not the default backend's 404").isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
    assertThat(send(nodeLists.port(), TRUSTED_PEER, get("open.example", "")).status())
        .isEqualTo(200);
    up.take();
  }

  @Test
  void a_proxy_protocol_v1_header_names_the_client() throws Exception {
    RawHttp.Response r =
        send(
            proxyProtocol.port(),
            TRUSTED_PEER,
            "PROXY TCP4 203.0.113.5 127.0.0.1 40000 80\r\n"
                + get("open.example", "X-Forwarded-For: 6.6.6.6\r\n"));
    assertThat(r.status()).isEqualTo(200);
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.header("x-real-ip")).isEqualTo("203.0.113.5");
    assertThat(seen.header("x-forwarded-for"))
        .as("the client is no trusted proxy")
        .isEqualTo("203.0.113.5");
  }

  @Test
  void a_proxy_protocol_v2_header_names_the_client_and_ip_rules_use_it() throws Exception {
    try (RawHttp raw = new RawHttp(proxyProtocol.port(), TRUSTED_PEER)) {
      raw.send(v2Header(new byte[] {(byte) 203, 0, 113, 66}));
      raw.send(get("ip.example", ""));
      assertThat(raw.read().status()).as("203.0.113.66 is denied").isEqualTo(403);
    }
    try (RawHttp raw = new RawHttp(proxyProtocol.port(), TRUSTED_PEER)) {
      raw.send(v2Header(new byte[] {(byte) 203, 0, 113, 7}));
      raw.send(get("ip.example", ""));
      assertThat(raw.read().status()).isEqualTo(200);
    }
    assertThat(up.take().header("x-real-ip")).isEqualTo("203.0.113.7");
  }

  @Test
  void a_connection_without_a_proxy_protocol_header_is_closed_unanswered() throws Exception {
    try (RawHttp raw = new RawHttp(proxyProtocol.port(), TRUSTED_PEER)) {
      raw.send(get("open.example", "X-Forwarded-For: 203.0.113.5\r\n"));
      assertThat(raw.read().status()).as("closed without an answer").isEqualTo(-1);
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_proxy_protocol_header_from_an_untrusted_peer_is_closed_unanswered() throws Exception {
    try (RawHttp raw = new RawHttp(proxyProtocol.port(), UNTRUSTED_PEER)) {
      raw.send("PROXY TCP4 203.0.113.5 127.0.0.1 40000 80\r\n" + get("open.example", ""));
      assertThat(raw.read().status()).isEqualTo(-1);
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_connection_that_sends_no_proxy_protocol_header_in_time_is_closed() throws Exception {
    try (RawHttp raw = new RawHttp(proxyProtocol.port(), TRUSTED_PEER)) {
      long start = System.nanoTime();
      raw.socket().setSoTimeout(5_000);
      assertThat(raw.socket().getInputStream().read()).as("closed: EOF").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void the_https_listener_reads_a_proxy_protocol_header_before_the_handshake() throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new TrustAll()}, null);
    try (Socket plain = new Socket("127.0.0.1", proxyProtocol.httpsPort())) {
      plain.setSoTimeout(10_000);
      plain
          .getOutputStream()
          .write("PROXY TCP6 2001:db8::5 ::1 40000 443\r\n".getBytes(StandardCharsets.US_ASCII));
      try (SSLSocket s =
          (SSLSocket)
              tls.getSocketFactory()
                  .createSocket(plain, "open.example", proxyProtocol.httpsPort(), true)) {
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("open.example")));
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        s.getOutputStream().write(get("open.example", "").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        assertThat(statusLine(s.getInputStream())).startsWith("HTTP/1.1 200");
      }
    }
    assertThat(up.take().header("x-real-ip")).isEqualTo("2001:db8:0:0:0:0:0:5");
  }

  @Test
  void on_an_h2c_listener_the_preface_gate_applies_behind_the_proxy_protocol_header()
      throws Exception {
    String header = "PROXY TCP4 203.0.113.9 127.0.0.1 40000 80\r\n";
    try (RawHttp raw = new RawHttp(proxyProtocolH2c.port())) {
      raw.send(header + get("open.example", ""));
      assertThat(raw.read().status()).isEqualTo(200);
    }
    assertThat(up.take().header("x-real-ip")).isEqualTo("203.0.113.9");
    // A broken HTTP/2 preface is closed without an HTTP/1 answer (edge.CleartextPreface): the gate
    // went in once Vert.x had set the pipeline up behind the header (without it: a 400).
    try (RawHttp raw = new RawHttp(proxyProtocolH2c.port())) {
      raw.send(header + "PRI * HTTP/2.0\r\n\r\nXY\r\n\r\n");
      assertThat(new String(raw.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEmpty();
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      b.write(c);
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /** A PROXY protocol v2 header: PROXY command, TCP over IPv4, from {@code source}:40000. */
  private static byte[] v2Header(byte[] source) {
    ByteBuffer b = ByteBuffer.allocate(16 + 12);
    b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    b.put((byte) 0x21); // version 2, PROXY
    b.put((byte) 0x11); // AF_INET, STREAM
    b.putShort((short) 12);
    b.put(source);
    b.put(new byte[] {127, 0, 0, 1});
    b.putShort((short) 40000);
    b.putShort((short) 80);
    return b.array();
  }
}
