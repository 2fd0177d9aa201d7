package io.gatehouse.acme;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node's plain listener answers a published HTTP-01 token itself, before route matching (even
 * on a host whose route redirects to HTTPS); any other challenge path reaches the route's backend,
 * so a backend's own ACME client keeps working.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcmeChallengeServingIT {
  private static final String TOKEN = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

  private Vertx vertx;
  private TestUpstream up;
  private NodeFixture node;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "backend");
    node =
        NodeFixture.start(
            route("plain", "a.acme.test", up.address()),
            NodeFixture.valid(
                route("secure", "s.acme.test", up.address())
                    .withTls(new TlsSpec(List.of(), "www", HttpsRedirect.DEFAULT, Hsts.OFF))));
  }

  @AfterEach
  void tearDown() {
    if (node != null) {
      node.close();
    }
    up.close();
    vertx.close().await();
  }

  private RawHttp.Response get(String host, String path) throws Exception {
    return RawHttp.exchange(
        node.port(),
        "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void a_published_token_is_answered_by_the_node_with_its_key_authorization() throws Exception {
    node.node().acmeChallenges().publish(TOKEN, TOKEN + ".thumbprint");

    RawHttp.Response r = get("a.acme.test", HttpChallenges.PREFIX + TOKEN);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("text/plain");
    assertThat(r.body()).isEqualTo(TOKEN + ".thumbprint");
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_published_token_is_answered_for_any_host_even_one_that_redirects_to_https()
      throws Exception {
    node.node().acmeChallenges().publish(TOKEN, TOKEN + ".thumbprint");

    assertThat(get("s.acme.test", HttpChallenges.PREFIX + TOKEN).body())
        .isEqualTo(TOKEN + ".thumbprint");
    assertThat(get("unrouted.acme.test", HttpChallenges.PREFIX + TOKEN).body())
        .isEqualTo(TOKEN + ".thumbprint");
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void an_unknown_token_goes_on_to_the_routes_backend() throws Exception {
    node.node().acmeChallenges().publish(TOKEN, TOKEN + ".thumbprint");

    RawHttp.Response r = get("a.acme.test", HttpChallenges.PREFIX + "someoneElsesToken");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("backend");
    assertThat(up.take().uri()).isEqualTo(HttpChallenges.PREFIX + "someoneElsesToken");
  }

  @Test
  void a_withdrawn_token_goes_on_to_the_routes_backend() throws Exception {
    node.node().acmeChallenges().publish(TOKEN, TOKEN + ".thumbprint");
    node.node().acmeChallenges().withdraw(TOKEN);

    assertThat(get("a.acme.test", HttpChallenges.PREFIX + TOKEN).body()).isEqualTo("backend");
  }

  @Test
  void a_keep_alive_connection_serves_a_routed_request_after_a_challenge() throws Exception {
    node.node().acmeChallenges().publish(TOKEN, TOKEN + ".thumbprint");
    try (RawHttp c = new RawHttp(node.port())) {
      c.send("GET " + HttpChallenges.PREFIX + TOKEN + " HTTP/1.1\r\nHost: a.acme.test\r\n\r\n");
      assertThat(c.read().body()).isEqualTo(TOKEN + ".thumbprint");
      c.send("GET /x HTTP/1.1\r\nHost: a.acme.test\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("backend");
    }
  }
}
