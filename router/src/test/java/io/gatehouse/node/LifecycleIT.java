package io.gatehouse.node;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Probes, graceful stop, and the real {@code Main} in a child JVM. */
@Timeout(120)
class LifecycleIT {
  static Vertx vertx;
  static TestUpstream up;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "up");
  }

  @AfterAll
  static void stop() {
    up.close();
    vertx.close().await();
  }

  private static int get(int port, String path) throws IOException {
    return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: status\r\n\r\n").status();
  }

  @Test
  void healthz_and_readyz_answer_200_once_started() throws Exception {
    try (NodeFixture node = NodeFixture.start(route("a", "a.example", up.address()))) {
      assertThat(get(node.statusPort(), "/healthz")).isEqualTo(200);
      assertThat(get(node.statusPort(), "/readyz")).isEqualTo(200);
      assertThat(get(node.statusPort(), "/nope")).isEqualTo(404);
    }
  }

  /**
   * A port 0 is one random port shared by every event loop's router: it was one random port each,
   * of which the node reported the first, so the others were listeners nobody asked for.
   */
  @Test
  void every_event_loop_listens_on_the_one_port_that_0_binds() throws Exception {
    try (NodeFixture node =
        NodeFixture.start(c -> c.withEventLoops(3), route("a", "a.example", up.address()))) {
      assertThat(node.node().routerPorts()).hasSize(3).containsOnly(List.of(node.port(), -1));
      for (int i = 0; i < 6; i++) {
        assertThat(
                RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n").status())
            .isEqualTo(200);
      }
    }
  }

  @Test
  void graceful_stop_fails_readiness_finishes_in_flight_then_stops_accepting() throws Exception {
    TestUpstream slow =
        TestUpstream.custom(
            vertx,
            req ->
                req.body()
                    .onSuccess(
                        b -> {
                          slow(req.response());
                        }));
    try {
      NodeFixture node =
          NodeFixture.start(
              c ->
                  c.withShutdown(
                      new NodeConfig.Shutdown(Duration.ofMillis(300), Duration.ofSeconds(10))),
              route("slow", "slow.example", slow.address()));
      int httpPort = node.port();
      int statusPort = node.statusPort();
      assertThat(get(statusPort, "/readyz")).isEqualTo(200);

      long t0 = System.nanoTime();
      CompletableFuture<RawHttp.Response> inFlight =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return RawHttp.exchange(
                      httpPort, "GET /slow HTTP/1.1\r\nHost: slow.example\r\n\r\n");
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      await("request in flight")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> node.node().inFlight() == 1);

      Future<Void> stopped = node.node().stop();
      // Readiness fails at once, while the request is still in flight.
      assertThat(get(statusPort, "/readyz")).isEqualTo(503);
      assertThat(inFlight).isNotDone();

      RawHttp.Response r = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow done");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
          .as("the request outlived the readiness grace")
          .isGreaterThanOrEqualTo(900);

      stopped.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertThatThrownBy(() -> new Socket("127.0.0.1", httpPort).close())
          .isInstanceOf(ConnectException.class);
    } finally {
      slow.close();
    }
  }

  private static void slow(io.vertx.core.http.HttpServerResponse resp) {
    vertx.setTimer(1000, id -> resp.end("slow done"));
  }

  // --- Main in a child JVM ---

  private static int freePort() {
    // Port 0 cannot be used here: the port must be known from outside the child process.
    return ClusterProcesses.freePort();
  }

  /** A child JVM running Main with {@code args}; stdout and stderr merged into {@code lines}. */
  private static Process launch(List<String> lines, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx192m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.gatehouse.node.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_"));
    Process p = pb.start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("reader: " + e);
              }
            },
            "child-output");
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private static int exit(Process p) throws InterruptedException {
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not exit");
    }
    return p.exitValue();
  }

  @Test
  void main_serves_and_stops_on_sigterm() throws Exception {
    int http = freePort();
    int status = freePort();
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p =
        launch(
            lines,
            "--http-host",
            "127.0.0.1",
            "--http-port",
            Integer.toString(http),
            "--status-port",
            Integer.toString(status),
            "--set",
            "shutdown.readinessGrace=0s",
            "--set",
            "store.dir=" + dir.resolve("store"),
            "--set",
            "admin.port=0",
            "--route",
            "main.example=" + up.address());
    try {
      await("child ready")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(() -> get(status, "/readyz") == 200);
      // A freshly started JVM may shed a first request with 503 while its event loops lag
      // (OverloadGuard); the node must serve once warm.
      await("request served")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  RawHttp.exchange(http, "GET /hello HTTP/1.1\r\nHost: main.example\r\n\r\n")
                      .body()
                      .equals("up"));

      // SIGTERM. Not Process.destroy(): it also closes our end of the child's stdout, and the
      // lines written during shutdown would be lost.
      assertThat(p.toHandle().destroy()).isTrue();
      int code = exit(p);
      assertThat(code).as("exit after SIGTERM; output: %s", lines).isEqualTo(143);
      await("stopped logged")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .untilAsserted(() -> assertThat(lines).anyMatch(l -> l.contains("stopped")));
      assertThat(lines).anyMatch(l -> l.contains("gatehouse started"));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void main_help_exits_0_listing_options() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = launch(lines, "--help");
    assertThat(exit(p)).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> String.join("\n", lines).contains("--set"));
    String out = String.join("\n", lines);
    assertThat(out)
        .contains("--config", "--http-port", "--status-port", "--routes-file", "--route", "--set")
        .contains("limits.");
  }

  @Test
  void main_unknown_config_key_exits_2_naming_it() throws Exception {
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, "http:\n  port: 8080\n  bogusKey: 1\n");
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = launch(lines, "--config", config.toString());
    assertThat(exit(p)).isEqualTo(2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> String.join("\n", lines).contains("http.bogusKey"));
    assertThat(String.join("\n", lines)).contains("unknown configuration key");
  }
}
