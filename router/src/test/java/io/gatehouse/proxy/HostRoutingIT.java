package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Host headers as clients really send them: ports, trailing dots, case, wildcards. */
@Timeout(60)
class HostRoutingIT {
  static Vertx vertx;
  static TestUpstream exact;
  static TestUpstream wild;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    exact = TestUpstream.named(vertx, "exact");
    wild = TestUpstream.named(vertx, "wild");
    node =
        NodeFixture.start(
            route("exact", "app.example", exact.address()),
            route("wild", "*.wild.example", wild.address()),
            route("wild-exact", "www.wild.example", exact.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    exact.close();
    wild.close();
    vertx.close().await();
  }

  static Stream<Arguments> hosts() {
    return Stream.of(
        Arguments.of("exact-host", "app.example", "exact"),
        Arguments.of("host-with-port", "app.example:8080", "exact"),
        Arguments.of("host-with-trailing-dot", "app.example.", "exact"),
        Arguments.of("trailing-dot-and-port", "app.example.:80", "exact"),
        Arguments.of("hosts-are-case-insensitive", "APP.Example", "exact"),
        Arguments.of("wildcard-covers-one-label", "x.wild.example", "wild"),
        Arguments.of("wildcard-with-port", "x.wild.example:443", "wild"),
        Arguments.of("exact-beats-wildcard", "www.wild.example", "exact"),
        Arguments.of("wildcard-not-two-labels", "a.b.wild.example", "404"),
        Arguments.of("wildcard-not-the-bare-domain", "wild.example", "404"),
        Arguments.of("unknown-host-default-backend", "other.example", "404"),
        Arguments.of("ipv4-literal-default-backend", "127.0.0.1:8080", "404"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hosts")
  void host_header_selects_the_route(String name, String host, String expected) throws Exception {
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    if (expected.equals("404")) {
      assertThat(r.status()).isEqualTo(404);
    } else {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(expected);
    }
  }
}
