package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.ProxyHeaderUpstream;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TlsSockets;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend's {@code proxyProtocol}: the PROXY header (v1, v2) goes first on each upstream
 * connection and names the client the access rules see (the peer, the X-Forwarded-For client behind
 * a trusted proxy, the source of the listener's own PROXY header) and the address it connected to;
 * a keep-alive connection serves one client only; TLS passthrough sends it before the ClientHello.
 * The upstreams parse the header with Netty's decoder and answer what it said. 127.0.0.1 plays a
 * trusted proxy, 127.0.0.2 and 127.0.0.3 clients (all of 127/8 is loopback).
 */
@Timeout(60)
class ProxyProtocolUpstreamIT {
  private static final String TRUSTED = "127.0.0.1";

  static ProxyHeaderUpstream v1;
  static ProxyHeaderUpstream v2;
  static ProxyHeaderUpstream tlsBackend;
  static ProxyHeaderUpstream checked;
  static ProxyHeaderUpstream httpChecked;
  static TestPki.Issued backendCert;
  static NodeFixture node;
  static NodeFixture proxyListener;

  private static RouteSpec sending(String name, String host, String to, ProxyProtocolVersion v) {
    RouteSpec r = NodeFixture.route(name, host, to);
    BackendSpec b = ((BackendSpec) r.backends().get(0).ref()).withProxyProtocol(v);
    return NodeFixture.valid(r.withBackends(List.of(RouteBackend.of(b))));
  }

  @BeforeAll
  static void start() throws Exception {
    v1 = ProxyHeaderUpstream.plain();
    v2 = ProxyHeaderUpstream.plain();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    backendCert =
        TestPki.selfSigned(
            "pt.example",
            List.of("pt.example"),
            now.minus(1, ChronoUnit.HOURS),
            now.plus(1, ChronoUnit.DAYS));
    tlsBackend = ProxyHeaderUpstream.tls(backendCert);
    checked = ProxyHeaderUpstream.plain();
    httpChecked = ProxyHeaderUpstream.plain();
    RouteSpec probed =
        sending("checked", "checked.example", checked.address(), ProxyProtocolVersion.V2);
    BackendSpec probedBackend = (BackendSpec) probed.backends().get(0).ref();
    probed =
        probed.withBackends(
            List.of(
                RouteBackend.of(
                    probedBackend.withPolicy(
                        probedBackend
                            .effectivePolicy()
                            .withHealthCheck(
                                HealthCheck.tcp()
                                    .withTiming(
                                        Duration.ofMillis(100),
                                        Duration.ofSeconds(1),
                                        Duration.ZERO))))));
    RouteSpec passthrough =
        sending("pt", "pt.example", tlsBackend.address(), ProxyProtocolVersion.V2)
            .withTls(TlsSpec.passthrough(List.of()));
    node =
        NodeFixture.start(
            c ->
                NodeFixture.withHttps(
                    c.withProxy(new NodeConfig.Proxy(List.of(TRUSTED + "/32"), true))),
            sending("v1", "v1.example", v1.address(), ProxyProtocolVersion.V1),
            sending("v2", "v2.example", v2.address(), ProxyProtocolVersion.V2),
            NodeFixture.route("plain", "plain.example", v1.address()),
            NodeFixture.valid(probed),
            NodeFixture.valid(
                checkedBy(
                    sending(
                        "hchecked",
                        "hchecked.example",
                        httpChecked.address(),
                        ProxyProtocolVersion.V1),
                    HealthCheck.http("/healthz"))),
            NodeFixture.valid(
                sending("mirror", "mirror.example", v1.address(), ProxyProtocolVersion.V1)
                    .withPolicies(
                        List.of(
                            RequestMirror.of(
                                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", v2.port())))
                                    .withProxyProtocol(ProxyProtocolVersion.V2))))),
            NodeFixture.valid(passthrough));
    proxyListener =
        NodeFixture.start(
            c ->
                c.withProxy(
                    new NodeConfig.Proxy(List.of(TRUSTED + "/32"), true)
                        .withProxyProtocol(
                            new NodeConfig.ProxyProtocol(true, false, Duration.ofSeconds(5)))),
            sending("v2", "v2.example", v2.address(), ProxyProtocolVersion.V2));
  }

  @AfterAll
  static void stop() {
    node.close();
    proxyListener.close();
    v1.close();
    v2.close();
    tlsBackend.close();
    checked.close();
    httpChecked.close();
  }

  private static RouteSpec checkedBy(RouteSpec r, HealthCheck check) {
    BackendSpec b = (BackendSpec) r.backends().get(0).ref();
    return r.withBackends(
        List.of(
            RouteBackend.of(
                b.withPolicy(
                    b.effectivePolicy()
                        .withHealthCheck(
                            check.withTiming(
                                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ZERO))))));
  }

  private static String get(String host, String extra) {
    return "GET / HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n";
  }

  @Test
  void v1_names_the_peer_and_the_listener() throws Exception {
    int refused = v1.refused();
    try (RawHttp c = new RawHttp(node.port(), "127.0.0.2")) {
      c.send(get("v1.example", ""));
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      int port = c.socket().getLocalPort();
      assertThat(r.body())
          .contains("version=V1")
          .contains(" src=127.0.0.2:" + port + " ")
          .endsWith(" dst=127.0.0.1:" + node.port());
    }
    assertThat(v1.refused()).isEqualTo(refused);
  }

  @Test
  void v2_names_the_peer_and_the_listener() throws Exception {
    try (RawHttp c = new RawHttp(node.port(), "127.0.0.3")) {
      c.send(get("v2.example", ""));
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body())
          .contains("version=V2")
          .contains(" src=127.0.0.3:" + c.socket().getLocalPort() + " ")
          .endsWith(" dst=127.0.0.1:" + node.port());
    }
    assertThat(v2.refused()).isZero();
  }

  @Test
  void a_backend_without_the_setting_gets_no_header_and_this_upstream_refuses_it()
      throws Exception {
    int before = v1.refused();
    try (RawHttp c = new RawHttp(node.port(), "127.0.0.2")) {
      c.send(get("plain.example", ""));
      assertThat(c.read().status()).isEqualTo(502);
    }
    assertThat(v1.refused()).isGreaterThan(before);
  }

  @Test
  void behind_a_trusted_proxy_the_x_forwarded_for_client_is_named() throws Exception {
    try (RawHttp c = new RawHttp(node.port(), TRUSTED)) {
      c.send(get("v1.example", "X-Forwarded-For: 198.51.100.9, 127.0.0.1\r\n"));
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains(" src=198.51.100.9:" + c.socket().getLocalPort() + " ");
    }
    // an untrusted peer's header names nobody
    try (RawHttp c = new RawHttp(node.port(), "127.0.0.2")) {
      c.send(get("v1.example", "X-Forwarded-For: 198.51.100.9\r\n"));
      assertThat(c.read().body()).contains(" src=127.0.0.2:");
    }
  }

  @Test
  void the_listeners_own_proxy_header_names_the_client_and_its_destination() throws Exception {
    try (RawHttp c = new RawHttp(proxyListener.port(), TRUSTED)) {
      c.send("PROXY TCP4 203.0.113.7 192.0.2.10 40000 8443\r\n" + get("v2.example", ""));
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body())
          .contains("version=V2")
          .contains(" src=203.0.113.7:40000 ")
          .endsWith(" dst=192.0.2.10:8443");
    }
  }

  @Test
  void a_connection_serves_one_client_and_that_clients_keep_alive_requests_reuse_it()
      throws Exception {
    int before = v1.accepted();
    String first;
    try (RawHttp a = new RawHttp(node.port(), "127.0.0.2");
        RawHttp b = new RawHttp(node.port(), "127.0.0.3")) {
      a.send(get("v1.example", ""));
      first = a.read().body();
      b.send(get("v1.example", ""));
      String other = b.read().body();
      a.send(get("v1.example", ""));
      String again = a.read().body();
      b.send(get("v1.example", ""));
      String otherAgain = b.read().body();

      assertThat(first).contains(" src=127.0.0.2:");
      assertThat(other).contains(" src=127.0.0.3:");
      assertThat(conn(first)).isNotEqualTo(conn(other));
      // the same client, the same upstream connection and header; the other client's too
      assertThat(again).isEqualTo(first);
      assertThat(otherAgain).isEqualTo(other);
    }
    assertThat(v1.accepted() - before).isEqualTo(2);
  }

  @Test
  void a_mirror_copy_names_the_primarys_client() throws Exception {
    String source;
    try (RawHttp c = new RawHttp(node.port(), "127.0.0.3")) {
      c.send(get("mirror.example", ""));
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("version=V1");
      source = "127.0.0.3:" + c.socket().getLocalPort();
    }
    Awaitility.await("the copy's header at the mirror")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                v2.seen().stream()
                    .anyMatch(s -> s.source().equals(source) && s.version().equals("V2")));
  }

  @Test
  void a_tcp_health_check_sends_the_header_of_a_check() {
    Awaitility.await("two probes at the endpoint")
        .atMost(Duration.ofSeconds(10))
        .until(() -> checked.seen().size() >= 2);
    assertThat(checked.seen())
        .allSatisfy(
            s -> {
              assertThat(s.version()).isEqualTo("V2");
              assertThat(s.command()).isEqualTo("LOCAL");
            });
    assertThat(checked.refused()).isZero();
  }

  @Test
  void an_http_health_check_sends_the_header_of_a_check_on_a_connection_of_its_own() {
    Awaitility.await("two probes at the endpoint")
        .atMost(Duration.ofSeconds(10))
        .until(() -> httpChecked.seen().size() >= 2);
    assertThat(httpChecked.seen())
        .allSatisfy(
            s -> {
              assertThat(s.version()).isEqualTo("V1");
              assertThat(s.source()).isEqualTo("null:0"); // PROXY UNKNOWN: no addresses
            });
    assertThat(httpChecked.refused()).isZero();
    assertThat(httpChecked.requests()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void a_websocket_gets_a_connection_of_its_own_with_the_header() throws Exception {
    int before = v1.accepted();
    try (RawHttp c = new RawHttp(node.port(), "127.0.0.2")) {
      c.send(
          "GET /ws HTTP/1.1\r\nHost: v1.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(101);
      assertThat(r.header("x-proxy-header"))
          .contains("version=V1")
          .contains(" src=127.0.0.2:" + c.socket().getLocalPort() + " ");
      c.send("ping");
      assertThat(new String(c.socket().getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
          .isEqualTo("ping");
    }
    assertThat(v1.accepted() - before).isEqualTo(1);
  }

  @Test
  void passthrough_sends_the_header_before_the_client_hello() throws Exception {
    try (SSLSocket s = TlsSockets.open(node.httpsPort(), "pt.example")) {
      X509Certificate seen = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(seen.getEncoded()).isEqualTo(backendCert.cert().getEncoded());
      String answer = TlsSockets.get(s, "pt.example", "/");
      assertThat(answer)
          .startsWith("HTTP/1.1 200")
          .contains("version=V2")
          .contains(" src=127.0.0.1:" + s.getLocalPort() + " ")
          .endsWith(" dst=127.0.0.1:" + node.httpsPort());
    }
    assertThat(tlsBackend.refused()).isZero();
  }

  private static String conn(String body) {
    return body.substring(0, body.indexOf(' '));
  }
}
