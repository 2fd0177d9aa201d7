package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proxy.stickyKeyFile}: nodes with the same key file honour each other's sticky split
 * cookies (as members behind one load balancer must); a node with another key picks again and
 * replaces the cookie; a key file too short to be a key stops the node with a message that names
 * the setting and carries none of the file's bytes.
 */
@Timeout(120)
class StickyKeyIT {
  private static final String HOST = "sticky.example";

  private static RouteSpec route(TestUpstream p, TestUpstream q) {
    return NodeFixture.valid(
        RouteSpec.simple(
                RouteKey.of("default", "cli", "sticky"),
                List.of(HOST),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(endpoint(p))))
            .withBackends(
                List.of(
                    new RouteBackend(BackendSpec.http1(List.of(endpoint(p))), 50),
                    new RouteBackend(BackendSpec.http1(List.of(endpoint(q))), 50)))
            .withPolicies(List.of(SessionPersistence.cookie("gh"))));
  }

  private static Endpoint endpoint(TestUpstream u) {
    String a = u.address();
    int c = a.lastIndexOf(':');
    return Endpoint.of(a.substring(0, c), Integer.parseInt(a.substring(c + 1)));
  }

  private static UnaryOperator<NodeConfig> key(Path file) {
    return c ->
        c.withProxy(
            new NodeConfig.Proxy(
                List.of(), true, NodeConfig.Proxy.DEFAULT_SERVER_HEADER, false, file.toString()));
  }

  private static RawHttp.Response get(NodeFixture node, String cookie) throws Exception {
    return RawHttp.exchange(
        node.port(),
        "GET / HTTP/1.1\r\nHost: "
            + HOST
            + "\r\n"
            + (cookie == null ? "" : "Cookie: " + cookie + "\r\n")
            + "Connection: close\r\n\r\n");
  }

  @Test
  void nodes_with_the_same_key_file_honour_each_others_cookies_and_others_replace_them(
      @TempDir Path dir) throws Exception {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Path file = Files.write(dir.resolve("sticky.key"), secret);
    Vertx vertx = Vertx.vertx();
    try (TestUpstream p = TestUpstream.counting(vertx, "P");
        TestUpstream q = TestUpstream.counting(vertx, "Q");
        NodeFixture a = NodeFixture.start(key(file), route(p, q));
        NodeFixture b = NodeFixture.start(key(file), route(p, q));
        NodeFixture other = NodeFixture.start(route(p, q))) {
      RawHttp.Response first = get(a, null);
      String set = first.header("set-cookie");
      assertThat(set).startsWith("gh=");
      String cookie = set.substring(0, set.indexOf(';'));
      for (int i = 0; i < 50; i++) {
        RawHttp.Response r = get(b, cookie);
        assertThat(r.body()).as("the other member with the same key").isEqualTo(first.body());
        assertThat(r.header("set-cookie")).isNull();
      }
      RawHttp.Response elsewhere = get(other, cookie);
      assertThat(elsewhere.header("set-cookie"))
          .as("a node with another key picks again and replaces the cookie")
          .startsWith("gh=")
          .doesNotStartWith(cookie + ";");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void a_key_file_too_short_stops_the_node_without_showing_the_key(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("short.key"), "s3cr3t-s3cr3t");
    assertThatThrownBy(() -> NodeFixture.start(key(file)))
        .hasStackTraceContaining("proxy.stickyKeyFile")
        .hasStackTraceContaining("13 bytes")
        .satisfies(t -> assertThat(stackTrace(t)).doesNotContain("s3cr3t"));
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
