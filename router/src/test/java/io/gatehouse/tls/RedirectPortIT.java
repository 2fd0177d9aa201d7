package io.gatehouse.tls;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.TlsSpec;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tls.redirectPort}: a node behind a load balancer that maps ports redirects to the port
 * clients reach, not the one it bound; 443 is left out of the URL.
 */
@Timeout(60)
class RedirectPortIT {
  static Vertx vertx;
  static HttpClientAgent plain;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    plain = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
  }

  @AfterAll
  static void stop() {
    plain.close().await();
    vertx.close().await();
  }

  private static String location(int redirectPort) throws Exception {
    try (NodeFixture node =
        NodeFixture.start(
            c ->
                c.withTls(
                    new NodeConfig.Tls(
                        true,
                        "127.0.0.1",
                        0,
                        "",
                        "",
                        NodeConfig.Tls.Engine.AUTO,
                        Duration.ofSeconds(2),
                        redirectPort)),
            NodeFixture.valid(
                route("secure", "a.example", "127.0.0.1:9")
                    .withTls(TlsSpec.of(List.of(), "www"))))) {
      return plain
          .request(
              new RequestOptions()
                  .setHost("127.0.0.1")
                  .setPort(node.port())
                  .setURI("/p?q=1")
                  .putHeader("host", "a.example"))
          .compose(r -> r.send())
          .map(r -> r.statusCode() + " " + r.getHeader("location"))
          .await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void the_public_port_is_named() throws Exception {
    assertThat(location(8443)).isEqualTo("308 https://a.example:8443/p?q=1");
  }

  @Test
  void port_443_is_left_out() throws Exception {
    assertThat(location(443)).isEqualTo("308 https://a.example/p?q=1");
  }
}
