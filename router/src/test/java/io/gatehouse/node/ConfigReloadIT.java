package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's configuration file reloaded at runtime, as {@code java -jar} runs it (the command line
 * reads the file; the node watches it): the log level and the access log's fields are applied, a
 * bad file and a key that needs a restart are refused whole and the node keeps its settings, and a
 * forced reload (SIGHUP's) reopens the access log's file after a rotation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ConfigReloadIT {
  @TempDir static Path dir;
  Path file;
  Path accessFile;
  Vertx vertx;
  TestUpstream upstream;
  HttpClientAgent client;
  GatehouseNode node;
  ch.qos.logback.classic.Logger root;
  Level rootLevel;
  Level accessLevel;

  String config(String log) {
    return """
        http: {host: 127.0.0.1, port: 0}
        status: {host: 127.0.0.1, port: 0}
        admin: {enabled: false}
        store: {dir: ""}
        eventLoops: 1
        shutdown: {readinessGrace: 0s, drainTimeout: 5s}
        log:
          access: true
          accessFile: "%s"
        %s
        """
        .formatted(accessFile, log.indent(2).stripTrailing());
  }

  void write(String text) throws Exception {
    WatchedNode.write(file, text);
  }

  @BeforeAll
  void start() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    accessLevel = ctx.getLogger(LogLevels.ACCESS_LOGGER).getLevel();
    file = dir.resolve("gatehouse.yaml");
    accessFile = dir.resolve("access.log");
    write(config("level: warn\naccessFields: [method, path, status]"));
    vertx = Vertx.vertx();
    upstream = TestUpstream.counting(vertx, "ok");
    client = vertx.createHttpClient();
    node = WatchedNode.start(file, upstream.address());
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.stop().await(30, TimeUnit.SECONDS);
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root.setLevel(rootLevel);
    ctx.getLogger(LogLevels.ACCESS_LOGGER).setLevel(accessLevel);
  }

  void get(String requestId) throws Exception {
    get(requestId, "");
  }

  void get(String requestId, String forwardedFor) throws Exception {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.httpPort())
            .setURI("/p")
            .putHeader("host", "shop.test")
            .putHeader("x-request-id", requestId);
    if (!forwardedFor.isEmpty()) {
      options.putHeader("x-forwarded-for", forwardedFor);
    }
    HttpClientResponse r =
        client
            .request(options)
            .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp)))
            .await(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
  }

  /** The access file's line for {@code requestId}'s request, once written. */
  String lineOf(Path in, String requestId, int linesBefore) throws Exception {
    return lineOf(in, requestId, "", linesBefore);
  }

  String lineOf(Path in, String requestId, String forwardedFor, int linesBefore) throws Exception {
    get(requestId, forwardedFor);
    List<String> lines = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              lines.clear();
              if (Files.exists(in)) {
                lines.addAll(Files.readAllLines(in));
              }
              return lines.size() > linesBefore;
            });
    assertThat(lines).hasSize(linesBefore + 1);
    return lines.get(linesBefore);
  }

  JsonObject reloadStatus() {
    return WatchedNode.reloadStatus(node);
  }

  JsonObject awaitReload(long applied, String result) {
    return WatchedNode.awaitReload(node, applied, result);
  }

  @Test
  @Order(1)
  void log_settings_reload_and_bad_or_restart_only_changes_are_refused_whole() throws Exception {
    assertThat(new JsonObject(lineOf(accessFile, "one", 0)).fieldNames())
        .containsExactly("method", "path", "status");

    write(config("level: error\naccessFields: [route, requestId, status]"));
    JsonObject last = awaitReload(1, "applied");
    assertThat(last.getString("detail")).isEqualTo("log.level, log.accessFields");
    assertThat(root.getLevel()).isEqualTo(Level.ERROR);
    JsonObject two = new JsonObject(lineOf(accessFile, "two", 1));
    assertThat(two.fieldNames()).containsExactly("route", "requestId", "status");
    assertThat(two.getString("requestId")).isEqualTo("two");

    write(config("level: debug\naccessFields: [route, nope]"));
    last = awaitReload(1, "refused");
    assertThat(last.getString("detail"))
        .startsWith("bad value for configuration key \"log.accessFields\" in " + file + " line");
    assertThat(root.getLevel()).isEqualTo(Level.ERROR);
    assertThat(new JsonObject(lineOf(accessFile, "three", 2)).fieldNames())
        .containsExactly("route", "requestId", "status");

    write(config("level: debug").replace("port: 0}\nstatus", "port: 1}\nstatus"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> reloadStatus().getJsonObject("last").getString("detail").contains("http.port"));
    assertThat(reloadStatus().getJsonObject("last").getString("detail"))
        .startsWith("configuration key \"http.port\" cannot change while the node runs");
    assertThat(reloadStatus().getLong("applied")).isEqualTo(1);
    assertThat(root.getLevel()).isEqualTo(Level.ERROR);

    write(config("level: warn\naccessFormat: text\naccessFields: [requestId, status]"));
    awaitReload(2, "applied");
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(lineOf(accessFile, "four", 3)).isEqualTo("\"four\" 200");
    assertThat(node.statusJson().getJsonObject("accessLog").getLong("written")).isEqualTo(4);
    String metrics =
        client
            .request(HttpMethod.GET, node.statusPort(), "127.0.0.1", "/metrics")
            .compose(req -> req.send().compose(resp -> resp.body()))
            .await(10, TimeUnit.SECONDS)
            .toString();
    assertThat(metrics)
        .contains("gatehouse_access_log_lines_total{outcome=\"written\"} 4.0")
        .contains("gatehouse_access_log_lines_total{outcome=\"dropped\"} 0.0");
  }

  @Test
  @Order(2)
  void a_forced_reload_reopens_the_access_file_after_a_rotation() throws Exception {
    Path rotated = dir.resolve("access.log.1");
    int before = Files.exists(accessFile) ? Files.readAllLines(accessFile).size() : 0;
    lineOf(accessFile, "before-rotation", before);
    Files.move(accessFile, rotated);
    assertThat(node.reloadConfig()).isEqualTo("applied"); // what SIGHUP calls
    String line = lineOf(accessFile, "after-rotation", 0);
    assertThat(line).contains("after-rotation");
    assertThat(Files.readString(rotated)).contains("before-rotation").doesNotContain("after");
  }

  @Test
  @Order(3)
  void trusted_proxies_reload_and_the_next_request_names_the_forwarded_client() throws Exception {
    String log = "level: warn\naccessFormat: text\naccessFields: [requestId, client]";
    long applied = reloadStatus().getLong("applied");
    write(config(log));
    awaitReload(applied + 1, "applied");
    int lines = Files.readAllLines(accessFile).size();
    assertThat(lineOf(accessFile, "x1", "203.0.113.7", lines)).isEqualTo("\"x1\" \"127.0.0.1\"");

    write(config(log) + "proxy: {trustedProxies: [\"127.0.0.1/32\"]}\n");
    JsonObject last = awaitReload(applied + 2, "applied");
    assertThat(last.getString("detail")).isEqualTo("proxy.trustedProxies");
    assertThat(lineOf(accessFile, "x2", "203.0.113.7", lines + 1))
        .isEqualTo("\"x2\" \"203.0.113.7\"");

    write(config(log) + "proxy: {trustedProxies: [\"127.0.0.1/33\"]}\n");
    last = awaitReload(applied + 2, "refused");
    assertThat(last.getString("detail")).contains("\"proxy.trustedProxies\"");
    assertThat(lineOf(accessFile, "x3", "203.0.113.8", lines + 2))
        .isEqualTo("\"x3\" \"203.0.113.8\"");
  }
}
