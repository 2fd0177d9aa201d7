package io.gatehouse.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Gatehouse node in its own JVM, started from the packaged jar, so a test can kill it for real
 * (SIGKILL) or hang it (SIGSTOP). Its log lines are kept for the test and written to a file.
 */
public final class NodeProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  // Java's client refuses to set Host; the router is reached with Vert.x's.
  private static final io.vertx.core.http.HttpClient CLIENT =
      Vertx.vertx()
          .createHttpClient(
              new HttpClientOptions().setKeepAlive(true).setConnectTimeout(2000),
              new PoolOptions().setHttp1MaxSize(8));

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final CompletableFuture<JsonObject> started = new CompletableFuture<>();
  private volatile int httpPort = -1;
  private volatile int statusPort = -1;
  private final Thread reader;

  private NodeProcess(Process process, Path log) {
    this.process = process;
    reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  var out = Files.newBufferedWriter(log)) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                  out.write(line);
                  out.newLine();
                  out.flush();
                  if (line.contains("\"gatehouse started\"")) {
                    started.complete(new JsonObject(line));
                  } else if (line.contains("\"gatehouse failed to start\"")) {
                    started.completeExceptionally(new IllegalStateException(line));
                  }
                }
              } catch (IOException e) {
                // The process ended.
              }
              started.completeExceptionally(new IllegalStateException("node exited: " + lines));
            },
            "node-log-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** The packaged node (Failsafe runs after {@code package}). */
  public static Path jar() {
    Path jar = Path.of("target", "gatehouse.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: run the integration tests through mvn verify");
    }
    return jar;
  }

  /** Starts a node with {@code yaml} as its configuration file and waits until it serves. */
  public static NodeProcess start(Path dir, String name, String yaml) throws Exception {
    return start(dir, name, yaml, List.of("-Xmx192m"));
  }

  /** As {@link #start(Path, String, String)}, with the heap options {@code heap} instead. */
  public static NodeProcess start(Path dir, String name, String yaml, List<String> heap)
      throws Exception {
    return start(dir, name, yaml, heap, List.of());
  }

  /**
   * As {@link #start(Path, String, String, List)}, the command run by {@code wrapper} (e.g. {@code
   * nohup}) when not empty.
   */
  public static NodeProcess start(
      Path dir, String name, String yaml, List<String> heap, List<String> wrapper)
      throws Exception {
    Files.createDirectories(dir);
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, yaml);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(wrapper);
    command.add(java);
    command.addAll(heap);
    command.addAll(
        List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            jar().toString(),
            "--config",
            config.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    NodeProcess node = new NodeProcess(p, dir.resolve(name + ".log"));
    try {
      JsonObject line = node.started.get(90, TimeUnit.SECONDS);
      node.httpPort = line.getInteger("httpPort");
      node.statusPort = line.getInteger("statusPort");
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
    return node;
  }

  public int httpPort() {
    return httpPort;
  }

  public int statusPort() {
    return statusPort;
  }

  public long pid() {
    return process.pid();
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** GET {@code /status} on the node's status port. */
  public JsonObject status() throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/status"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body());
  }

  /** Members this node currently sees. */
  public int memberCount() throws IOException, InterruptedException {
    return status().getJsonObject("cluster").getJsonArray("members").size();
  }

  public long tableGeneration() throws IOException, InterruptedException {
    return status().getJsonObject("cluster").getLong("tableGeneration");
  }

  /** GET {@code path} with {@code Host: host} through the node's HTTP listener; the status. */
  public int get(String host, String path) throws Exception {
    return CLIENT
        .request(
            new RequestOptions()
                .setHost("127.0.0.1")
                .setPort(httpPort)
                .setURI(path)
                .putHeader("host", host)
                .setTimeout(5000))
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the graceful path. Returns the exit code. */
  public int terminate() throws IOException, InterruptedException {
    // Not Process.destroy(): it closes our end of the pipe, losing the node's last log lines.
    signal("TERM");
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    // The last lines may still sit in the pipe when the process is gone.
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return process.waitFor();
  }

  public void suspend() throws IOException, InterruptedException {
    signal("STOP");
  }

  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        resume();
      } catch (Exception ignored) {
        // Not suspended, or already gone.
      }
      process.destroyForcibly();
    }
  }
}
