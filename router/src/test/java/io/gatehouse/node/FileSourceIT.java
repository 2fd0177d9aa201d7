package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node fed by a routes file: edits are served within a second, broken edits change nothing. */
@Timeout(60)
class FileSourceIT {
  static Vertx vertx;
  static TestUpstream a;
  static TestUpstream b;

  @TempDir Path dir;

  @BeforeAll
  static void upstreams() {
    vertx = Vertx.vertx();
    a = TestUpstream.named(vertx, "A");
    b = TestUpstream.named(vertx, "B");
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
    vertx.close().await();
  }

  private static String routes(TestUpstream up) {
    return "routes:\n"
        + "  - name: files\n"
        + "    hosts: [files.example]\n"
        + "    backend:\n"
        + "      endpoints: [\""
        + up.address()
        + "\"]\n";
  }

  /** Line 4 holds the mistake. */
  private static String broken(TestUpstream up) {
    return "routes:\n"
        + "  - name: files\n"
        + "    hosts: [files.example]\n"
        + "    paths: [no-leading-slash]\n"
        + "    backend:\n"
        + "      endpoints: [\""
        + up.address()
        + "\"]\n";
  }

  /** Replaces the file in one step, as editors and ConfigMap updates do. */
  private void write(Path file, String text) throws IOException {
    Path tmp = Files.createTempFile(dir, "routes", ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String served(NodeFixture node) throws IOException {
    RawHttp.Response r =
        RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: files.example\r\n\r\n");
    return r.status() + " " + r.body();
  }

  private static JsonObject status(NodeFixture node) throws IOException {
    RawHttp.Response r =
        RawHttp.exchange(node.statusPort(), "GET /status HTTP/1.1\r\nHost: status\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  void edits_are_served_within_a_second_and_broken_edits_keep_the_last_good_routes()
      throws Exception {
    Path file = dir.resolve("routes.yaml");
    write(file, routes(a));
    Duration poll = NodeConfig.DEFAULTS.routes().pollInterval();
    try (NodeFixture node =
        NodeFixture.start(c -> c.withRoutes(new NodeConfig.Routes(file.toString(), poll)))) {
      assertThat(served(node)).isEqualTo("200 A");
      assertThat(status(node).getJsonObject("fileSource").getInteger("routes")).isEqualTo(1);

      // An edit: served by the new upstream through the proxy within 1 s of the write.
      write(file, routes(b));
      long t0 = System.nanoTime();
      await("edit served")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> served(node).equals("200 B"));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(ms).as("write-to-served time in ms").isLessThan(1000);

      // A broken edit: still served by B; the log and /status name the line.
      ch.qos.logback.classic.Logger sourceLog =
          (ch.qos.logback.classic.Logger)
              org.slf4j.LoggerFactory.getLogger(io.gatehouse.file.FileRouteSource.class);
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
          new ch.qos.logback.core.read.ListAppender<>();
      logged.start();
      sourceLog.addAppender(logged);
      write(file, broken(a));
      await("error reported")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> status(node).getJsonObject("fileSource").getString("lastError") != null);
      String error = status(node).getJsonObject("fileSource").getString("lastError");
      assertThat(error)
          .contains(file.toString())
          .contains("line 4")
          .contains("no-leading-slash")
          .contains("starts with '/'");
      await("reason logged").atMost(Duration.ofSeconds(5)).until(() -> !logged.list.isEmpty());
      sourceLog.detachAppender(logged);
      ch.qos.logback.classic.spi.ILoggingEvent warn = logged.list.get(0);
      assertThat(warn.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
      assertThat(warn.getKeyValuePairs().toString())
          .contains("line")
          .contains("4")
          .contains("starts with '/'");
      assertThat(status(node).getBoolean("ready")).isTrue();
      for (int i = 0; i < 5; i++) {
        assertThat(served(node)).isEqualTo("200 B");
      }

      // Fixed: served again, and the error is gone.
      write(file, routes(a));
      await("fix served")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> served(node).equals("200 A"));
      await("error cleared")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> status(node).getJsonObject("fileSource").getString("lastError") == null);
    }
  }

  @Test
  void a_deleted_file_keeps_serving_and_reports_it() throws Exception {
    Path file = dir.resolve("routes.yaml");
    write(file, routes(a));
    try (NodeFixture node =
        NodeFixture.start(
            c -> c.withRoutes(new NodeConfig.Routes(file.toString(), Duration.ofMillis(50))))) {
      Files.delete(file);
      await("deletion reported")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  String.valueOf(status(node).getJsonObject("fileSource").getString("lastError"))
                      .contains("file not found"));
      assertThat(served(node)).isEqualTo("200 A");
    }
  }

  /**
   * A Service reference resolves only through the node's Kubernetes endpoint feed. Without one the
   * route could never have endpoints, so it is a problem of the file at its line (not a route that
   * answers 503 without saying why), and the file's other routes are served.
   */
  @Test
  void a_service_backend_on_a_node_without_kubernetes_is_reported_at_its_line_and_left_out()
      throws Exception {
    Path file = dir.resolve("routes.yaml");
    write(
        file,
        routes(a)
            + "  - name: by-service\n"
            + "    hosts: [svc.example]\n"
            + "    backendRefs:\n"
            + "      - weight: 1\n"
            + "        service: {name: web, port: http}\n");
    try (NodeFixture node =
        NodeFixture.start(
            c -> c.withRoutes(new NodeConfig.Routes(file.toString(), Duration.ofMillis(50))))) {
      assertThat(served(node)).isEqualTo("200 A");
      JsonObject fileSource = status(node).getJsonObject("fileSource");
      assertThat(fileSource.getString("lastError"))
          .as(fileSource.encode())
          .contains(file.toString())
          .contains("line 10: routes[1].backendRefs[0].service: \"web\"")
          .contains("(expected: ")
          .contains("kubernetes.enabled");
      assertThat(fileSource.getInteger("routes")).isEqualTo(1);
      assertThat(status(node).getBoolean("ready")).isTrue();
      assertThat(
              RawHttp.exchange(node.port(), "GET / HTTP/1.1\r\nHost: svc.example\r\n\r\n").status())
          .as("no route: the host is not served at all")
          .isEqualTo(404);
    }
  }
}
