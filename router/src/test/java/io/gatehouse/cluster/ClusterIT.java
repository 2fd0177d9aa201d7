package io.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeProcess;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes on loopback sharing one table: a route given to one node is served by all, a
 * killed node costs the survivors nothing and comes back at the same generation, and a hung node is
 * detected within the documented time.
 */
@Timeout(300)
class ClusterIT {
  @TempDir Path dir;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private ClusterProcesses cluster;
  private Vertx vertx;
  private TestUpstream upstream;
  private Path routes;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new ClusterProcesses(dir, 3);
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "app");
    routes = dir.resolve("routes.yaml");
    writeRoutes("app.example");
  }

  @AfterEach
  void tearDown() {
    cluster.close();
    upstream.close();
    vertx.close();
  }

  private void writeRoutes(String... hosts) throws IOException {
    StringBuilder b = new StringBuilder("routes:\n");
    for (String h : hosts) {
      b.append("  - name: ")
          .append(h.replace('.', '-'))
          .append("\n    hosts: [")
          .append(h)
          .append("]\n    backend:\n      endpoints: [\"")
          .append(upstream.address())
          .append("\"]\n");
    }
    Path tmp = dir.resolve("routes.tmp");
    Files.writeString(tmp, b.toString());
    Files.move(tmp, routes, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private NodeProcess start(int index) throws Exception {
    String extra =
        "shutdown: {readinessGrace: 0s, drainTimeout: 5s}\n"
            + (index == 0 ? "routes: {file: \"" + routes + "\", pollInterval: 50ms}\n" : "");
    NodeProcess n = cluster.start(index, extra);
    nodes.add(n);
    return n;
  }

  private static void awaitServed(NodeProcess n, String host) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> n.get(host, "/") == 200);
  }

  @Test
  void a_route_given_to_one_node_is_served_by_every_node() throws Exception {
    NodeProcess a = start(0);
    NodeProcess b = start(1);
    NodeProcess c = start(2);
    for (NodeProcess n : List.of(a, b, c)) {
      awaitServed(n, "app.example");
    }
    writeRoutes("app.example", "late.example");
    for (NodeProcess n : List.of(a, b, c)) {
      awaitServed(n, "late.example");
    }
    assertThat(b.get("nothing.example", "/")).isEqualTo(404);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.memberCount() == 3 && b.memberCount() == 3 && c.memberCount() == 3);
  }

  @Test
  void killing_one_node_under_load_fails_no_request_to_the_others_and_it_rejoins()
      throws Exception {
    NodeProcess a = start(0);
    NodeProcess b = start(1);
    NodeProcess c = start(2);
    for (NodeProcess n : List.of(a, b, c)) {
      awaitServed(n, "app.example");
    }
    Load load = new Load(List.of(a, b), "app.example");
    load.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() > 200);
    long killedAt = System.nanoTime();
    c.kill9();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> a.memberCount() == 2);
    System.out.printf(
        "killed member removed after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    long afterKill = load.ok.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() > afterKill + 500);
    // A change made while the node is down reaches it when it comes back.
    writeRoutes("app.example", "while-down.example");
    awaitServed(a, "while-down.example");
    load.stop();

    assertThat(load.failures).as("failed requests to the survivors").isEmpty();
    assertThat(load.ok.get()).isGreaterThan(700);

    NodeProcess back = start(2);
    awaitServed(back, "while-down.example");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> back.tableGeneration() == a.tableGeneration());
    assertThat(back.memberCount()).isEqualTo(3);
  }

  @Test
  void a_hung_node_is_detected_within_the_documented_time_and_the_others_keep_serving()
      throws Exception {
    NodeProcess a = start(0);
    NodeProcess b = start(1);
    NodeProcess c = start(2);
    for (NodeProcess n : List.of(a, b, c)) {
      awaitServed(n, "app.example");
    }
    Load load = new Load(List.of(a, b), "app.example");
    load.start();
    long stoppedAt = System.nanoTime();
    c.suspend();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> a.memberCount() == 2 && b.memberCount() == 2);
    long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
    long before = load.ok.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() > before + 200);
    load.stop();
    System.out.printf("hung member removed after %d ms (maxNoHeartbeat 5s)%n", detectedMs);
    // maxNoHeartbeat (5 s) plus one heartbeat and the suspicion round.
    assertThat(detectedMs).isLessThan(12_000);
    assertThat(load.failures).isEmpty();
  }

  @Test
  void two_clusters_with_different_names_on_one_machine_never_merge() throws Exception {
    NodeProcess a = start(0);
    // Another cluster whose member list names this cluster's member: the names differ, so the
    // two must stay apart.
    try (ClusterProcesses other =
        new ClusterProcesses(dir.resolve("other"), 1).alsoList("127.0.0.1:" + cluster.port(0))) {
      NodeProcess stranger = other.start(0, "");
      NodeProcess b = start(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> a.memberCount() == 2);
      assertThat(stranger.memberCount()).isEqualTo(1);
      awaitServed(b, "app.example");
      assertThat(stranger.get("app.example", "/")).isEqualTo(404);
    }
  }

  /** Steady GETs from four threads, spread over the given nodes. */
  static final class Load {
    final AtomicLong ok = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final List<NodeProcess> targets;
    private final String host;

    Load(List<NodeProcess> targets, String host) {
      this.targets = targets;
      this.host = host;
    }

    void start() {
      for (int t = 0; t < 4; t++) {
        int offset = t;
        threads.execute(
            () -> {
              int i = offset;
              while (running.get()) {
                NodeProcess n = targets.get(i++ % targets.size());
                try {
                  int status = n.get(host, "/");
                  if (status == 200) {
                    ok.incrementAndGet();
                  } else {
                    failures.add("status " + status + " from port " + n.httpPort());
                  }
                } catch (Exception e) {
                  failures.add(e + " from port " + n.httpPort());
                }
              }
            });
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      threads.shutdown();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
