package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestJwts;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JWT at the edge, end to end: a real node, a real upstream that counts what reaches it, and a JWK
 * Set endpoint on loopback that can serve, rotate, hang, or be gone. Every refused token gets 401
 * with the Bearer challenge and the upstream receives nothing (issue #15's security acceptance).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class JwtIT {
  static final String ISS = "https://idp.example";
  static final String AUD = "orders";
  static final String CHALLENGE = "Bearer realm=\"%s\", error=\"invalid_token\"";

  Vertx vertx;
  NodeFixture node;
  TestUpstream up;
  TestUpstream idp;
  final AtomicInteger upstreamRequests = new AtomicInteger();
  final AtomicInteger jwksFetches = new AtomicInteger();
  final AtomicReference<String> served = new AtomicReference<>(TestJwts.jwks(TestJwts.RSA));
  int closedPort;
  HttpClientAgent h1;
  HttpClientAgent h2;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          upstreamRequests.incrementAndGet();
                          up.record(req, b);
                          req.response().end("upstream");
                        }));
    idp =
        TestUpstream.custom(
            vertx,
            req -> {
              if (req.path().equals("/slow")) {
                return; // never answers
              }
              jwksFetches.incrementAndGet();
              req.response()
                  .putHeader("content-type", "application/jwk-set+json")
                  .end(served.get());
            });
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // nothing listens there once closed
    }
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)));
    h1 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
    h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    String jwks = "http://" + idp.address() + "/jwks";
    put("inline", jwt(null, TestJwts.jwks(TestJwts.RSA), Duration.ofSeconds(5)));
    put("url", jwt(jwks, null, Duration.ofSeconds(5)));
    put("down", jwt("http://127.0.0.1:" + closedPort + "/jwks", null, Duration.ofSeconds(5)));
    put("slow", jwt("http://" + idp.address() + "/slow", null, Duration.ofMillis(700)));
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    for (TestUpstream u : new TestUpstream[] {up, idp}) {
      if (u != null) {
        u.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  static JwtAuth jwt(@Nullable String uri, @Nullable String jwks, Duration timeout) {
    return new JwtAuth(
        uri,
        jwks,
        List.of("RS256"),
        ISS,
        List.of(AUD),
        Duration.ofSeconds(30),
        List.of("sub"),
        List.of(new JwtAuth.ClaimHeader("sub", "x-user")),
        false,
        JwtAuth.DEFAULT_HEADER,
        null,
        JwtAuth.DEFAULT_JWKS_CACHE,
        Duration.ofMillis(200), // short, so the rotation test's refetch is allowed at once
        timeout);
  }

  void put(String name, JwtAuth policy) {
    RouteSpec spec = NodeFixture.route(name, name + ".jwt.example", up.address());
    // The validator learns JwtAuth with the documents work; the route is validated, the policy
    // added after (as RetryIT does).
    node.put(spec.withPolicies(List.of(policy)));
  }

  static Map<String, Object> claims() {
    return TestJwts.claims(ISS, AUD);
  }

  record Reply(int status, MultiMap headers, String body) {}

  Reply get(HttpClientAgent client, String host, @Nullable String token, String... headers)
      throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI("/orders");
    if (token != null) {
      o.putHeader("authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      o.putHeader(headers[i], headers[i + 1]);
    }
    Future<Reply> f =
        client
            .request(o)
            .compose(
                req -> {
                  req.authority(HostAndPort.create(host, node.port()));
                  return req.send()
                      .compose(
                          r ->
                              r.body()
                                  .map(b -> new Reply(r.statusCode(), r.headers(), b.toString())));
                });
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** The request is refused with the challenge, and nothing more reached the upstream. */
  void assertRefused(String host, String token) throws Exception {
    int before = upstreamRequests.get();
    for (HttpClientAgent client : List.of(h1, h2)) {
      Reply r = get(client, host, token);
      assertThat(r.status()).as(host).isEqualTo(401);
      assertThat(r.headers().getAll("www-authenticate"))
          .as(host)
          .containsExactly(CHALLENGE.formatted(host));
      assertThat(r.body()).doesNotContain("alg", "kid", "expired", "audience");
    }
    assertThat(upstreamRequests.get()).as("upstream requests").isEqualTo(before);
  }

  @Test
  void an_unsecured_token_with_alg_none_is_refused() throws Exception {
    assertRefused("inline.jwt.example", TestJwts.unsecured(claims()));
    assertRefused("url.jwt.example", TestJwts.unsecured(claims()));
  }

  @Test
  void an_hs256_token_keyed_with_the_rsa_public_key_is_refused() throws Exception {
    assertRefused("inline.jwt.example", TestJwts.hmacWithPublicKey(TestJwts.RSA, claims()));
    assertRefused("url.jwt.example", TestJwts.hmacWithPublicKey(TestJwts.RSA, claims()));
  }

  @Test
  void an_expired_token_is_refused() throws Exception {
    Map<String, Object> c = new LinkedHashMap<>(claims());
    c.put("exp", System.currentTimeMillis() / 1000 - 60);
    assertRefused("url.jwt.example", TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, c));
  }

  @Test
  void a_token_for_another_audience_is_refused() throws Exception {
    String token = TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, TestJwts.claims(ISS, "billing"));
    assertRefused("url.jwt.example", token);
  }

  @Test
  void a_token_with_an_unknown_kid_is_refused_after_at_most_one_refetch() throws Exception {
    get(h1, "url.jwt.example", TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, claims()));
    String token = TestJwts.withKid(TestJwts.RSA, "nobody", claims());
    int fetches = jwksFetches.get();
    assertRefused("url.jwt.example", token);
    for (int i = 0; i < 20; i++) {
      assertThat(get(h1, "url.jwt.example", token).status()).isEqualTo(401);
    }
    // 22 requests with an unknown kid within well under a second or two: the minimum refetch
    // interval (200 ms here) bounds the fetches they cause.
    assertThat(jwksFetches.get() - fetches).isLessThanOrEqualTo(15);
  }

  @Test
  void with_the_jwks_endpoint_down_a_valid_token_is_refused() throws Exception {
    assertRefused("down.jwt.example", TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, claims()));
  }

  @Test
  void with_the_jwks_endpoint_hanging_a_valid_token_is_refused_within_the_fetch_timeout()
      throws Exception {
    long start = System.nanoTime();
    assertRefused("slow.jwt.example", TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, claims()));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // Two requests, each waiting at most for the one shared fetch's 700 ms deadline.
    assertThat(ms).isLessThan(5_000);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h1", "h2c"})
  void a_valid_token_reaches_the_upstream_with_its_subject_and_without_the_token(String version)
      throws Exception {
    HttpClientAgent client = version.equals("h1") ? h1 : h2;
    for (String host : List.of("inline.jwt.example", "url.jwt.example")) {
      while (up.count() > 0) {
        up.take();
      }
      String token = TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, claims());
      Reply r = get(client, host, token, "x-user", "mallory");
      assertThat(r.status()).as(host).isEqualTo(200);
      assertThat(r.body()).isEqualTo("upstream");
      TestUpstream.Recorded rec = up.take();
      assertThat(rec.header("x-user")).isEqualTo("alice");
      assertThat(rec.headers().getAll("x-user")).hasSize(1);
      assertThat(rec.header("authorization")).isNull();
    }
  }

  @Test
  void a_rotated_key_is_fetched_when_a_token_first_names_it() throws Exception {
    String old = TestJwts.sign(TestJwts.RSA, JWSAlgorithm.RS256, claims());
    assertThat(get(h1, "url.jwt.example", old).status()).isEqualTo(200);
    served.set(TestJwts.jwks(TestJwts.RSA, TestJwts.RSA_ROTATED));
    String rotated = TestJwts.sign(TestJwts.RSA_ROTATED, JWSAlgorithm.RS256, claims());
    // The set may have been fetched less than the minimum refetch interval (200 ms) ago: then the
    // first try is refused and a later one refetches.
    Awaitility.await("the rotated key is used")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> get(h2, "url.jwt.example", rotated).status() == 200);
    served.set(TestJwts.jwks(TestJwts.RSA));
  }

  @Test
  void a_request_without_a_token_gets_the_bare_challenge() throws Exception {
    int before = upstreamRequests.get();
    Reply r = get(h1, "url.jwt.example", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers().get("www-authenticate")).isEqualTo("Bearer realm=\"url.jwt.example\"");
    assertThat(upstreamRequests.get()).isEqualTo(before);
  }
}
