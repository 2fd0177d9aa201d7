package io.gatehouse.tls;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routes with a {@code tls} spec: plain HTTP is redirected to HTTPS (except ACME challenges), and
 * HTTPS responses carry the route's HSTS header. Routes without one are served on both listeners as
 * before. The node serves only the generated default certificate; the client trusts all.
 */
@Timeout(60)
class TlsRoutesIT {
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;
  static HttpClientAgent plain;
  static HttpClientAgent https;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "upstream");
    node =
        NodeFixture.start(
            NodeFixture::withHttps,
            NodeFixture.valid(
                route("secure", "a.example", up.address())
                    .withTls(
                        new TlsSpec(
                            List.of(),
                            "www",
                            HttpsRedirect.DEFAULT,
                            Hsts.of(Duration.ofDays(365), true, false)))),
            NodeFixture.valid(
                route("temporary", "t.example", up.address())
                    .withTls(
                        new TlsSpec(
                            List.of(), "www", HttpsRedirect.TEMPORARY_REDIRECT_307, Hsts.OFF))),
            route("open", "b.example", up.address()));
    // One connection per plain request: each test looks at one answer on its own;
    // a_kept_alive_plain_connection_serves_on_after_redirects covers keep-alive.
    plain = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    https =
        vertx.createHttpClient(
            new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
  }

  @AfterAll
  static void stop() {
    plain.close().await();
    https.close().await();
    node.close();
    up.close();
    vertx.close().await();
  }

  record Answer(int status, MultiMap headers, String body) {}

  private static Answer send(boolean tls, HttpMethod method, String host, String uri)
      throws Exception {
    // Plain requests go to 127.0.0.1 with a Host header, as in the other ITs; HTTPS needs the
    // name as the request host so that the client sends it as SNI.
    RequestOptions o =
        tls
            ? new RequestOptions()
                .setServer(SocketAddress.inetSocketAddress(node.httpsPort(), "127.0.0.1"))
                .setHost(host)
                .setPort(node.httpsPort())
            : new RequestOptions()
                .setHost("127.0.0.1")
                .setPort(node.port())
                .putHeader("host", host + ":" + node.port());
    o.setMethod(method).setURI(uri);
    // body() is asked for in the callback that delivers the head: attached later from this thread,
    // it can miss an end that already arrived and never complete (LateResponseBodyIT).
    return (tls ? https : plain)
        .request(o)
        .compose(
            r ->
                r.send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        new Answer(
                                            resp.statusCode(), resp.headers(), b.toString()))))
        .await(20, TimeUnit.SECONDS);
  }

  @Test
  void plain_http_to_a_tls_route_is_redirected_with_path_and_query() throws Exception {
    Answer r = send(false, HttpMethod.GET, "a.example", "/p/q?x=1");
    assertThat(r.status()).isEqualTo(308);
    assertThat(r.headers().get("location"))
        .isEqualTo("https://a.example:" + node.httpsPort() + "/p/q?x=1");
    assertThat(r.headers().get("content-length")).isEqualTo("0");
    assertThat(r.headers().get("strict-transport-security")).isNull();
    assertThat(up.receivedNothing()).isTrue();
  }

  @org.junit.jupiter.api.RepeatedTest(20)
  void a_kept_alive_plain_connection_serves_on_after_redirects() throws Exception {
    try (io.gatehouse.testing.RawHttp raw = new io.gatehouse.testing.RawHttp(node.port())) {
      for (int i = 0; i < 3; i++) {
        raw.send("GET /r" + i + " HTTP/1.1\r\nHost: a.example\r\n\r\n");
        io.gatehouse.testing.RawHttp.Response r = raw.read();
        assertThat(r.status()).isEqualTo(308);
        assertThat(r.header("connection")).isNull();
        raw.send("GET /open HTTP/1.1\r\nHost: b.example\r\n\r\n");
        assertThat(raw.read().status()).isEqualTo(200);
      }
      // A redirected request with an unread body closes the connection instead of desyncing.
      raw.send("POST /form HTTP/1.1\r\nHost: t.example\r\nContent-Length: 3\r\n\r\nabc");
      io.gatehouse.testing.RawHttp.Response r = raw.read();
      assertThat(r.status()).isEqualTo(307);
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void the_configured_status_is_used() throws Exception {
    Answer r = send(false, HttpMethod.POST, "t.example", "/form");
    assertThat(r.status()).isEqualTo(307);
    assertThat(r.headers().get("location")).startsWith("https://t.example:");
  }

  @Test
  void acme_challenges_are_served_over_plain_http() throws Exception {
    Answer r = send(false, HttpMethod.GET, "a.example", "/.well-known/acme-challenge/token");
    assertThat(r.status()).isEqualTo(200);
    assertThat(up.take().uri()).isEqualTo("/.well-known/acme-challenge/token");
  }

  @Test
  void a_route_without_tls_is_not_redirected() throws Exception {
    Answer r = send(false, HttpMethod.GET, "b.example", "/");
    assertThat(r.status()).isEqualTo(200);
    up.take();
  }

  @Test
  void https_responses_of_a_tls_route_carry_hsts() throws Exception {
    Answer r = send(true, HttpMethod.GET, "a.example", "/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("strict-transport-security"))
        .isEqualTo("max-age=31536000; includeSubDomains");
    assertThat(up.take().header("x-forwarded-proto")).isEqualTo("https");
  }

  @Test
  void https_responses_of_other_routes_carry_none() throws Exception {
    Answer r = send(true, HttpMethod.GET, "b.example", "/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("strict-transport-security")).isNull();
    up.take();
  }
}
