package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.testing.NodeProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's promise: uid 10001 with only {@code NET_BIND_SERVICE} (what the manifests' {@code
 * capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}} leave, under no_new_privs from {@code
 * allowPrivilegeEscalation: false}) binds 80 and 443. Kubernetes gives a non-root process no
 * ambient capabilities, so the cap reaches the JVM only as a file capability on the java binary,
 * and a binary with file capabilities runs in the loader's secure mode, which ignores {@code
 * $ORIGIN}/{@code LD_LIBRARY_PATH}: libjli must be found through ld.so.cache. This test repeats the
 * Dockerfile's two steps on a copy of this JDK (the cache in a private mount namespace, so the host
 * is not touched) and starts the packaged jar in a network namespace of its own.
 */
@Timeout(300)
class PrivilegedPortsIT {
  /** The Dockerfile's step, verbatim ({@link #the_dockerfile_has_the_same_steps}). */
  static final String SETCAP = "setcap cap_net_bind_service=+ep \"$JAVA_HOME/bin/java\"";

  static final String LD_SO_CONF =
      "echo \"$JAVA_HOME/lib\" > /etc/ld.so.conf.d/gatehouse-java.conf && ldconfig";

  @TempDir static Path dir;
  static String netns;
  static String skipReason;
  static Path javaWithCap;
  static Path ldCache;
  static Path jar;
  static Path config;
  static Path tmp;

  @BeforeAll
  static void prepare() throws Exception {
    skipReason = setUp();
  }

  private static String setUp() throws Exception {
    if (!"0".equals(output("id", "-u").strip())) {
      return "needs root: creates a network namespace and sets a file capability";
    }
    for (String tool : List.of("ip", "setcap", "setpriv", "unshare", "ldconfig", "curl")) {
      if (run(List.of("sh", "-c", "command -v " + tool)).exit != 0) {
        return tool + " is not installed";
      }
    }
    netns = "gatehouse-caps-" + UUID.randomUUID().toString().substring(0, 8);
    Result add = run(List.of("ip", "netns", "add", netns));
    if (add.exit != 0) {
      netns = null;
      return "ip netns add failed: " + add.output;
    }
    check(run(List.of("ip", "-n", netns, "link", "set", "lo", "up")));
    // the JDK copy: its own bin/java (the capability is per file), the rest linked to this JDK
    Path home = Path.of(System.getProperty("java.home")).toRealPath();
    Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
    javaWithCap = jdk.resolve("java");
    Files.copy(home.resolve("bin/java"), javaWithCap);
    for (String part : List.of("lib", "conf", "release")) {
      if (Files.exists(home.resolve(part))) {
        Files.createSymbolicLink(dir.resolve("jdk").resolve(part), home.resolve(part));
      }
    }
    Result setcap =
        run(List.of("sh", "-c", SETCAP.replace("$JAVA_HOME", dir.resolve("jdk").toString())));
    if (setcap.exit != 0) {
      return "setcap failed (no file capabilities on this file system?): " + setcap.output;
    }
    // the Dockerfile's ld.so.conf entry, written to a private cache instead of the host's
    Path conf =
        Files.writeString(
            dir.resolve("ld.so.conf"),
            "include /etc/ld.so.conf.d/*.conf\n" + home.resolve("lib") + "\n");
    ldCache = dir.resolve("ld.so.cache");
    check(run(List.of("ldconfig", "-C", ldCache.toString(), "-f", conf.toString())));
    jar = Files.copy(NodeProcess.jar(), dir.resolve("gatehouse.jar"));
    config =
        Files.writeString(
            dir.resolve("gatehouse.yaml"),
            "http: {host: 0.0.0.0, port: 80}\n"
                + "tls: {enabled: true, port: 443}\n"
                + "status: {host: 127.0.0.1, port: 9901}\n"
                + "admin: {enabled: false}\n"
                + "store: {dir: \"\"}\n"
                + "eventLoops: 1\n");
    tmp = Files.createDirectories(dir.resolve("tmp"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    for (Path p : List.of(dir, dir.resolve("jdk"), jdk)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (Path p : List.of(jar, config, ldCache)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }
    return null;
  }

  @AfterAll
  static void removeNamespace() throws Exception {
    if (netns != null) {
      run(List.of("ip", "netns", "del", netns));
    }
  }

  /**
   * In the namespace, with the private ld.so.cache: uid/gid 10001, no supplementary groups,
   * bounding set only NET_BIND_SERVICE, nothing inheritable, no_new_privs; then {@code java}.
   */
  private static List<String> asUser10001(Path java) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of("ip", "netns", "exec", netns, "unshare", "--mount", "sh", "-c"));
    cmd.add("mount --bind \"$0\" /etc/ld.so.cache && exec \"$@\"");
    cmd.add(ldCache.toString());
    cmd.addAll(
        List.of(
            "setpriv",
            "--reuid=10001",
            "--regid=10001",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all,+net_bind_service",
            "--no-new-privs",
            java.toString(),
            "-Xmx160m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.io.tmpdir=" + tmp,
            "-jar",
            jar.toString(),
            "--config",
            config.toString()));
    return cmd;
  }

  @Test
  void uid_10001_with_only_net_bind_service_serves_on_80_and_443() throws Exception {
    assumeTrue(skipReason == null, skipReason);
    try (Node node = Node.start(asUser10001(javaWithCap))) {
      assertThat(node.started.get(180, TimeUnit.SECONDS))
          .as("node output: %s", node.lines)
          .contains("gatehouse started");
      String status = Files.readString(Path.of("/proc", Long.toString(node.pid()), "status"));
      assertThat(status).containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$");
      // exactly one capability: NET_BIND_SERVICE is bit 10
      assertThat(status).containsPattern("(?m)^CapEff:\\s+0000000000000400$");
      assertThat(status).containsPattern("(?m)^CapPrm:\\s+0000000000000400$");
      assertThat(status).containsPattern("(?m)^CapBnd:\\s+0000000000000400$");
      assertThat(curl("http://127.0.0.1:80/")).isEqualTo("404");
      assertThat(curl("https://127.0.0.1:443/")).isEqualTo("404");
    }
  }

  @Test
  void the_same_user_without_the_file_capability_cannot_bind_80_and_says_why() throws Exception {
    assumeTrue(skipReason == null, skipReason);
    Path plainJava = Path.of(System.getProperty("java.home"), "bin", "java");
    try (Node node = Node.start(asUser10001(plainJava))) {
      String line = node.started.get(180, TimeUnit.SECONDS);
      assertThat(line).as("node output: %s", node.lines).contains("gatehouse failed to start");
      assertThat(node.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(node.process.exitValue()).isNotZero();
      assertThat(String.join("\n", node.lines))
          .contains("0.0.0.0:80")
          .contains("NET_BIND_SERVICE")
          .contains("Permission denied");
    }
  }

  @Test
  void the_dockerfile_has_the_same_steps() throws Exception {
    String dockerfile = Files.readString(Path.of("..", "k8s", "Dockerfile"));
    assertThat(dockerfile).contains(SETCAP).contains(LD_SO_CONF);
    assertThat(dockerfile).containsPattern("(?m)^EXPOSE 80 443 9901 5701$");
    assertThat(dockerfile).containsPattern("(?m)^USER 10001:10001$");
    assertThat(dockerfile).contains("ENTRYPOINT [\"java\"");
  }

  private static String curl(String url) throws Exception {
    Result r =
        run(
            List.of(
                "ip",
                "netns",
                "exec",
                netns,
                "curl",
                "-sk",
                "--max-time",
                "20",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                "Host: nobody.example",
                url));
    return r.output.strip();
  }

  /** The node's process; {@code started} completes with the start or failure line, or the end. */
  private static final class Node implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> started = new CompletableFuture<>();

    private Node(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (line.contains("gatehouse started")
                        || line.contains("gatehouse failed to start")) {
                      started.complete(line);
                    }
                  }
                } catch (IOException e) {
                  // the process ended
                }
                started.complete("process ended: " + lines);
              },
              "privileged-ports-node");
      reader.setDaemon(true);
      reader.start();
    }

    static Node start(List<String> command) throws IOException {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().keySet().removeIf(k -> !k.equals("PATH"));
      return new Node(pb.start());
    }

    long pid() {
      return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, out + " (timed out)");
    }
    return new Result(p.exitValue(), out);
  }

  private static String output(String... command) throws IOException, InterruptedException {
    return run(List.of(command)).output;
  }

  private static void check(Result r) {
    if (r.exit != 0) {
      throw new IllegalStateException("command failed (" + r.exit + "): " + r.output);
    }
  }
}
