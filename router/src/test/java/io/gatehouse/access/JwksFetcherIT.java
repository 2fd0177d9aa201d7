package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.testing.TestJwts;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The JWK Set fetch against a loopback server: what it takes, and what it refuses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class JwksFetcherIT {
  Vertx vertx;
  TestUpstream server;
  JwksFetcher fetcher;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    server =
        TestUpstream.custom(
            vertx,
            req -> {
              switch (req.path()) {
                case "/jwks" -> req.response().end(TestJwts.jwks(TestJwts.RSA));
                case "/big" -> {
                  // Chunked, no Content-Length: the limit is enforced while reading.
                  req.response().setChunked(true);
                  String chunk = "x".repeat(16 * 1024);
                  for (int i = 0; i < 20; i++) {
                    req.response().write(chunk);
                  }
                  req.response().end();
                }
                case "/declared-big" ->
                    req.response()
                        .putHeader("content-length", String.valueOf(JwksFetcher.MAX_BODY_BYTES + 1))
                        .write("{");
                case "/moved" ->
                    req.response().setStatusCode(302).putHeader("location", "/jwks").end();
                case "/error" -> req.response().setStatusCode(500).end("oops");
                case "/slow-body" -> {
                  req.response().setChunked(true).write("{\"keys\":[");
                  // ...and never ends
                }
                default -> {} // /hang: never answers
              }
            });
    fetcher = new JwksFetcher(vertx);
  }

  @AfterAll
  void stop() {
    if (fetcher != null) {
      fetcher.close();
    }
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  String fetch(String path, Duration timeout) throws Exception {
    return fetcher
        .fetch("http://" + server.address() + path, timeout)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void a_200_answer_is_read_whole() throws Exception {
    assertThat(fetch("/jwks", Duration.ofSeconds(5))).isEqualTo(TestJwts.jwks(TestJwts.RSA));
  }

  @Test
  void a_body_over_the_limit_is_refused_whether_declared_or_streamed() {
    assertThatThrownBy(() -> fetch("/big", Duration.ofSeconds(5)))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("body over");
    assertThatThrownBy(() -> fetch("/declared-big", Duration.ofSeconds(5)))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("Content-Length");
  }

  @Test
  void a_redirect_is_not_followed_and_an_error_status_is_a_failure() {
    assertThatThrownBy(() -> fetch("/moved", Duration.ofSeconds(5)))
        .hasMessageContaining("status 302");
    assertThatThrownBy(() -> fetch("/error", Duration.ofSeconds(5)))
        .hasMessageContaining("status 500");
  }

  @Test
  void a_server_that_hangs_before_or_during_the_body_fails_the_fetch_at_its_deadline() {
    for (String path : new String[] {"/hang", "/slow-body"}) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> fetch(path, Duration.ofMillis(300)))
          .as(path)
          .hasMessageContaining("no answer within 300 ms");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(ms).as(path).isBetween(250L, 5_000L);
    }
  }

  @Test
  void a_closed_port_fails_the_fetch() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                fetcher
                    .fetch("http://127.0.0.1:" + port + "/jwks", Duration.ofSeconds(5))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }
}
