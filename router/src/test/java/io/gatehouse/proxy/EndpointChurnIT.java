package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.Write;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Endpoints added, removed and set to weight 0 through the table under steady keep-alive load (4
 * clients, one event loop): no request fails, the upstream connections of kept endpoints stay open
 * and are reused (none closed, never more than one per client), and a route whose endpoints did not
 * change keeps its own rotation, even when another route lists the same endpoints (each route has
 * its own key in the endpoint index, so its own balancer).
 */
@Timeout(120)
class EndpointChurnIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int CLIENTS = 4;

  @Test
  void endpoint_churn_under_load_fails_no_request_and_keeps_connections_and_rotation()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    List<TestUpstream> all = new ArrayList<>();
    try {
      TestUpstream u1 = counting(vertx, all, "u1");
      TestUpstream u2 = counting(vertx, all, "u2");
      TestUpstream u3 = counting(vertx, all, "u3");
      TestUpstream u4 = counting(vertx, all, "u4");
      TestUpstream v1 = counting(vertx, all, "v1");
      TestUpstream v2 = counting(vertx, all, "v2");
      RouteSpec churn = NodeFixture.route("churn", "churn.example", u1.address(), u2.address());
      // Two routes with equal endpoint lists: the probe alternates between them.
      RouteSpec p = NodeFixture.route("p", "p.example", v1.address(), v2.address());
      RouteSpec q = NodeFixture.route("q", "q.example", v1.address(), v2.address());
      try (NodeFixture node = NodeFixture.start(churn, p, q);
          RawHttp probe = new RawHttp(node.port())) {
        Load load = new Load(node.port());
        List<String> pPicks = new ArrayList<>();
        try {
          probe(probe, pPicks);
          await("load flows to both").atMost(WAIT).until(() -> u1.count() > 50 && u2.count() > 50);

          // add u3 and u4
          node.put(withEndpoints(churn, ep(u1, 1), ep(u2, 1), ep(u3, 1), ep(u4, 1)));
          awaitServed(load, u3, u4);
          probe(probe, pPicks);

          // u2 to weight 0: it gets nothing after the publish but requests already on their way
          node.put(withEndpoints(churn, ep(u1, 1), ep(u2, 0), ep(u3, 1), ep(u4, 1)));
          int u2AtZero = u2.count();
          awaitServed(load, u3, u4);
          assertThat(u2.count()).as("u2 at weight 0").isLessThanOrEqualTo(u2AtZero + CLIENTS);
          probe(probe, pPicks);

          // remove u3
          node.put(withEndpoints(churn, ep(u1, 1), ep(u2, 0), ep(u4, 1)));
          int u3AtRemoval = u3.count();
          awaitServed(load, u1, u4);
          assertThat(u3.count()).as("u3 removed").isLessThanOrEqualTo(u3AtRemoval + CLIENTS);
          probe(probe, pPicks);

          // u2 back to weight 1, u3 back
          node.put(withEndpoints(churn, ep(u1, 1), ep(u2, 1), ep(u3, 1), ep(u4, 1)));
          awaitServed(load, u2, u3);
          probe(probe, pPicks);
        } finally {
          load.stop();
        }
        assertThat(load.failures).as("failed requests: " + load.firstFailure.get()).hasValue(0);
        assertThat(load.ok.get()).isGreaterThan(500);
        for (TestUpstream u : List.of(u1, u2, u3, u4)) {
          // Kept pools: nothing closed a connection, and each client needed at most one.
          assertThat(u.closedConnections()).as("closed connections of %s", u.address()).isZero();
          assertThat(u.connections()).as("connections to %s", u.address()).isBetween(1, CLIENTS);
        }
        // p's own rotation over its two endpoints, never disturbed by q's requests or the churn.
        assertThat(pPicks).hasSizeGreaterThan(40).contains("v1", "v2");
        for (int i = 1; i < pPicks.size(); i++) {
          assertThat(pPicks.get(i))
              .as("pick %d of p: %s", i, pPicks)
              .isNotEqualTo(pPicks.get(i - 1));
        }
      }
    } finally {
      for (TestUpstream u : all) {
        u.close();
      }
      vertx.close().await();
    }
  }

  /**
   * The same churn through a named backend that the route names: before the backend exists the
   * route answers 503 and the node reports it; then each change of the backend's endpoints is one
   * table write that recompiles no route, and no request fails.
   */
  @Test
  void endpoint_churn_of_a_named_backend_under_load_fails_no_request_and_recompiles_no_route()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    List<TestUpstream> all = new ArrayList<>();
    try {
      TestUpstream u1 = counting(vertx, all, "u1");
      TestUpstream u2 = counting(vertx, all, "u2");
      TestUpstream u3 = counting(vertx, all, "u3");
      TestUpstream u4 = counting(vertx, all, "u4");
      RouteSpec churn =
          NodeFixture.valid(
              NodeFixture.route("churn", "churn.example", u1.address())
                  .withBackends(List.of(RouteBackend.of(new BackendRef.Named("pool")))));
      try (NodeFixture node = NodeFixture.start(churn);
          RawHttp probe = new RawHttp(node.port())) {
        probe.send("GET /before HTTP/1.1\r\nHost: churn.example\r\n\r\n");
        assertThat(probe.read().status()).as("no backend pool yet").isEqualTo(503);
        assertThat(node.node().snapshots().get().problems())
            .anySatisfy(p -> assertThat(p.message()).contains("backend \"pool\" does not exist"));

        setPool(node, ep(u1, 1), ep(u2, 1));
        CompiledRoute compiled = node.node().snapshots().get().route(churn.key());
        assertThat(node.node().snapshots().get().problems()).isEmpty();
        Load load = new Load(node.port());
        try {
          await("load flows to both").atMost(WAIT).until(() -> u1.count() > 50 && u2.count() > 50);

          setPool(node, ep(u1, 1), ep(u2, 1), ep(u3, 1), ep(u4, 1));
          awaitServed(load, u3, u4);

          setPool(node, ep(u1, 1), ep(u2, 0), ep(u3, 1), ep(u4, 1));
          int u2AtZero = u2.count();
          awaitServed(load, u3, u4);
          assertThat(u2.count()).as("u2 at weight 0").isLessThanOrEqualTo(u2AtZero + CLIENTS);

          setPool(node, ep(u1, 1), ep(u2, 0), ep(u4, 1));
          int u3AtRemoval = u3.count();
          awaitServed(load, u1, u4);
          assertThat(u3.count()).as("u3 removed").isLessThanOrEqualTo(u3AtRemoval + CLIENTS);

          setPool(node, ep(u1, 1), ep(u2, 1), ep(u3, 1), ep(u4, 1));
          awaitServed(load, u2, u3);
        } finally {
          load.stop();
        }
        assertThat(load.failures).as("failed requests: " + load.firstFailure.get()).hasValue(0);
        assertThat(load.ok.get()).isGreaterThan(500);
        for (TestUpstream u : List.of(u1, u2, u3, u4)) {
          assertThat(u.closedConnections()).as("closed connections of %s", u.address()).isZero();
          assertThat(u.connections()).as("connections to %s", u.address()).isBetween(1, CLIENTS);
        }
        assertThat(node.node().snapshots().get().route(churn.key()))
            .as("endpoint changes of a named backend recompile no route")
            .isSameAs(compiled);
      }
    } finally {
      for (TestUpstream u : all) {
        u.close();
      }
      vertx.close().await();
    }
  }

  /** Writes the named backend {@code pool} and waits until the node serves it. */
  private static void setPool(NodeFixture node, Endpoint... endpoints) {
    BackendObject pool =
        new BackendObject(
            new BackendKey(TenantId.of("default"), "pool"),
            "rest",
            BackendSpec.http1(List.of(endpoints)));
    Outcome out = node.node().table().apply(Batch.of(Write.put(pool)));
    assertThat(out).isInstanceOf(Outcome.Applied.class);
    node.awaitGeneration(((Outcome.Applied) out).generation());
  }

  private static TestUpstream counting(Vertx vertx, List<TestUpstream> all, String name) {
    TestUpstream u = TestUpstream.counting(vertx, name);
    all.add(u);
    return u;
  }

  private static Endpoint ep(TestUpstream u, int weight) {
    return new Endpoint("127.0.0.1", u.port(), weight);
  }

  private static RouteSpec withEndpoints(RouteSpec route, Endpoint... endpoints) {
    return NodeFixture.valid(route.withBackend(BackendSpec.http1(List.of(endpoints))));
  }

  /**
   * Waits until the load went on for a while after a change and reached {@code a} and {@code b}.
   */
  private static void awaitServed(Load load, TestUpstream a, TestUpstream b) {
    int ok = load.ok.get();
    int aCount = a.count();
    int bCount = b.count();
    await("load after the change")
        .atMost(WAIT)
        .until(() -> load.ok.get() > ok + 200 && a.count() > aCount && b.count() > bCount);
  }

  /** Ten requests to p, each followed by one to q, on one keep-alive connection. */
  private static void probe(RawHttp probe, List<String> pPicks) throws Exception {
    for (int i = 0; i < 10; i++) {
      probe.send("GET /probe HTTP/1.1\r\nHost: p.example\r\n\r\n");
      RawHttp.Response r = probe.read();
      assertThat(r.status()).isEqualTo(200);
      pPicks.add(r.body());
      probe.send("GET /probe HTTP/1.1\r\nHost: q.example\r\n\r\n");
      assertThat(probe.read().status()).isEqualTo(200);
    }
  }

  /** Keep-alive clients sending one request after the other until stopped. */
  private static final class Load {
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Load(int port) {
      for (int c = 0; c < CLIENTS; c++) {
        Thread t = new Thread(() -> run(port), "churn-load-" + c);
        threads.add(t);
        t.start();
      }
    }

    private void run(int port) {
      RawHttp client = null;
      try {
        while (running.get()) {
          try {
            if (client == null) {
              client = new RawHttp(port);
            }
            client.send("GET /load HTTP/1.1\r\nHost: churn.example\r\n\r\n");
            RawHttp.Response r = client.read();
            if (r.status() >= 200 && r.status() < 300) {
              ok.incrementAndGet();
            } else {
              fail("status " + r.status() + " " + r.body());
              client.close();
              client = null;
            }
          } catch (Exception e) {
            fail(e.toString());
            closeQuietly(client);
            client = null;
          }
        }
      } finally {
        closeQuietly(client);
      }
    }

    private static void closeQuietly(RawHttp client) {
      if (client != null) {
        try {
          client.close();
        } catch (Exception ignored) {
          // already broken or at the end of the test
        }
      }
    }

    private void fail(String what) {
      failures.incrementAndGet();
      firstFailure.compareAndSet(null, what);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(15_000);
      }
    }
  }
}
