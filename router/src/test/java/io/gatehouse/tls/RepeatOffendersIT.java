package io.gatehouse.tls;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An address whose HTTP/2 connections keep being cut for abuse (GOAWAY ENHANCE_YOUR_CALM) has its
 * new connections let in at {@code limits.pacedConnectionsPerSecond} (5), before their TLS
 * handshake or first byte is read, while its open connections are served as before. Found with
 * {@code bench/h2-flood.sh}: attackers that connect again as soon as they are cut made the node pay
 * a TLS handshake and the start of a flood about 200 times a second, and another client's p99 rose
 * from 4.8 ms to 109 ms.
 */
@Timeout(120)
class RepeatOffendersIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Enough cuts to be paced (more than RepeatOffenders.THRESHOLD in a burst). */
  private static final int CUTS = 25;

  private static final int NEW_CONNECTIONS = 4;

  /** Three turns of 200 ms after the first, less a margin for timer granularity. */
  private static final long PACED_SPAN_MILLIS = 3 * 200 - 60;

  @TempDir static Path certs;
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "up");
    TestCertificates.writePair(certs, "fallback", "localhost");
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withTls(
                        new NodeConfig.Tls(
                            false,
                            "127.0.0.1",
                            0,
                            certs.toString(),
                            "fallback",
                            NodeConfig.Tls.Engine.AUTO,
                            Duration.ofMillis(50))),
            route("a", "a.example", up.address()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (up != null) {
      up.close();
    }
    vertx.close().await();
  }

  private static RawH2 connect(boolean tls) throws IOException {
    return tls ? RawH2.connectTls(node.httpsPort(), false) : RawH2.connect(node.port());
  }

  private static void get(RawH2 c, int stream) throws IOException {
    c.headers(stream, RawH2.request("GET", "a.example", "/ok"), true);
    assertThat(c.await(RawH2.HEADERS, stream, WAIT)).as("answer on stream %d", stream).isNotNull();
    assertThat(c.lastHeaders.status()).hasToString("200");
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {true, false})
  void new_connections_of_an_address_that_keeps_being_cut_are_paced_open_ones_are_served(
      boolean tls) throws Exception {
    try (RawH2 open = connect(tls)) {
      get(open, 1);
      for (int i = 0; i < CUTS; i++) {
        try (RawH2 c = connect(tls)) {
          c.flood(RawH2.SETTINGS, 0, 0, new byte[0], 10_000); // until done or cut
          assertThat(c.awaitClosed(WAIT)).as("flooding connection %d cut", i).isTrue();
        }
      }

      long start = System.nanoTime();
      List<CompletableFuture<Long>> answered = new ArrayList<>();
      for (int i = 0; i < NEW_CONNECTIONS; i++) {
        answered.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try (RawH2 c = connect(tls)) {
                    get(c, 1);
                    return System.nanoTime();
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      get(open, 3);
      long openAnswered = System.nanoTime();

      long last = 0;
      for (CompletableFuture<Long> f : answered) {
        last = Math.max(last, f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(last - start))
          .as("all %d new connections served, one per 200 ms", NEW_CONNECTIONS)
          .isGreaterThanOrEqualTo(PACED_SPAN_MILLIS);
      assertThat(openAnswered)
          .as("the connection opened before the cuts is not paced")
          .isLessThan(last);
    }
  }
}
