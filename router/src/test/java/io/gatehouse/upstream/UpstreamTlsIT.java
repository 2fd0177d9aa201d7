package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Backends reached over HTTPS, each test with its own CA: verification against the route's CA
 * bundle and host name, a server-name override, a client certificate, h2 by ALPN, and keep-alive
 * reuse. A failed handshake is a plain 502 that names nothing internal, and no key reaches a log.
 */
@Timeout(60)
class UpstreamTlsIT {
  static Vertx vertx;
  static NodeFixture node;
  static HttpClientAgent client;
  static final AtomicInteger NEXT = new AtomicInteger();

  private TestUpstream upstream;
  private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  private ListAppender<ILoggingEvent> logs;

  /** What the upstream saw of a request's connection. */
  record Seen(String sni, String clientSubject, HttpVersion version) {}

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    node = NodeFixture.start();
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  }

  @AfterAll
  static void stop() {
    client.close().await();
    node.close();
    vertx.close().await();
  }

  @BeforeEach
  void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterEach
  void closeUpstream() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * An HTTPS upstream with {@code cert}; {@code clientCa} non-null requires client certificates.
   */
  private void httpsUpstream(TestPki.Issued cert, TestPki clientCa, boolean h2) {
    HttpServerOptions o =
        new HttpServerOptions()
            .setSsl(true)
            .setSni(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(cert.chainPem()))
                    .setKeyValue(Buffer.buffer(cert.keyPem())));
    if (clientCa != null) {
      o.setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clientCa.caPem())));
    }
    if (h2) {
      o.setUseAlpn(true);
    }
    upstream =
        TestUpstream.custom(
            vertx,
            o,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          String subject = null;
                          try {
                            if (req.isSSL()) {
                              subject =
                                  ((X509Certificate) req.connection().peerCertificates().get(0))
                                      .getSubjectX500Principal()
                                      .getName();
                            }
                          } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                            subject = null;
                          }
                          seen.add(
                              new Seen(
                                  req.connection().indicatedServerName(), subject, req.version()));
                          req.response().end("secure");
                        }));
  }

  /** Puts a route for a fresh host to the upstream over {@code tls}; returns the host. */
  private String route(UpstreamTls tls, UpstreamProtocol protocol) {
    String host = "up" + NEXT.incrementAndGet() + ".example";
    RouteSpec r = NodeFixture.route("up-" + NEXT.get(), host, upstream.address());
    node.put(
        NodeFixture.valid(r.withBackend(new BackendSpec(protocol, r.backend().endpoints(), tls))));
    return host;
  }

  private record Answer(int status, String body) {}

  private Answer get(String host) throws Exception {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(node.port())
                .setURI("/")
                .putHeader("host", host))
        // Nested: body() asked for as the head arrives (LateResponseBodyIT).
        .compose(
            r ->
                r.send()
                    .compose(
                        resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString()))))
        .await(20, TimeUnit.SECONDS);
  }

  private Seen seen() throws InterruptedException {
    Seen s = seen.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("the upstream saw a request").isNotNull();
    return s;
  }

  private void assertBadGatewayLeaksNothing(Answer a) {
    assertThat(a.status()).isEqualTo(502);
    assertThat(a.body())
        .contains("502 Bad Gateway")
        .doesNotContainIgnoringCase("ssl")
        .doesNotContainIgnoringCase("certificate")
        .doesNotContain("PKIX")
        .doesNotContain("127.0.0.1")
        .doesNotContain(Integer.toString(upstream.port()));
  }

  private void assertNoLogHolds(String fragment) {
    for (ILoggingEvent e : logs.list) {
      assertThat(e.getFormattedMessage()).doesNotContain(fragment);
      if (e.getThrowableProxy() != null) {
        assertThat(e.getThrowableProxy().getMessage()).doesNotContain(fragment);
      }
    }
  }

  @Test
  void an_upstream_with_a_certificate_from_the_route_ca_is_reached() throws Exception {
    TestPki ca = TestPki.ca("upstream CA");
    httpsUpstream(ca.server(List.of(), List.of("127.0.0.1")), null, false);
    String host = route(UpstreamTls.withCa(ca.caPem()), UpstreamProtocol.HTTP1);
    Answer a = get(host);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo("secure");
    Seen s = seen();
    assertThat(s.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(s.sni()).as("no SNI for an IP address").isNull();
  }

  @Test
  void a_certificate_from_another_ca_is_a_bad_gateway() throws Exception {
    TestPki ca = TestPki.ca("route CA");
    TestPki other = TestPki.ca("other CA");
    httpsUpstream(other.server(List.of(), List.of("127.0.0.1")), null, false);
    String host = route(UpstreamTls.withCa(ca.caPem()), UpstreamProtocol.HTTP1);
    assertBadGatewayLeaksNothing(get(host));
    assertThat(seen).isEmpty();
  }

  @Test
  void the_jdk_trust_store_refuses_a_private_ca() throws Exception {
    TestPki ca = TestPki.ca("private CA");
    httpsUpstream(ca.server(List.of(), List.of("127.0.0.1")), null, false);
    String host = route(UpstreamTls.DEFAULT, UpstreamProtocol.HTTP1);
    assertBadGatewayLeaksNothing(get(host));
  }

  @Test
  void a_host_name_mismatch_is_a_bad_gateway_unless_a_server_name_is_set() throws Exception {
    TestPki ca = TestPki.ca("named CA");
    httpsUpstream(ca.server(List.of("backend.internal"), List.of()), null, false);
    String mismatch = route(UpstreamTls.withCa(ca.caPem()), UpstreamProtocol.HTTP1);
    assertBadGatewayLeaksNothing(get(mismatch));

    String named =
        route(
            UpstreamTls.withCa(ca.caPem()).withServerName("backend.internal"),
            UpstreamProtocol.HTTP1);
    Answer a = get(named);
    assertThat(a.status()).isEqualTo(200);
    assertThat(seen().sni()).isEqualTo("backend.internal");
  }

  @Test
  void subject_alt_names_replace_the_host_name_check_and_the_chain_is_still_checked()
      throws Exception {
    TestPki ca = TestPki.ca("san CA");
    httpsUpstream(
        ca.serverWithUris(List.of("abc.example.com"), List.of("spiffe://abc.example.com/id")),
        null,
        false);
    // the SNI name is not in the certificate: the names checked instead are
    UpstreamTls tls = UpstreamTls.withCa(ca.caPem()).withServerName("sni.example.com");
    String dns = sanRoute(tls.withSubjectAltNames(List.of("DNS:ABC.example.com")));
    assertThat(get(dns).status()).isEqualTo(200);
    assertThat(seen().sni()).isEqualTo("sni.example.com");
    String uri =
        sanRoute(
            tls.withSubjectAltNames(
                List.of("DNS:def.example.com", "URI:spiffe://abc.example.com/id")));
    assertThat(get(uri).status()).isEqualTo(200);
    seen();

    assertBadGatewayLeaksNothing(
        get(sanRoute(tls.withSubjectAltNames(List.of("DNS:def.example.com")))));
    assertBadGatewayLeaksNothing(
        get(sanRoute(tls.withSubjectAltNames(List.of("URI:spiffe://def.example.com/id")))));
    // a name that matches does not excuse a chain of another CA
    TestPki other = TestPki.ca("other san CA");
    assertBadGatewayLeaksNothing(
        get(
            sanRoute(
                UpstreamTls.withCa(other.caPem())
                    .withServerName("sni.example.com")
                    .withSubjectAltNames(List.of("DNS:abc.example.com")))));
    assertThat(seen).isEmpty();
  }

  /** A Kubernetes route (the only source subject alternative names come from) over {@code tls}. */
  private String sanRoute(UpstreamTls tls) {
    String host = "up" + NEXT.incrementAndGet() + ".example";
    RouteSpec r = NodeFixture.route("up-" + NEXT.get(), host, upstream.address());
    node.put(
        NodeFixture.valid(
            RouteSpec.simple(
                RouteKey.of("default", "k8s", "san-" + NEXT.get()),
                r.hosts(),
                r.paths(),
                new BackendSpec(UpstreamProtocol.HTTP1, r.backend().endpoints(), tls))));
    return host;
  }

  @Test
  void skipping_verification_must_be_explicit_and_is_logged() throws Exception {
    TestPki ca = TestPki.ca("unknown CA");
    httpsUpstream(ca.server(List.of("elsewhere.internal"), List.of()), null, false);
    String host = route(new UpstreamTls(null, true, null, true, null), UpstreamProtocol.HTTP1);
    assertThat(get(host).status()).isEqualTo(200);
    assertThat(logs.list)
        .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("insecureSkipVerify"));
  }

  @Test
  void a_client_certificate_is_presented_when_configured() throws Exception {
    TestPki ca = TestPki.ca("server CA");
    TestPki clientCa = TestPki.ca("client CA");
    TestPki.Issued gatehouse = clientCa.client("CN=gatehouse,O=Edge");
    httpsUpstream(ca.server(List.of(), List.of("127.0.0.1")), clientCa, false);

    String without = route(UpstreamTls.withCa(ca.caPem()), UpstreamProtocol.HTTP1);
    assertBadGatewayLeaksNothing(get(without));

    String with =
        route(
            UpstreamTls.withCa(ca.caPem())
                .withClientCertificate(
                    new KeyCertPem(gatehouse.chainPem(), new PrivateKeyPem(gatehouse.keyPem()))),
            UpstreamProtocol.HTTP1);
    Answer a = get(with);
    assertThat(a.status()).isEqualTo(200);
    assertThat(seen().clientSubject()).isEqualTo(gatehouse.subject());
    assertNoLogHolds(gatehouse.keyFragment());
    assertThat(a.body()).doesNotContain(gatehouse.keyFragment());
  }

  @Test
  void tls_connections_are_kept_alive_and_reused() throws Exception {
    TestPki ca = TestPki.ca("keep-alive CA");
    httpsUpstream(ca.server(List.of(), List.of("127.0.0.1")), null, false);
    String host = route(UpstreamTls.withCa(ca.caPem()), UpstreamProtocol.HTTP1);
    for (int i = 0; i < 5; i++) {
      assertThat(get(host).status()).isEqualTo(200);
      seen();
    }
    assertThat(upstream.connections()).isEqualTo(1);
  }

  @Test
  void plain_and_tls_backends_on_one_endpoint_use_separate_connections() throws Exception {
    TestPki ca = TestPki.ca("split CA");
    httpsUpstream(ca.server(List.of(), List.of("127.0.0.1")), null, false);
    String tls = route(UpstreamTls.withCa(ca.caPem()), UpstreamProtocol.HTTP1);
    String plain = route(null, UpstreamProtocol.HTTP1);
    assertThat(get(tls).status()).isEqualTo(200);
    seen();
    // A plain request to a TLS port never borrows the TLS connection: it fails on its own.
    assertThat(get(plain).status()).isIn(400, 502);
    assertThat(get(tls).status()).isEqualTo(200);
    seen();
  }

  @Test
  void h2_is_negotiated_over_tls() throws Exception {
    TestPki ca = TestPki.ca("h2 CA");
    httpsUpstream(ca.server(List.of(), List.of("127.0.0.1")), null, true);
    String host = route(UpstreamTls.withCa(ca.caPem()), UpstreamProtocol.H2);
    for (int i = 0; i < 3; i++) {
      assertThat(get(host).status()).isEqualTo(200);
      assertThat(seen().version()).isEqualTo(HttpVersion.HTTP_2);
    }
    assertThat(upstream.connections()).isEqualTo(1);
  }
}
