package io.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeProcess;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart of three nodes behind a local HAProxy (the Debian package) that health-checks
 * each node's {@code /readyz}, under a fixed request rate: each node in turn gets SIGTERM, fails
 * readiness, drains, leaves the cluster and starts again. Skipped where haproxy is not installed;
 * the graceful path is also covered without it (the node's shutdown tests and {@code ClusterIT}).
 */
@Timeout(400)
class RollingRestartIT {
  private static final int RATE = 200;

  @TempDir Path dir;
  private final List<Process> haproxy = new ArrayList<>();
  private ClusterProcesses cluster;
  private Vertx vertx;
  private TestUpstream upstream;

  @AfterEach
  void tearDown() {
    haproxy.forEach(Process::destroyForcibly);
    if (cluster != null) {
      cluster.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  private static Optional<String> haproxyPath() {
    return List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy").stream()
        .filter(p -> Files.isExecutable(Path.of(p)))
        .findFirst();
  }

  @Test
  void a_rolling_restart_behind_haproxy_keeps_at_least_four_nines() throws Exception {
    assumeTrue(haproxyPath().isPresent(), "haproxy (Debian package) is not installed");
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "app");
    cluster = new ClusterProcesses(dir, 3);
    Path routes = dir.resolve("routes.yaml");
    Files.writeString(
        routes,
        "routes:\n  - name: app\n    hosts: [app.example]\n    backend:\n      endpoints: [\""
            + upstream.address()
            + "\"]\n");
    // Every node reads the same routes file: a restarted node writes the same content (a no-op).
    String extra =
        "shutdown: {readinessGrace: 2s, drainTimeout: 10s}\nroutes: {file: \"" + routes + "\"}\n";
    // Fixed ports per slot, so HAProxy's configuration stays valid across restarts.
    int[][] slots = new int[3][];
    NodeProcess[] nodes = new NodeProcess[3];
    for (int i = 0; i < 3; i++) {
      slots[i] = new int[] {ClusterProcesses.freePort(), ClusterProcesses.freePort()};
      nodes[i] = cluster.start(i, extra, slots[i][0], slots[i][1]);
    }
    int front = ClusterProcesses.freePort();
    startHaproxy(front, slots);
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(16));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> get(client, front).toCompletionStage().toCompletableFuture().get().code == 200);

    AtomicLong ok = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    long timer =
        vertx.setPeriodic(
            1000 / (RATE / 10),
            id -> {
              for (int k = 0; k < 10; k++) {
                sent.incrementAndGet();
                get(client, front)
                    .onSuccess(
                        status -> {
                          if (status.code == 200) {
                            ok.incrementAndGet();
                          } else {
                            count(errors, "status " + status.code + " " + status.server);
                          }
                        })
                    .onFailure(
                        t -> count(errors, t.getClass().getSimpleName() + ": " + t.getMessage()));
              }
            });

    await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() > RATE * 2);
    for (int i = 0; i < 3; i++) {
      NodeProcess leaving = nodes[i];
      int exit = leaving.terminate();
      // 143 = 128 + SIGTERM: the JVM's status after its shutdown hook ran.
      assertThat(exit).as("node %d exit code after SIGTERM", i).isIn(0, 143);
      assertThat(leaving.lines()).anyMatch(l -> l.contains("\"stopped\""));
      nodes[i] = cluster.start(i, extra, slots[i][0], slots[i][1]);
      NodeProcess back = nodes[i];
      await().atMost(Duration.ofSeconds(30)).until(() -> back.memberCount() == 3);
      // Let HAProxy see it up again (rise 2 × 200 ms) before the next one goes.
      long mark = ok.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() > mark + RATE * 2);
    }
    vertx.cancelTimer(timer);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ok.get() + errors.values().stream().mapToLong(AtomicLong::get).sum() == sent.get());

    long total = sent.get();
    double ratio = (double) ok.get() / total;
    System.out.printf(
        "rolling restart: %d requests at %d/s, %d ok, success ratio %.5f, errors %s%n",
        total, RATE, ok.get(), ratio, new TreeMap<>(errors));
    assertThat(ratio).as("success ratio, errors: %s", errors).isGreaterThanOrEqualTo(0.9999);
  }

  private static void count(Map<String, AtomicLong> errors, String what) {
    errors.computeIfAbsent(what, s -> new AtomicLong()).incrementAndGet();
  }

  /** A status, and who answered: a Gatehouse page names itself, HAProxy's does not. */
  record Answer(int code, String server) {}

  private static Future<Answer> get(HttpClient client, int port) {
    return client
        .request(
            new RequestOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/")
                .putHeader("host", "app.example")
                .setTimeout(10_000))
        .compose(
            req ->
                req.send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        new Answer(
                                            resp.statusCode(),
                                            b.toString().contains("HAProxy")
                                                    || b.toString()
                                                        .contains("No server is available")
                                                ? "haproxy"
                                                : "gatehouse"))));
  }

  private void startHaproxy(int front, int[][] slots) throws Exception {
    StringBuilder cfg =
        new StringBuilder(
            "global\n  maxconn 1024\n"
                + "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n"
                + "  timeout server 30s\n  retries 3\n  option redispatch\n"
                + "  retry-on all-retryable-errors\n  http-reuse safe\n"
                + "frontend edge\n  bind 127.0.0.1:"
                + front
                + "\n  default_backend nodes\n"
                + "backend nodes\n  balance roundrobin\n"
                + "  option httpchk GET /readyz\n  http-check expect status 200\n"
                // Two failed checks (not one) mark a node down: a single slow answer on a busy
                // machine must not empty the pool. Readiness fails 2 s before draining starts.
                + "  timeout check 1s\n"
                + "  default-server inter 200ms fall 2 rise 2\n");
    for (int i = 0; i < slots.length; i++) {
      cfg.append("  server n")
          .append(i)
          .append(" 127.0.0.1:")
          .append(slots[i][0])
          .append(" check port ")
          .append(slots[i][1])
          .append('\n');
    }
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, cfg.toString());
    Process p =
        new ProcessBuilder(haproxyPath().orElseThrow(), "-db", "-f", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    haproxy.add(p);
    assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("haproxy keeps running").isFalse();
  }
}
