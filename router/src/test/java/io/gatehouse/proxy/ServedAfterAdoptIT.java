package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteSpec;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.table.ServedReport;
import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "Served" (what {@code wait=all} waits for) means served on every event loop: while one router's
 * event loop is busy, a new route is published but not reported served; once that loop has run
 * again (and adopted the snapshot), it is, and a request on every loop gets the new route.
 */
@Timeout(120)
class ServedAfterAdoptIT {
  private static final int LOOPS = 2;

  /** How long the busy loop waits to see "served" before it gives up and runs on. */
  private static final long HOLD_MS = 1500;

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void a_write_is_reported_served_only_after_a_busy_event_loop_adopted_it() throws Exception {
    Vertx vertx = Vertx.vertx();
    TestUpstream fresh = TestUpstream.counting(vertx, "fresh");
    List<RawHttp> clients = new ArrayList<>();
    // A port chosen first: with port 0 each router would bind a port of its own, and only the first
    // would be reached. On one shared port Vert.x hands connections to the routers in turn.
    int port = ClusterProcesses.freePort();
    try (NodeFixture node =
        NodeFixture.start(
            c -> c.withEventLoops(LOOPS).withHttp(new NodeConfig.Listener("127.0.0.1", port)))) {
      // Two connections per event loop.
      for (int i = 0; i < 2 * LOOPS; i++) {
        RawHttp c = new RawHttp(node.port());
        clients.add(c);
        c.send("GET /warm HTTP/1.1\r\nHost: fresh.test\r\n\r\n");
        assertThat(c.read().status()).as("no route yet").isEqualTo(404);
      }

      // A new event-loop context lands on one of the node's two loops, each a router's.
      Context busyLoop = node.node().vertx().getOrCreateContext();
      CountDownLatch busy = new CountDownLatch(1);
      CompletableFuture<Void> servedSeen = new CompletableFuture<>();
      AtomicBoolean loopRanOn = new AtomicBoolean();
      AtomicBoolean servedWhileBusy = new AtomicBoolean();
      busyLoop.runOnContext(
          v -> {
            busy.countDown();
            try {
              // Busy until "served" shows up (a failure) or for a while (what must happen).
              servedSeen.get(HOLD_MS, TimeUnit.MILLISECONDS);
              servedWhileBusy.set(true);
            } catch (TimeoutException expected) {
              // nothing served while this loop could not adopt: as it must be
            } catch (Exception e) {
              throw new IllegalStateException(e);
            } finally {
              loopRanOn.set(true);
            }
          });
      assertThat(busy.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      RouteSpec route = NodeFixture.route("fresh", "fresh.test", fresh.address());
      long generation = node.node().table().put(route);
      AtomicBoolean loopHadRunAtServed = new AtomicBoolean();
      ServedReport report =
          node.node()
              .table()
              .awaitServed(generation, WAIT)
              .whenComplete(
                  (r, t) -> {
                    loopHadRunAtServed.set(loopRanOn.get());
                    servedSeen.complete(null);
                  })
              .get(WAIT.toSeconds() + 10, TimeUnit.SECONDS);

      assertThat(report.complete()).as("served within %s", WAIT).isTrue();
      assertThat(servedWhileBusy)
          .as("served was reported while an event loop had not run since the write")
          .isFalse();
      assertThat(loopHadRunAtServed)
          .as("the busy loop had run on when served was reported")
          .isTrue();
      // Every connection, so both event loops: the new route, never the default backend's 404.
      for (RawHttp c : clients) {
        c.send("GET /now HTTP/1.1\r\nHost: fresh.test\r\n\r\n");
        RawHttp.Response r = c.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("fresh");
      }
      // Each loop has its own upstream clients: requests reached the upstream from both.
      assertThat(fresh.connections()).isGreaterThanOrEqualTo(LOOPS);
    } finally {
      for (RawHttp c : clients) {
        c.close();
      }
      fresh.close();
      vertx.close().await();
    }
  }
}
