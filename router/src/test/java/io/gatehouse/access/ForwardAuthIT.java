package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Forward auth end to end: a real node, a real auth service and a real upstream on loopback, over
 * HTTP/1.1 and HTTP/2 (h2c). What the auth service says decides; a service that is down, slow or
 * answers anything unexpected fails closed and the upstream receives nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ForwardAuthIT {
  Vertx vertx;
  NodeFixture node;
  TestUpstream up;
  TestUpstream auth;
  HttpClientAgent h1;
  HttpClientAgent h2;
  final AtomicInteger held = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "app");
    auth = TestUpstream.custom(vertx, req -> {});
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)));
    h1 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
    h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    for (TestUpstream u : new TestUpstream[] {up, auth}) {
      if (u != null) {
        u.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @BeforeEach
  void drain() throws InterruptedException {
    for (TestUpstream u : List.of(up, auth)) {
      while (!u.receivedNothing()) {
        u.take();
      }
    }
  }

  /** The auth service answers each subrequest with {@code status} and {@code headers}. */
  void authAnswers(int status, String... headers) {
    auth.handler(
        req ->
            req.body()
                .onSuccess(
                    body -> {
                      auth.record(req, body);
                      var resp = req.response().setStatusCode(status);
                      for (int i = 0; i < headers.length; i += 2) {
                        resp.putHeader(headers[i], headers[i + 1]);
                      }
                      resp.end("the service's own words, never forwarded");
                    }));
  }

  void serve(String host, ForwardAuth policy) {
    node.put(NodeFixture.route(host, host, up.address()).withPolicies(List.of(policy)));
  }

  static ForwardAuth policy(
      String url, List<String> responseHeaders, String signin, Duration timeout) {
    return policy(url, responseHeaders, signin, timeout, List.of(), Duration.ZERO);
  }

  static ForwardAuth policy(
      String url,
      List<String> responseHeaders,
      String signin,
      Duration timeout,
      List<String> cacheKey,
      Duration cacheDuration) {
    return new ForwardAuth(
        url, "GET", List.of(), responseHeaders, signin, timeout, cacheKey, cacheDuration);
  }

  String authUrl() {
    return "http://" + auth.address() + "/verify?app=shop";
  }

  record Reply(int status, MultiMap headers, String body) {}

  Reply send(HttpClientAgent client, String host, String uri, Map<String, String> headers)
      throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI(uri);
    headers.forEach(o::addHeader);
    return client
        .request(o)
        .compose(
            req -> {
              req.authority(HostAndPort.create(host, node.port()));
              return req.send()
                  .compose(
                      r -> r.body().map(b -> new Reply(r.statusCode(), r.headers(), b.toString())));
            })
        .toCompletionStage()
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void an_allowed_request_goes_upstream_with_the_services_identity_not_the_clients()
      throws Exception {
    String host = "allowed.fa.example";
    serve(host, policy(authUrl(), List.of("X-User", "X-Groups"), null, Duration.ofSeconds(2)));
    authAnswers(200, "X-User", "alice", "Content-Type", "text/plain");
    for (HttpClientAgent client : List.of(h1, h2)) {
      Reply r =
          send(
              client,
              host,
              "/cart?id=7",
              Map.of(
                  "Authorization", "Bearer good",
                  "Cookie", "s=1",
                  "X-User", "forged",
                  "X-Groups", "admins",
                  "X-Original-URL", "http://evil.example/",
                  "X-Secret", "not for the service"));
      assertThat(r.status).isEqualTo(200);
      assertThat(r.body).isEqualTo("app");
      TestUpstream.Recorded seen = up.take();
      assertThat(seen.headers().getAll("x-user")).containsExactly("alice");
      assertThat(seen.header("x-groups")).as("the client's copy is dropped").isNull();
      assertThat(seen.header("authorization")).isEqualTo("Bearer good");
      TestUpstream.Recorded asked = auth.take();
      assertThat(asked.method()).isEqualTo("GET");
      assertThat(asked.uri()).isEqualTo("/verify?app=shop");
      assertThat(asked.body().length()).isZero();
      assertThat(asked.header("authorization")).isEqualTo("Bearer good");
      assertThat(asked.header("cookie")).isEqualTo("s=1");
      assertThat(asked.header("x-secret")).isNull();
      assertThat(asked.header("x-user")).isNull();
      assertThat(asked.headers().getAll("x-original-url"))
          .containsExactly("http://" + host + ":" + node.port() + "/cart?id=7");
      assertThat(asked.header("x-original-method")).isEqualTo("GET");
      assertThat(asked.header("x-forwarded-for")).isEqualTo("127.0.0.1");
      assertThat(asked.header("x-forwarded-proto")).isEqualTo("http");
      assertThat(asked.header("x-request-id")).isEqualTo(seen.header("x-request-id")).isNotNull();
      assertThat(asked.header("host")).isEqualTo(auth.address());
    }
  }

  @Test
  void a_refusal_is_answered_with_the_services_challenge_and_nothing_goes_upstream()
      throws Exception {
    String host = "refused.fa.example";
    serve(host, policy(authUrl(), List.of("X-User"), null, Duration.ofSeconds(2)));
    for (HttpClientAgent client : List.of(h1, h2)) {
      authAnswers(401, "WWW-Authenticate", "Bearer realm=\"shop\"", "X-User", "alice");
      Reply r = send(client, host, "/", Map.of());
      assertThat(r.status).isEqualTo(401);
      assertThat(r.headers.get("www-authenticate")).isEqualTo("Bearer realm=\"shop\"");
      assertThat(r.body).doesNotContain("the service's own words");
      authAnswers(403);
      assertThat(send(client, host, "/", Map.of()).status).isEqualTo(403);
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_401_with_a_signin_page_redirects_there_with_the_original_url() throws Exception {
    String host = "signin.fa.example";
    serve(host, policy(authUrl(), List.of(), "https://login.example/start", Duration.ofSeconds(2)));
    authAnswers(401);
    Reply r = send(h1, host, "/orders?page=2", Map.of());
    assertThat(r.status).isEqualTo(302);
    assertThat(r.headers.get("location"))
        .isEqualTo(
            "https://login.example/start?rd=http%3A%2F%2F"
                + host
                + "%3A"
                + node.port()
                + "%2Forders%3Fpage%3D2");
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void an_auth_service_that_is_down_fails_closed_with_503_and_nothing_goes_upstream()
      throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String host = "down.fa.example";
    serve(host, policy("http://127.0.0.1:" + closed + "/", List.of(), null, Duration.ofSeconds(2)));
    for (HttpClientAgent client : List.of(h1, h2)) {
      assertThat(send(client, host, "/", Map.of("Authorization", "Bearer x")).status)
          .isEqualTo(503);
    }
    String odd = "odd.fa.example";
    serve(odd, policy(authUrl(), List.of(), null, Duration.ofSeconds(2)));
    for (int status : new int[] {500, 302, 404}) {
      authAnswers(status, "Location", "http://elsewhere.example/");
      Reply r = send(h1, odd, "/", Map.of());
      assertThat(r.status).as("the service answered %s", status).isEqualTo(503);
      assertThat(r.headers.get("location")).isNull();
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void an_auth_service_that_does_not_answer_in_time_fails_closed_with_504() throws Exception {
    String host = "slow.fa.example";
    serve(host, policy(authUrl(), List.of(), null, Duration.ofMillis(300)));
    auth.handler(req -> held.incrementAndGet()); // never answers
    for (HttpClientAgent client : List.of(h1, h2)) {
      long t0 = System.nanoTime();
      assertThat(send(client, host, "/", Map.of()).status).isEqualTo(504);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(ms)
          .as("answered at the timeout, not the 15 s upstream one")
          .isBetween(250L, 10_000L);
    }
    assertThat(held.get()).isEqualTo(2);
    assertThat(up.receivedNothing()).isTrue();
    // The timed-out subrequests were reset: the service answers again at once.
    authAnswers(200);
    assertThat(send(h1, host, "/", Map.of()).status).isEqualTo(200);
  }

  @Test
  void a_client_that_leaves_while_the_service_thinks_sends_nothing_upstream_when_it_says_yes()
      throws Exception {
    String host = "left.fa.example";
    serve(host, policy(authUrl(), List.of(), null, Duration.ofSeconds(10)));
    java.util.concurrent.CompletableFuture<HttpServerRequest> asked =
        new java.util.concurrent.CompletableFuture<>();
    auth.handler(asked::complete);
    HttpClientAgent once =
        vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
    once.request(
            new RequestOptions()
                .setHost("127.0.0.1")
                .setPort(node.port())
                .setURI("/")
                .putHeader("host", host))
        .compose(req -> req.send())
        .onComplete(ar -> {});
    HttpServerRequest pending = asked.get(10, TimeUnit.SECONDS);
    assertThat(node.node().inFlight()).as("suspended, not ended").isEqualTo(1);
    once.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await("the node ends the suspended request")
        .atMost(Duration.ofSeconds(10))
        .until(() -> node.node().inFlight() == 0);
    vertx.runOnContext(v -> pending.response().end()); // a yes, too late
    authAnswers(403);
    assertThat(send(h1, host, "/", Map.of()).status).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void an_https_auth_service_with_an_untrusted_certificate_fails_closed_with_503()
      throws Exception {
    io.vertx.core.net.SelfSignedCertificate cert =
        io.vertx.core.net.SelfSignedCertificate.create("localhost");
    AtomicInteger answered = new AtomicInteger();
    TestUpstream tls =
        TestUpstream.custom(
            vertx,
            new io.vertx.core.http.HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(cert.keyCertOptions()),
            req -> {
              answered.incrementAndGet();
              req.response().end();
            });
    try {
      String host = "untrusted.fa.example";
      serve(
          host,
          // A long timeout: the first https subrequest loads the JDK's trust store, slow on a
          // loaded machine, and this test is about the certificate, not the clock.
          policy("https://localhost:" + tls.port() + "/", List.of(), null, Duration.ofSeconds(20)));
      assertThat(send(h1, host, "/", Map.of()).status).isEqualTo(503);
      assertThat(answered.get()).as("no subrequest over an unverified connection").isZero();
      assertThat(up.receivedNothing()).isTrue();
    } finally {
      tls.close();
      cert.delete();
    }
  }

  @Test
  void requests_with_the_same_key_that_arrive_while_it_is_asked_share_one_subrequest()
      throws Exception {
    String host = "burst.fa.example";
    serve(
        host,
        policy(
            authUrl(),
            List.of("x-user"),
            null,
            Duration.ofSeconds(10),
            List.of("authorization"),
            Duration.ofMinutes(5)));
    java.util.Queue<HttpServerRequest> asked = new java.util.concurrent.ConcurrentLinkedQueue<>();
    auth.handler(asked::add);
    List<java.util.concurrent.CompletableFuture<Reply>> replies = new java.util.ArrayList<>();
    for (HttpClientAgent client : List.of(h1, h1, h2)) {
      replies.add(
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return send(client, host, "/", Map.of("Authorization", "Basic carol"));
                } catch (Exception e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              }));
    }
    org.awaitility.Awaitility.await("three requests waiting")
        .atMost(Duration.ofSeconds(10))
        .until(() -> node.node().inFlight() == 3);
    assertThat(asked).as("one subrequest for the three").hasSize(1);
    HttpServerRequest one = asked.poll();
    vertx.runOnContext(v -> one.response().putHeader("x-user", "carol").end());
    for (var r : replies) {
      assertThat(r.get(20, TimeUnit.SECONDS).status).isEqualTo(200);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(up.take().header("x-user")).isEqualTo("carol");
    }
    assertThat(asked).isEmpty();
  }

  @Test
  void a_large_answer_body_is_thrown_away_and_the_request_goes_on() throws Exception {
    String host = "large.fa.example";
    serve(host, policy(authUrl(), List.of("x-user"), null, Duration.ofSeconds(2)));
    Buffer big = Buffer.buffer(new byte[1024 * 1024]);
    Handler<HttpServerRequest> h =
        req -> req.response().putHeader("x-user", "bob").setChunked(true).end(big);
    auth.handler(h);
    for (int i = 0; i < 3; i++) {
      Reply r = send(h1, host, "/", Map.of());
      assertThat(r.status).isEqualTo(200);
      assertThat(up.take().header("x-user")).isEqualTo("bob");
    }
  }

  @Test
  void answers_are_reused_for_the_same_key_headers_within_the_cache_duration() throws Exception {
    String host = "cached.fa.example";
    serve(
        host,
        policy(
            authUrl(),
            List.of("x-user"),
            null,
            Duration.ofSeconds(2),
            List.of("authorization"),
            Duration.ofMinutes(5)));
    AtomicInteger asked = new AtomicInteger();
    auth.handler(
        req -> {
          asked.incrementAndGet();
          String user = req.getHeader("authorization");
          if (user == null) {
            req.response().setStatusCode(401).end();
          } else {
            req.response().putHeader("x-user", user.substring(user.indexOf(' ') + 1)).end();
          }
        });
    for (int i = 0; i < 3; i++) {
      assertThat(send(h1, host, "/", Map.of("Authorization", "Basic alice")).status).isEqualTo(200);
      assertThat(up.take().header("x-user")).isEqualTo("alice");
      assertThat(send(h2, host, "/", Map.of("Authorization", "Basic bob")).status).isEqualTo(200);
      assertThat(up.take().header("x-user")).isEqualTo("bob");
      assertThat(send(h1, host, "/", Map.of()).status).isEqualTo(401);
    }
    assertThat(asked.get()).as("one subrequest per distinct key").isEqualTo(3);
  }
}
