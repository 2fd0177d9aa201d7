package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection the node cuts (GOAWAY with an error code, then the lingering close) gives its
 * per-client slot back: cutting more flooding connections than {@code
 * limits.maxConnectionsPerClient} from one address leaves that address served. Found by {@code
 * bench/h2-flood.sh}: after about 1,000 cut connections every new connection from the address was
 * refused until the node restarted, so one attacker behind a NAT locked out everyone sharing it.
 */
@Timeout(120)
class H2CutConnectionSlotsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int PER_CLIENT = 20;

  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "up");
    EdgeLimits d = EdgeLimits.DEFAULTS;
    EdgeLimits limits =
        new EdgeLimits(
            d.maxHeaderBytes(),
            d.maxHeaderLineBytes(),
            d.maxHeaderCount(),
            d.maxRequestLineBytes(),
            d.headerReadTimeout(),
            d.keepAliveIdleTimeout(),
            d.maxConnections(),
            PER_CLIENT,
            d.underscoreHeaders(),
            d.overloadHeapRatio(),
            d.overloadLoopLag(),
            d.writeQueueBytes(),
            0); // no pacing of the address: this is about slots (RepeatOffendersIT paces)
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withLimits(limits),
            route("a", "a.example", up.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    up.close();
    vertx.close().await();
  }

  @ParameterizedTest
  @ValueSource(ints = {RawH2.SETTINGS, RawH2.PING, RawH2.WINDOW_UPDATE, RawH2.PRIORITY})
  void cut_flooding_connections_give_their_slot_back(int type) throws Exception {
    byte[] payload =
        switch (type) {
          case RawH2.PING -> new byte[8];
          case RawH2.WINDOW_UPDATE -> new byte[] {0, 0, 0, 1};
          case RawH2.PRIORITY -> new byte[] {0, 0, 0, 0, 16};
          default -> new byte[0];
        };
    int stream = type == RawH2.PRIORITY ? 1 : 0;
    for (int i = 0; i < PER_CLIENT * 3 / 2; i++) {
      try (RawH2 c = RawH2.connect(node.port())) {
        c.flood(type, 0, stream, payload, 10_000); // until done or cut
        assertThat(c.awaitClosed(WAIT)).as("flooding connection %d cut", i).isTrue();
      }
    }
    for (int i = 0; i < 3; i++) {
      try (RawH2 c = RawH2.connect(node.port())) {
        c.headers(1, RawH2.request("GET", "a.example", "/ok"), true);
        assertThat(c.await(RawH2.HEADERS, 1, WAIT))
            .as("answer on new connection %d after %d cut ones", i, PER_CLIENT * 3 / 2)
            .isNotNull();
        assertThat(c.lastHeaders.status()).hasToString("200");
      }
    }
  }
}
