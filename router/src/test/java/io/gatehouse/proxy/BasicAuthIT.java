package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Basic auth through a real node: a bcrypt user (an Apache htpasswd line) and an Argon2 user, over
 * HTTP/1.1 (keep-alive, with request bodies held while the hash is checked) and h2c. Refused
 * requests get 401 with the challenge and reach nothing upstream; accepted ones reach it without
 * the credential, or with exactly the verified one when the route forwards it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class BasicAuthIT {
  /** {@code htpasswd -nbB -C 5 alice secret}. */
  static final String ALICE = "$2y$05$Z6aGjIPI5td2oYCzgClEoOE28L5EsL0FLj3zNCMavDuok7eUZwdu6";

  static final String CHALLENGE = "Basic realm=\"staff\", charset=\"UTF-8\"";

  Vertx vertx;
  TestUpstream up;
  NodeFixture node;
  HttpClientAgent h2;

  static String argon2id(String password) {
    byte[] salt = "saltsaltsaltsalt".getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[32];
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(1024)
            .withIterations(2)
            .withParallelism(1)
            .withSalt(salt)
            .build());
    g.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=1024,t=2,p=1$"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(out);
  }

  static String basic(String userColonPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  private RouteSpec protectedRoute(String name, String host, boolean forward) {
    BasicAuth auth =
        new BasicAuth(
            "staff",
            List.of(
                new BasicAuth.User("alice", ALICE),
                new BasicAuth.User("bob", argon2id("correct horse"))),
            forward);
    // The access kinds have no validator rule until the documents branch lands: the route is
    // validated without its policy and put into the table as the node would hold it.
    return NodeFixture.route(name, host, up.address()).withPolicies(List.of(auth));
  }

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "upstream");
    node =
        NodeFixture.start(
            c -> c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024)));
    node.put(protectedRoute("basic", "basic.example", false));
    node.put(protectedRoute("forward", "forward.example", true));
    // Cost 14: about a second in BouncyCastle, long enough to see the loop stay free meanwhile.
    String slow =
        OpenBSDBCrypt.generate(
            "2y",
            "secret".toCharArray(),
            "saltsaltsaltsalt".getBytes(StandardCharsets.US_ASCII),
            14);
    node.put(
        NodeFixture.route("slow", "slow.example", up.address())
            .withPolicies(
                List.of(
                    new BasicAuth("staff", List.of(new BasicAuth.User("alice", slow)), false))));
    node.put(NodeFixture.route("open", "open.example", up.address()));
    h2 = AdminNode.h2c(vertx);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    up.close();
    vertx.close().await();
  }

  private RawHttp.Response get(RawHttp raw, String host, String extraHeaders) throws Exception {
    raw.send("GET /private HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders + "\r\n");
    return raw.read();
  }

  @Test
  void a_request_without_credentials_is_challenged_and_reaches_nothing() throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: basic.example\r\n\r\n");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("www-authenticate")).isEqualTo(CHALLENGE);
    assertThat(r.header("x-request-id")).isNotBlank();
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void wrong_passwords_and_unknown_users_are_challenged_and_reach_nothing() throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      for (String creds : List.of("alice:guess", "bob:guess", "mallory:secret", "alice:")) {
        RawHttp.Response r = get(raw, "basic.example", "Authorization: " + basic(creds) + "\r\n");
        assertThat(r.status()).as(creds).isEqualTo(401);
        assertThat(r.header("www-authenticate")).isEqualTo(CHALLENGE);
        assertThat(r.body()).doesNotContain("guess").doesNotContain("alice");
      }
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void bcrypt_and_argon2_users_get_through_without_their_credential_on_one_connection()
      throws Exception {
    try (RawHttp raw = new RawHttp(node.port())) {
      for (int i = 0; i < 3; i++) { // the second and third are remembered successes
        for (String creds : List.of("alice:secret", "bob:correct horse")) {
          RawHttp.Response r = get(raw, "basic.example", "Authorization: " + basic(creds) + "\r\n");
          assertThat(r.status()).as(creds).isEqualTo(200);
          assertThat(r.header("www-authenticate")).isNull();
          TestUpstream.Recorded seen = up.take();
          assertThat(seen.header("authorization")).isNull();
        }
      }
      // A refusal between two successes on the same connection.
      assertThat(
              get(raw, "basic.example", "Authorization: " + basic("alice:nope") + "\r\n").status())
          .isEqualTo(401);
      assertThat(
              get(raw, "basic.example", "Authorization: " + basic("alice:secret") + "\r\n")
                  .status())
          .isEqualTo(200);
      up.take();
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_request_body_waits_for_the_check_and_reaches_the_upstream_whole() throws Exception {
    String body = "x".repeat(20_000);
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /upload HTTP/1.1\r\nHost: basic.example\r\nAuthorization: "
              + basic("bob:correct horse")
              + "\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body);
      assertThat(raw.read().status()).isEqualTo(200);
    }
    TestUpstream.Recorded seen = up.take();
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.body().toString(StandardCharsets.US_ASCII)).isEqualTo(body);

    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send(
          "POST /upload HTTP/1.1\r\nHost: basic.example\r\nAuthorization: "
              + basic("bob:wrong")
              + "\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body);
      assertThat(raw.read().status()).isEqualTo(401);
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_forwarding_route_sends_exactly_the_verified_credential() throws Exception {
    String verified = basic("alice:secret");
    try (RawHttp raw = new RawHttp(node.port())) {
      RawHttp.Response r =
          get(
              raw,
              "forward.example",
              "Authorization: " + verified + "\r\nAuthorization: Bearer smuggled\r\n");
      assertThat(r.status()).isEqualTo(200);
    }
    assertThat(up.take().headers().getAll("authorization")).containsExactly(verified);
  }

  @Test
  void h2c_requests_are_checked_the_same_way() throws Exception {
    for (String creds : List.of("alice:secret", "alice:wrong", "bob:correct horse")) {
      int status =
          h2.request(
                  new RequestOptions()
                      .setMethod(HttpMethod.GET)
                      .setHost("127.0.0.1")
                      .setPort(node.port())
                      .setURI("/h2")
                      .putHeader("authorization", basic(creds)))
              .compose(
                  req ->
                      req.authority(HostAndPort.create("basic.example", node.port()))
                          .send()
                          .compose(resp -> resp.body().map(b -> resp.statusCode())))
              .await(20, TimeUnit.SECONDS);
      assertThat(status).as(creds).isEqualTo(creds.equals("alice:wrong") ? 401 : 200);
      if (status == 200) {
        assertThat(up.take().header("authorization")).isNull();
      }
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_slow_hash_never_holds_the_event_loop() throws Exception {
    // The node has one event loop: a check on it would hold every other request behind it.
    try (RawHttp checking = new RawHttp(node.port())) {
      long start = System.nanoTime();
      checking.send(
          "GET / HTTP/1.1\r\nHost: slow.example\r\nAuthorization: "
              + basic("alice:wrong")
              + "\r\n\r\n");
      RawHttp.Response open =
          RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: open.example\r\n\r\n");
      long openNanos = System.nanoTime() - start;
      assertThat(open.status()).isEqualTo(200);
      up.take();
      assertThat(checking.hasInput()).as("the slow check is still running").isFalse();
      assertThat(checking.read().status()).isEqualTo(401);
      long checkNanos = System.nanoTime() - start;
      assertThat(openNanos).as("answered while the hash ran").isLessThan(checkNanos / 2);
    }
    assertThat(up.receivedNothing()).isTrue();
  }
}
