package io.gatehouse.node;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DefaultBackendIT {
  static Vertx vertx;
  static TestUpstream known;
  static TestUpstream fallback;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    known = TestUpstream.named(vertx, "known");
    fallback = TestUpstream.named(vertx, "fallback");
  }

  @AfterAll
  static void stop() {
    known.close();
    fallback.close();
    vertx.close().await();
  }

  @Test
  void unmatched_hosts_go_to_the_configured_default_backend() throws Exception {
    try (NodeFixture node =
        NodeFixture.start(
            c -> c.withDefaultBackend(new NodeConfig.DefaultBackend(fallback.address())),
            route("k", "known.example", known.address()))) {
      RawHttp.Response r =
          RawHttp.exchange(
              node.port(), "GET /some/page?x=1 HTTP/1.1\r\nHost: Unknown.example\r\n\r\n");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("fallback");
      TestUpstream.Recorded seen = fallback.take();
      assertThat(seen.uri()).isEqualTo("/some/page?x=1");
      assertThat(seen.header("host")).isEqualTo("Unknown.example");
      assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");

      RawHttp.Response k =
          RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: known.example\r\n\r\n");
      assertThat(k.body()).isEqualTo("known");
      assertThat(known.take().uri()).isEqualTo("/");
      assertThat(fallback.receivedNothing()).isTrue();
    }
  }

  @Test
  void head_of_the_built_in_404_has_headers_and_no_body() throws Exception {
    try (NodeFixture node = NodeFixture.start(route("k", "known.example", known.address()));
        Socket s = new Socket("127.0.0.1", node.port())) {
      s.setSoTimeout(10_000);
      // HEAD, then GET on the same connection: if the HEAD answer carried body bytes, they would
      // sit in front of the GET's status line.
      s.getOutputStream()
          .write(
              ("HEAD /missing HTTP/1.1\r\nHost: nope.example\r\n\r\n"
                      + "GET /missing HTTP/1.1\r\nHost: nope.example\r\nAccept: application/json"
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 404 ");
      assertThat(head.toLowerCase()).contains("content-type: text/html");
      String second = readHead(in);
      assertThat(second).as("the next bytes after the HEAD answer").startsWith("HTTP/1.1 404 ");
      assertThat(second.toLowerCase()).contains("content-type: application/json");
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(body).startsWith("{\"status\":404");
    }
  }

  /** Reads up to and including the blank line that ends a response head. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      b.write(c);
      byte[] sofar = b.toByteArray();
      int n = sofar.length;
      if (n >= 4
          && sofar[n - 4] == '\r'
          && sofar[n - 3] == '\n'
          && sofar[n - 2] == '\r'
          && sofar[n - 1] == '\n') {
        break;
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
