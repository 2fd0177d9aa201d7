package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.Write;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Certificates stored in the node's table and bound to hosts by routes: served by SNI, renewed
 * without breaking open connections, removed back to the default, a certificate that does not cover
 * its host reported in {@code /status}, and the 421 verdict taken from the certificate the
 * connection's handshake got.
 */
@Timeout(120)
class TableCertificatesIT {
  static Vertx vertx;
  static TestUpstream upstream;
  static NodeFixture node;
  static final List<HttpClientAgent> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.custom(vertx, req -> req.response().end("ok " + req.authority()));
    node = NodeFixture.start(NodeFixture::withHttps);
  }

  static HttpClientAgent newClient() {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setSsl(true)
            .setTrustAll(true)
            .setVerifyHost(false)
            .setForceSni(true)
            .setUseAlpn(true)
            .setProtocolVersion(HttpVersion.HTTP_2));
  }

  @AfterAll
  static void stop() {
    for (HttpClientAgent c : clients) {
      c.close().await();
    }
    node.close();
    upstream.close();
    vertx.close().await();
  }

  static RouteSpec route(String name, List<String> hosts, TlsSpec tls) {
    return NodeFixture.valid(
        RouteSpec.simple(
                RouteKey.of("acme", "api", name),
                hosts,
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", upstream.port()))))
            .withTls(tls));
  }

  static void write(Write... writes) {
    long generation =
        ((io.gatehouse.table.Outcome.Applied) node.node().table().apply(Batch.of(writes)))
            .generation();
    node.awaitGeneration(generation);
  }

  /** A new connection with this SNI name, from a new client (so no TLS session is resumed). */
  static HttpClientConnection connect(String sni) throws Exception {
    HttpClientAgent client = newClient();
    clients.add(client);
    return client
        .connect(
            new HttpConnectOptions()
                .setServer(SocketAddress.inetSocketAddress(node.httpsPort(), "127.0.0.1"))
                .setHost(sni)
                .setPort(node.httpsPort()))
        .await(20, TimeUnit.SECONDS);
  }

  static X509Certificate served(HttpClientConnection c) throws Exception {
    return (X509Certificate) c.sslSession().getPeerCertificates()[0];
  }

  static X509Certificate servedFor(String sni) throws Exception {
    HttpClientConnection c = connect(sni);
    try {
      return served(c);
    } finally {
      c.close().await();
      clients.remove(clients.size() - 1).close().await();
    }
  }

  /** The status of a GET on {@code c} for {@code authority}. */
  static int get(HttpClientConnection c, String authority) throws Exception {
    return c.request(new RequestOptions().setURI("/"))
        .compose(
            r -> {
              r.authority(HostAndPort.create(authority, node.httpsPort()));
              // Nested: body() asked for as the head arrives (LateResponseBodyIT).
              return r.send().compose(resp -> resp.body().map(b -> resp.statusCode()));
            })
        .await(20, TimeUnit.SECONDS);
  }

  static JsonObject status() throws Exception {
    return new JsonObject(get("/status"));
  }

  /**
   * A GET on the status listener. body() is asked for as the head arrives: attached later from this
   * thread, it could miss an end that already arrived and never complete (LateResponseBodyIT).
   */
  static String get(String path) throws Exception {
    HttpClientAgent plain = vertx.createHttpClient();
    try {
      return plain
          .request(
              new RequestOptions().setHost("127.0.0.1").setPort(node.statusPort()).setURI(path))
          .compose(r -> r.send().compose(resp -> resp.body()))
          .map(b -> b.toString())
          .await(20, TimeUnit.SECONDS);
    } finally {
      plain.close().await();
    }
  }

  static List<String> problems() throws Exception {
    JsonArray a = status().getJsonArray("problems");
    return a.stream().map(o -> ((JsonObject) o).getString("reason")).toList();
  }

  static X509Certificate leaf(CertificateSpec spec) {
    return TestCertificates.validate(spec).leaf();
  }

  @Test
  void a_table_certificate_is_served_renewed_without_breaking_open_connections_and_removed()
      throws Exception {
    CertificateSpec first = TestCertificates.spec("acme", "www", "www.acme.example");
    write(
        Write.put(first),
        Write.put(
            route(
                "www",
                List.of("www.acme.example"),
                TlsSpec.of(List.of("www.acme.example"), "www"))));
    Awaitility.await("the table certificate is served")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> servedFor("www.acme.example").equals(leaf(first)));

    HttpClientConnection open = connect("www.acme.example");
    assertThat(get(open, "www.acme.example")).isEqualTo(200);

    CertificateSpec renewed = TestCertificates.spec("acme", "www", "www.acme.example");
    write(Write.put(renewed));
    Awaitility.await("new connections get the renewed certificate")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> servedFor("www.acme.example").equals(leaf(renewed)));
    assertThat(get(open, "www.acme.example")).isEqualTo(200);
    assertThat(served(open)).isEqualTo(leaf(first));
    open.close().await();

    write(Write.delete(EntryKey.certificate(first.key())));
    Awaitility.await("without the certificate the default is served")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                servedFor("www.acme.example")
                    .getSubjectX500Principal()
                    .getName()
                    .contains("Gatehouse default certificate"));
    assertThat(problems())
        .contains(
            "certificate acme/www does not exist; hosts [www.acme.example] get the default certificate");
    String statusText = status().encode();
    assertThat(statusText).doesNotContain(TestCertificates.keyText(first));
    assertThat(statusText).doesNotContain(TestCertificates.keyText(renewed));
  }

  @Test
  void a_certificate_that_does_not_cover_its_host_is_not_served_and_the_problem_is_shown()
      throws Exception {
    CertificateSpec other = TestCertificates.spec("acme", "other", "other.acme.example");
    write(
        Write.put(other),
        Write.put(
            route(
                "wrong",
                List.of("wrong.acme.example"),
                TlsSpec.of(List.of("wrong.acme.example"), "other"))));
    Awaitility.await("the problem is in /status")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                problems()
                    .contains(
                        "certificate acme/other (SANs: [other.acme.example]) does not cover host"
                            + " wrong.acme.example; it gets the default certificate"));
    assertThat(servedFor("wrong.acme.example").getSubjectX500Principal().getName())
        .contains("Gatehouse default certificate");
    assertThat(status().encode()).doesNotContain(TestCertificates.keyText(other));
  }

  @Test
  void the_421_verdict_follows_the_certificate_the_handshake_got() throws Exception {
    CertificateSpec both =
        TestCertificates.spec("acme", "pair", "a.acme.example", "b.acme.example");
    write(
        Write.put(both),
        Write.put(
            route(
                "pair",
                List.of("a.acme.example", "b.acme.example"),
                TlsSpec.of(List.of("a.acme.example", "b.acme.example"), "pair"))));
    Awaitility.await("the pair certificate is served")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> servedFor("a.acme.example").equals(leaf(both)));
    HttpClientConnection coalesced = connect("a.acme.example");
    assertThat(get(coalesced, "b.acme.example")).isEqualTo(200);

    // Renewed without b: the open connection's certificate still covers b, a new one's does not.
    CertificateSpec onlyA = TestCertificates.spec("acme", "pair", "a.acme.example");
    write(Write.put(onlyA));
    Awaitility.await("the narrower certificate is served")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> servedFor("a.acme.example").equals(leaf(onlyA)));
    assertThat(get(coalesced, "b.acme.example")).isEqualTo(200);
    coalesced.close().await();

    HttpClientConnection fresh = connect("a.acme.example");
    try {
      assertThat(get(fresh, "b.acme.example")).isEqualTo(421);
      assertThat(get(fresh, "a.acme.example")).isEqualTo(200);
    } finally {
      fresh.close().await();
    }
  }

  @Test
  void metrics_show_the_generated_default_fallbacks_expiry_and_the_served_generation()
      throws Exception {
    CertificateSpec soon =
        TestCertificates.spec(
            CertificateKey.of("acme", "soon"),
            java.time.Instant.now().plus(Duration.ofDays(3)),
            "soon.acme.example");
    write(
        Write.put(soon),
        Write.put(
            route(
                "soon",
                List.of("soon.acme.example"),
                TlsSpec.of(List.of("soon.acme.example"), "soon"))),
        Write.put(
            route(
                "unserved",
                List.of("unserved.acme.example"),
                TlsSpec.of(List.of("unserved.acme.example"), "absent"))));
    Awaitility.await("the expiring certificate is served")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> servedFor("soon.acme.example").equals(leaf(soon)));
    servedFor("unserved.acme.example");
    servedFor("unserved.acme.example");
    servedFor("nobody-serves-this.example");

    String metrics = get("/metrics");
    assertThat(metrics).contains("gatehouse_tls_default_certificate_self_signed 1.0");
    assertThat(metrics)
        .contains(
            "gatehouse_tls_default_certificate_fallbacks_total{host=\"unserved.acme.example\"} 2.0")
        .doesNotContain("nobody-serves-this.example");
    assertThat(metrics)
        .contains(
            "gatehouse_tls_certificate_expiry_days{certificate=\"acme/soon\",source=\"table\"} 2.0");
    assertThat(metrics).containsPattern("gatehouse_tls_certificates_expiring_soon [1-9]");
    assertThat(metrics)
        .containsPattern(
            "gatehouse_snapshot_generation " + node.node().snapshots().get().generation() + "\\.0");
    assertThat(metrics).doesNotContain(TestCertificates.keyText(soon));

    JsonObject entry =
        status().getJsonArray("certificates").stream()
            .map(JsonObject.class::cast)
            .filter(c -> c.getString("name").equals("acme/soon"))
            .findFirst()
            .orElseThrow();
    assertThat(entry.getString("tenant")).isEqualTo("acme");
    assertThat(entry.getJsonArray("dnsNames").getList()).containsExactly("soon.acme.example");
    assertThat(entry.getLong("daysLeft")).isEqualTo(2);
    assertThat(entry.getString("source")).isEqualTo("table");
    assertThat(entry.getBoolean("expiringSoon")).isTrue();
    assertThat(entry.getString("notAfter"))
        .isEqualTo(TestCertificates.validate(soon).notAfter().toString());
    assertThat(status().encode()).doesNotContain(TestCertificates.keyText(soon));
  }
}
