package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.gatehouse.testing.NodeProcess;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged node in its own JVM: SIGHUP reaches the handler ({@code sun.misc.Signal}), reloads
 * the configuration file and reopens the access file after a rotation; the file watch applies an
 * edit without a signal.
 */
@Timeout(180)
class SighupIT {
  @TempDir Path dir;

  String yaml(Path routes, Path access, String fields) {
    return "http: {host: 127.0.0.1, port: 0}\n"
        + "status: {host: 127.0.0.1, port: 0}\n"
        + "admin: {enabled: false}\n"
        + "eventLoops: 1\n"
        + "store: {dir: \"\"}\n"
        + "routes: {file: \""
        + routes
        + "\"}\n"
        + "log: {level: info, accessFile: \""
        + access
        + "\", accessFormat: text, accessFields: ["
        + fields
        + "]}\n";
  }

  static List<String> awaitLines(Path file, int n) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(file) && Files.readAllLines(file).size() >= n);
    try {
      return Files.readAllLines(file);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  void hangup(NodeProcess node) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(node.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  /**
   * Whether this JVM ignores SIGHUP (started under {@code nohup}): the nodes it starts inherit
   * that, and the JVM leaves an ignored shutdown signal ignored, handler or not.
   */
  static boolean sighupIgnoredHere() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L) != 0;
      }
    }
    return false;
  }

  /** A routes file sending {@code a.example} to {@code up}. */
  private Path routesTo(TestUpstream up) throws IOException {
    Path routes = dir.resolve("routes.yaml");
    Files.writeString(
        routes,
        "routes:\n  - name: a\n    hosts: [a.example]\n    backend:\n      endpoints: [\""
            + up.address()
            + "\"]\n");
    return routes;
  }

  @Test
  void sighup_reopens_the_rotated_access_file_and_an_edit_is_applied_by_the_watch()
      throws Exception {
    assumeFalse(
        sighupIgnoredHere(),
        "SIGHUP is ignored by this JVM (started under nohup?), and so by the nodes it starts");
    Vertx vertx = Vertx.vertx();
    TestUpstream up = TestUpstream.counting(vertx, "up");
    Path routes = routesTo(up);
    Path access = dir.resolve("access.log");
    try (NodeProcess node = NodeProcess.start(dir, "hup", yaml(routes, access, "path, status"))) {
      assertThat(node.get("a.example", "/one")).isEqualTo(200);
      assertThat(awaitLines(access, 1)).containsExactly("\"/one\" 200");

      Path rotated = dir.resolve("access.log.1");
      Files.move(access, rotated);
      hangup(node);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> node.lines().stream().anyMatch(l -> l.contains("\"SIGHUP\"")));
      assertThat(node.get("a.example", "/two")).isEqualTo(200);
      assertThat(awaitLines(access, 1)).containsExactly("\"/two\" 200");
      assertThat(Files.readAllLines(rotated)).containsExactly("\"/one\" 200");

      // The watch, no signal: the node's own file (NodeProcess names it NAME.yaml) is edited.
      Path config = dir.resolve("hup.yaml");
      Path next = dir.resolve("next.yaml");
      Files.writeString(next, yaml(routes, access, "status, path, method"));
      Files.move(next, config, StandardCopyOption.REPLACE_EXISTING);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  node.status().getJsonObject("configReload").getLong("applied") == 2
                      && node.lines().stream()
                          .anyMatch(l -> l.contains("\"configuration reloaded\"")));
      assertThat(node.get("a.example", "/three")).isEqualTo(200);
      assertThat(awaitLines(access, 2)).containsExactly("\"/two\" 200", "200 \"/three\" \"GET\"");
      assertThat(
              node.status().getJsonObject("configReload").getJsonObject("last").getString("result"))
          .isEqualTo("applied");
    } finally {
      up.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_node_started_with_sighup_ignored_says_so_and_a_hangup_leaves_it_serving()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    TestUpstream up = TestUpstream.counting(vertx, "up");
    Path routes = routesTo(up);
    try (NodeProcess node =
        NodeProcess.start(
            dir,
            "nohup",
            yaml(routes, dir.resolve("access.log"), "path, status"),
            List.of("-Xmx192m"),
            List.of("nohup"))) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  node.lines().stream()
                      .anyMatch(l -> l.contains("SIGHUP was ignored when the node started")));
      hangup(node);
      // ignored: neither a reload nor the JVM's shutdown; the node answers on
      assertThat(node.get("a.example", "/after")).isEqualTo(200);
      assertThat(node.lines()).noneMatch(l -> l.contains("\"SIGHUP\""));
    } finally {
      up.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
