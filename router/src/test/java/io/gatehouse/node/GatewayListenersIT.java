package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.certificate.DefaultCertificate;
import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.Write;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TrustAll;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #17 phase 2 on a real node: the Gateway listeners of the table are bound on their own
 * addresses, each serves only its own routes, the node's own listener serves neither, a removed
 * listener stops accepting, and one outside the pool is never bound and is reported. An HTTPS
 * socket passes its own Gateway's TLS passthrough names through (TLSRoute).
 *
 * <p>Ports: a Gateway names its port, so the model has no port 0, and the node allows only the
 * ports of {@code kubernetes.gatewayPorts}. The test takes two addresses of 127.0.1.0/24 (all of
 * 127/8 is on loopback) that no other test uses, finds a free port on each by binding it with port
 * 0 and closing it, and starts the node allowing exactly those ports. The window between closing
 * and the node's bind is the usual one of such tests; the addresses make a collision with the
 * 127.0.0.1 listeners of other tests impossible.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayListenersIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ListenerKey WEB = ListenerKey.of("team-a", "k8s", "gateway/team-a/web/80");
  private static final ListenerKey SHOP = ListenerKey.of("team-b", "k8s", "gateway/team-b/shop/80");
  private static final ListenerKey OUTSIDE = ListenerKey.of("team-c", "k8s", "gateway/team-c/x/80");
  private static final ListenerKey WRONG_PORT =
      ListenerKey.of("team-c", "k8s", "gateway/team-c/y/81");

  private Vertx vertx;
  private TestUpstream web;
  private TestUpstream shop;
  private NodeFixture node;
  private String webAddress;
  private String shopAddress;
  private int webPort;
  private int shopPort;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    web = TestUpstream.named(vertx, "web");
    shop = TestUpstream.named(vertx, "shop");
    int base = ThreadLocalRandom.current().nextInt(2, 250);
    webAddress = "127.0.1." + base;
    shopAddress = "127.0.1." + (base + 1);
    webPort = freePort(webAddress);
    shopPort = freePort(shopAddress);
    node = gatewayNode(webPort, shopPort);
  }

  /** A node with HTTPS, the pool 127.0.1.0/24 and exactly {@code ports} for Gateway sockets. */
  static NodeFixture gatewayNode(Integer... ports) throws Exception {
    return NodeFixture.start(
        c ->
            NodeFixture.withHttps(c)
                .withKubernetes(
                    c.kubernetes().withGatewayAddresses(List.of("127.0.1.0/24"), List.of(ports))));
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    web.close();
    shop.close();
    vertx.close().await();
  }

  static int freePort(String address) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(address, 0));
      return s.getLocalPort();
    }
  }

  private static RouteSpec route(String name, ListenerKey listener, TestUpstream to) {
    return NodeFixture.valid(spec(name, listener, "app.test", to.port()));
  }

  /** A route for {@code host} on {@code listener} to {@code 127.0.0.1:port}, not validated. */
  static RouteSpec spec(String name, ListenerKey listener, String host, int port) {
    return RouteSpec.simple(
            RouteKey.of(listener.tenant().value(), "k8s", name),
            List.of(host),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", port))))
        .withListener(listener);
  }

  @Test
  void each_listener_serves_its_own_routes_alone_and_stops_when_removed() throws Exception {
    ListenerSpec webListener = new ListenerSpec(WEB, webAddress, webPort, ListenerProtocol.HTTP);
    ListenerSpec shopListener =
        new ListenerSpec(SHOP, shopAddress, shopPort, ListenerProtocol.HTTP);
    // the two outside what the node allows: another address range, a port not listed
    ListenerSpec outside = new ListenerSpec(OUTSIDE, "127.0.2.1", webPort, ListenerProtocol.HTTP);
    ListenerSpec wrongPort =
        new ListenerSpec(WRONG_PORT, webAddress, freePort(webAddress), ListenerProtocol.HTTP);
    node.node()
        .table()
        .apply(
            Batch.of(
                Write.put(webListener),
                Write.put(shopListener),
                Write.put(outside),
                Write.put(wrongPort),
                Write.put(route("web", WEB, web)),
                Write.put(route("shop", SHOP, shop)),
                Write.put(route("outside", OUTSIDE, web))));

    await("the web listener answers")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(webAddress, webPort).body().equals("web"));
    await("the shop listener answers")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(shopAddress, shopPort).body().equals("shop"));

    // each socket reaches its own route only, for the same host
    for (int i = 0; i < 5; i++) {
      assertThat(get(webAddress, webPort)).isEqualTo(new Answer(200, "web"));
      assertThat(get(shopAddress, shopPort)).isEqualTo(new Answer(200, "shop"));
    }
    // the node's own listener serves neither Gateway's route: the default backend's 404
    assertThat(get("127.0.0.1", node.port()).status()).isEqualTo(404);

    // the listeners the node does not allow are never bound, and reported
    assertThatThrownBy(() -> get("127.0.2.1", webPort)).isInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> get(webAddress, wrongPort.port()))
        .isInstanceOf(ConnectException.class);
    JsonArray listeners = status().getJsonArray("listeners");
    assertThat(listeners.size()).isEqualTo(4);
    assertThat(state(listeners, WEB).getString("state")).isEqualTo("bound");
    assertThat(state(listeners, SHOP).getString("state")).isEqualTo("bound");
    assertThat(state(listeners, OUTSIDE).getString("state")).isEqualTo("refused");
    assertThat(state(listeners, OUTSIDE).getString("reason"))
        .contains("127.0.2.1")
        .contains("kubernetes.gatewayAddresses");
    assertThat(state(listeners, WRONG_PORT).getString("state")).isEqualTo("refused");
    assertThat(state(listeners, WRONG_PORT).getString("reason"))
        .contains("kubernetes.gatewayPorts");

    // the web listener leaves the table: its socket stops accepting, the shop one serves on
    node.node().table().apply(Batch.of(Write.delete(EntryKey.listener(WEB))));
    // while it shuts down a connection may still be accepted and reset: only a refusal counts
    await("the web listener is closed")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> refused(webAddress, webPort));
    assertThat(get(shopAddress, shopPort)).isEqualTo(new Answer(200, "shop"));
    await("the web listener is gone from the status")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> status().getJsonArray("listeners").size() == 3);
  }

  @Test
  void a_socket_given_to_another_listener_while_the_old_one_drains_is_served_by_the_new_one()
      throws Exception {
    ListenerSpec first = new ListenerSpec(WEB, webAddress, webPort, ListenerProtocol.HTTP);
    node.node().table().apply(Batch.of(Write.put(first), Write.put(route("web", WEB, web))));
    await("the first listener answers")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(webAddress, webPort).body().equals("web"));
    // an idle connection keeps the old listener draining while the socket changes hands
    try (Socket idle = new Socket()) {
      idle.connect(new InetSocketAddress(webAddress, webPort), 2000);
      node.node()
          .table()
          .apply(
              Batch.of(
                  Write.delete(EntryKey.listener(WEB)),
                  Write.delete(EntryKey.route(RouteKey.of("team-a", "k8s", "web")))));
      await("the first listener stops accepting")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .ignoreExceptions()
          .until(() -> refused(webAddress, webPort));
      // the next Gateway gets the deleted one's address at once (the pool's lowest free one)
      ListenerSpec next = new ListenerSpec(SHOP, webAddress, webPort, ListenerProtocol.HTTP);
      node.node().table().apply(Batch.of(Write.put(next), Write.put(route("shop", SHOP, shop))));
      await("the next listener answers on the same socket")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .ignoreExceptions()
          .until(() -> get(webAddress, webPort).body().equals("shop"));
    }
    await("the next listener is bound")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              JsonArray listeners = status().getJsonArray("listeners");
              return listeners.size() == 1
                  && state(listeners, SHOP).getString("state").equals("bound");
            });
    for (int i = 0; i < 3; i++) {
      assertThat(get(webAddress, webPort)).isEqualTo(new Answer(200, "shop"));
    }
  }

  @Test
  void an_https_listener_terminates_with_the_hosts_table_certificate_and_serves_its_routes()
      throws Exception {
    CertificateSpec cert = TestCertificates.spec("team-a", "app", "app.test");
    ListenerSpec secure = new ListenerSpec(WEB, webAddress, webPort, ListenerProtocol.HTTPS);
    RouteSpec routed = route("web", WEB, web).withTls(TlsSpec.of(List.of("app.test"), "app"));
    node.node().table().apply(Batch.of(Write.put(cert)));
    node.node().table().apply(Batch.of(Write.put(secure), Write.put(NodeFixture.valid(routed))));
    X509Certificate expected = TestCertificates.validate(cert).leaf();
    await("the HTTPS listener answers with the host's certificate")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> tls(webAddress, webPort).equals(expected));
    // the node's own HTTPS listener does not serve the Gateway's route
    assertThat(getTls("127.0.0.1", node.httpsPort()).status()).isEqualTo(404);
    assertThat(getTls(webAddress, webPort)).isEqualTo(new Answer(200, "web"));
  }

  @Test
  void an_https_listener_answers_a_name_no_certificate_covers_with_its_own_certificate()
      throws Exception {
    // the Gateway's listener without a hostname names its Secret, which no route binds to a host
    CertificateSpec cert = TestCertificates.spec("team-a", "k8s.gateway.team-a.web", "app.test");
    ListenerSpec secure =
        new ListenerSpec(WEB, webAddress, webPort, ListenerProtocol.HTTPS, cert.key());
    node.node()
        .table()
        .apply(Batch.of(Write.put(cert), Write.put(secure), Write.put(route("web", WEB, web))));
    X509Certificate expected = TestCertificates.validate(cert).leaf();
    await("the HTTPS listener answers an uncovered name with its own certificate")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> tls(webAddress, webPort, "example.org").equals(expected));
    assertThat(tls(webAddress, webPort, null)).isEqualTo(expected);
    // the node's own HTTPS listener answers the same names with the node's default, as before
    assertThat(dnsNames(tls("127.0.0.1", node.httpsPort(), "example.org")))
        .contains(DefaultCertificate.NAME);
    assertThat(dnsNames(tls("127.0.0.1", node.httpsPort(), null)))
        .contains(DefaultCertificate.NAME);

    // the Secret goes: the listener falls back to the node's default, nothing half-served
    node.node().table().apply(Batch.of(Write.delete(EntryKey.of(cert))));
    await("without its certificate the listener answers with the node's default")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () ->
                dnsNames(tls(webAddress, webPort, "example.org"))
                    .contains(DefaultCertificate.NAME));
  }

  /**
   * TLS passthrough on Gateway sockets (TLSRoute): two Gateways pass the same SNI name through,
   * each to its own backend, whose own certificate the client sees; a name neither passes through
   * (or none) is refused on a socket that terminates nothing, and the node's own HTTPS listener
   * passes neither Gateway's name through.
   */
  @Test
  void each_tls_socket_passes_its_own_gateways_names_through_to_its_backend() throws Exception {
    TestPki.Issued aCert = backendCertificate();
    TestPki.Issued bCert = backendCertificate();
    TestUpstream a = TestUpstream.tls(vertx, "backend-a", aCert.certPem(), aCert.keyPem());
    TestUpstream b = TestUpstream.tls(vertx, "backend-b", bCert.certPem(), bCert.keyPem());
    try {
      node.node()
          .table()
          .apply(
              Batch.of(
                  Write.put(new ListenerSpec(WEB, webAddress, webPort, ListenerProtocol.HTTPS)),
                  Write.put(new ListenerSpec(SHOP, shopAddress, shopPort, ListenerProtocol.HTTPS)),
                  Write.put(passthrough("web-db", WEB, a.port())),
                  Write.put(passthrough("shop-db", SHOP, b.port()))));
      await("the web socket passes db.test through")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .ignoreExceptions()
          .until(() -> Arrays.equals(tls(webAddress, webPort, "db.test").getEncoded(), der(aCert)));
      await("the shop socket passes db.test through")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .ignoreExceptions()
          .until(
              () -> Arrays.equals(tls(shopAddress, shopPort, "db.test").getEncoded(), der(bCert)));
      for (int i = 0; i < 3; i++) {
        assertThat(passedGet(webAddress, webPort, aCert)).isEqualTo(new Answer(200, "backend-a"));
        assertThat(passedGet(shopAddress, shopPort, bCert)).isEqualTo(new Answer(200, "backend-b"));
      }
      // the backend ended the client's TLS itself and read the request the client wrote
      assertThat(a.take().header("host")).isEqualTo("db.test");
      // a socket with passthrough routes alone terminates nothing: other names, and none, are
      // closed before any TLS answer (an end of stream, not an alert)
      assertThatThrownBy(() -> tls(webAddress, webPort, "nope.test"))
          .isInstanceOf(SSLException.class)
          .hasMessageNotContaining("unrecognized_name");
      assertThatThrownBy(() -> tls(shopAddress, shopPort, null))
          .isInstanceOf(SSLException.class)
          .hasMessageNotContaining("unrecognized_name");
      // the node's own HTTPS listener has no passthrough route: it terminates, with its default
      assertThat(dnsNames(tls("127.0.0.1", node.httpsPort(), "db.test")))
          .contains(DefaultCertificate.NAME);
    } finally {
      a.close();
      b.close();
    }
  }

  /** A TLS passthrough route for db.test on {@code listener} to {@code 127.0.0.1:port}. */
  private static RouteSpec passthrough(String name, ListenerKey listener, int port) {
    return NodeFixture.valid(
        spec(name, listener, "db.test", port).withTls(TlsSpec.passthrough(List.of())));
  }

  /** A backend's own self-signed certificate for db.test, unlike any other. */
  private static TestPki.Issued backendCertificate() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return TestPki.selfSigned(
        "db.test",
        List.of("db.test"),
        now.minus(1, ChronoUnit.HOURS),
        now.plus(1, ChronoUnit.DAYS));
  }

  private static byte[] der(TestPki.Issued cert) throws Exception {
    return cert.cert().getEncoded();
  }

  /** A request through a passed-through connection, checking the backend's own certificate. */
  private static Answer passedGet(String address, int port, TestPki.Issued expected)
      throws Exception {
    try (SSLSocket s = tlsSocket(address, port, "db.test")) {
      assertThat(s.getSession().getPeerCertificates()[0].getEncoded()).isEqualTo(der(expected));
      return exchange(s, "/", "db.test");
    }
  }

  /** The certificate's DNS names (the node's default has {@code gatehouse.invalid}). */
  private static List<String> dnsNames(X509Certificate c) throws Exception {
    return c.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
  }

  private static SSLSocket tlsSocket(String address, int port) throws Exception {
    return tlsSocket(address, port, "app.test");
  }

  /** A handshake sending {@code sni}, or no SNI for null. */
  private static SSLSocket tlsSocket(String address, int port, @Nullable String sni)
      throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(address, port);
    s.setSoTimeout(5000);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  private static X509Certificate tls(String address, int port) throws Exception {
    return tls(address, port, "app.test");
  }

  private static X509Certificate tls(String address, int port, @Nullable String sni)
      throws Exception {
    try (SSLSocket s = tlsSocket(address, port, sni)) {
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  private static Answer getTls(String address, int port) throws Exception {
    try (SSLSocket s = tlsSocket(address, port)) {
      return exchange(s, "/", "app.test");
    }
  }

  private static JsonObject state(JsonArray listeners, ListenerKey key) {
    for (int i = 0; i < listeners.size(); i++) {
      JsonObject l = listeners.getJsonObject(i);
      if (l.getString("listener").equals(key.toString())) {
        return l;
      }
    }
    throw new AssertionError(key + " not in " + listeners.encode());
  }

  private JsonObject status() throws IOException {
    return new JsonObject(request("127.0.0.1", node.statusPort(), "/status", "127.0.0.1").body());
  }

  private static boolean refused(String address, int port) throws IOException {
    try {
      get(address, port);
      return false;
    } catch (ConnectException e) {
      return true;
    }
  }

  record Answer(int status, String body) {}

  private static Answer get(String address, int port) throws IOException {
    return request(address, port, "/", "app.test");
  }

  /** One HTTP/1.1 request on a fresh connection, read to its close. */
  private static Answer request(String address, int port, String path, String host)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 2000);
      s.setSoTimeout(5000);
      return exchange(s, path, host);
    }
  }

  static Answer exchange(Socket s, String path, String host) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    int status = Integer.parseInt(text.substring(9, 12));
    int bodyAt = text.indexOf("\r\n\r\n");
    String head = bodyAt < 0 ? text : text.substring(0, bodyAt);
    String body = bodyAt < 0 ? "" : text.substring(bodyAt + 4);
    boolean chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
    return new Answer(status, chunked ? dechunk(body) : body);
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int eol = body.indexOf("\r\n", at);
      int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(body, eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
  }
}
