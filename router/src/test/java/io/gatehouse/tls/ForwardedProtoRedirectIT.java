package io.gatehouse.tls;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A load balancer that ends TLS in front of the node forwards plain HTTP with {@code
 * X-Forwarded-Proto}: from a trusted proxy, {@code https} is served (no redirect loop) and {@code
 * http} is redirected to the balancer's HTTPS port, as ingress-nginx with use-forwarded-headers;
 * from anyone else the header changes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardedProtoRedirectIT {
  private Vertx vertx;
  private TestUpstream up;
  private NodeFixture node;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "upstream");
  }

  @AfterEach
  void tearDown() {
    if (node != null) {
      node.close();
    }
    up.close();
    vertx.close().await();
  }

  private void start(List<String> trusted, boolean httpsListener) throws Exception {
    UnaryOperator<NodeConfig> config =
        c -> {
          NodeConfig n = c.withProxy(new NodeConfig.Proxy(trusted, true));
          return httpsListener
              ? n.withTls(
                  new NodeConfig.Tls(
                      true,
                      "127.0.0.1",
                      0,
                      "",
                      "",
                      NodeConfig.Tls.Engine.AUTO,
                      Duration.ofSeconds(2)))
              : n;
        };
    node =
        NodeFixture.start(
            config,
            NodeFixture.valid(
                route("secure", "a.example", up.address())
                    .withTls(new TlsSpec(List.of(), "www", HttpsRedirect.DEFAULT, Hsts.OFF))));
  }

  private RawHttp.Response get(String forwardedProto) throws Exception {
    return RawHttp.exchange(
        node.port(),
        "GET /p?q=1 HTTP/1.1\r\nHost: a.example\r\n"
            + (forwardedProto == null ? "" : "X-Forwarded-Proto: " + forwardedProto + "\r\n")
            + "Connection: close\r\n\r\n");
  }

  @Test
  void a_trusted_balancer_that_ended_tls_is_served_and_its_plain_clients_are_redirected_to_it()
      throws Exception {
    start(List.of("127.0.0.1/32"), true);
    assertThat(get("https").status()).as("the client came over HTTPS: no loop").isEqualTo(200);
    assertThat(get("HTTPS, http").status()).as("the first value is the client's").isEqualTo(200);
    RawHttp.Response plain = get("http");
    assertThat(plain.status()).isEqualTo(308);
    assertThat(plain.header("location"))
        .as("the balancer's HTTPS port, not this node's")
        .isEqualTo("https://a.example/p?q=1");
    RawHttp.Response direct = get(null);
    assertThat(direct.status()).as("no header: the connection's scheme decides").isEqualTo(308);
    assertThat(direct.header("location"))
        .isEqualTo("https://a.example:" + node.httpsPort() + "/p?q=1");
    assertThat(up.count()).isEqualTo(2);
  }

  @Test
  void behind_a_trusted_balancer_a_node_without_an_https_listener_still_redirects()
      throws Exception {
    start(List.of("127.0.0.1/32"), false);
    assertThat(get("https").status()).isEqualTo(200);
    assertThat(get("http").status()).isEqualTo(308);
    assertThat(get(null).status())
        .as("no balancer said so and no HTTPS listener here: plain HTTP is served")
        .isEqualTo(200);
  }

  @Test
  void an_untrusted_peer_cannot_skip_the_redirect() throws Exception {
    start(List.of("192.0.2.0/24"), true);
    assertThat(get("https").status()).isEqualTo(308);
    assertThat(up.receivedNothing()).isTrue();
  }
}
