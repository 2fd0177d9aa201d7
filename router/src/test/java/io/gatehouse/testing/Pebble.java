package io.gatehouse.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * Pebble (Let's Encrypt's test ACME server) and pebble-challtestsrv as child processes on loopback,
 * built by {@code router/pebble/build.sh} (cached per machine). challtestsrv answers every name's A
 * query with 127.0.0.1 (no AAAA, so Pebble's validator dials the node's IPv4 listener) and has its
 * challenge listeners off; Pebble validates HTTP-01 on the node's HTTP port and TLS-ALPN-01 on its
 * HTTPS port. Validation never sleeps and nonces are never rejected, so tests are deterministic.
 * The calling test is skipped, naming why, only when the script says Pebble cannot be built here
 * (exit 3); any other failure fails it. Both processes stop on {@link #close} or at JVM exit.
 */
public final class Pebble implements AutoCloseable {
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final int CANNOT_BUILD = 3;
  private static Path home;
  private static String skipReason;

  private final List<Process> processes = new ArrayList<>();
  private final Thread reaper = new Thread(this::stopProcesses, "pebble-reaper");
  private final Path logDir;
  private final URI directory;
  private final URI management;
  private final SSLContext trust;
  private final HttpClient http;

  private Pebble(Path logDir, int listenPort, int managementPort, SSLContext trust) {
    this.logDir = logDir;
    this.directory = URI.create("https://127.0.0.1:" + listenPort + "/dir");
    this.management = URI.create("https://127.0.0.1:" + managementPort);
    this.trust = trust;
    this.http =
        HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts challtestsrv and Pebble, validating challenges at the node's {@code httpPort} and {@code
   * tlsPort}; returns once Pebble's directory answers. Logs go to {@code target/pebble/}.
   */
  public static Pebble start(int httpPort, int tlsPort) throws Exception {
    Path bin = home();
    Path logDir = Files.createTempDirectory(createdDir(Path.of("target", "pebble")), "run-");
    int dnsPort = freeTcpAndUdpPort();
    int challManagement = freePort();
    int listen = freePort();
    int management = freePort();
    Path config = logDir.resolve("pebble-config.json");
    Files.writeString(
        config, pebbleConfig(bin, listen, management, httpPort, tlsPort), StandardCharsets.UTF_8);
    SSLContext trust = trusting(bin.resolve("certs/pebble.minica.pem"));
    Pebble p = new Pebble(logDir, listen, management, trust);
    try {
      p.spawn(
          "challtestsrv",
          List.of(
              bin.resolve("pebble-challtestsrv").toString(),
              "-dnsserver",
              "127.0.0.1:" + dnsPort,
              "-management",
              "127.0.0.1:" + challManagement,
              "-defaultIPv4",
              "127.0.0.1",
              "-defaultIPv6",
              "",
              "-http01",
              "",
              "-https01",
              "",
              "-tlsalpn01",
              "",
              "-doh",
              ""),
          Map.of());
      p.awaitListening("challtestsrv", challManagement);
      p.spawn(
          "pebble",
          List.of(
              bin.resolve("pebble").toString(),
              "-config",
              config.toString(),
              "-dnsserver",
              "127.0.0.1:" + dnsPort),
          Map.of(
              "PEBBLE_VA_NOSLEEP", "1",
              "PEBBLE_WFE_NONCEREJECT", "0",
              // a second order of one account proves its hosts again: no hidden state between tests
              "PEBBLE_AUTHZREUSE", "0"));
      p.awaitDirectory();
      return p;
    } catch (Exception | Error e) {
      p.close();
      throw e;
    }
  }

  /** Pebble's ACME directory URL. */
  public URI directory() {
    return directory;
  }

  /** Trust for Pebble's own listeners (its test CA), for the ACME client. */
  public SSLContext trust() {
    return trust;
  }

  /** The root that signs what Pebble issues (new at every start), from its management API. */
  public X509Certificate root() throws Exception {
    return certificate("/roots/0");
  }

  /** The intermediate that signs what Pebble issues, from its management API. */
  public X509Certificate intermediate() throws Exception {
    return certificate("/intermediates/0");
  }

  /** Where the processes' logs and Pebble's generated config are. */
  public Path logDir() {
    return logDir;
  }

  @Override
  public void close() {
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is already exiting: the hook runs anyway
    }
  }

  private X509Certificate certificate(String path) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(management.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("pebble " + path + ": HTTP " + r.statusCode());
    }
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(r.body()));
  }

  private synchronized void stopProcesses() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    processes.clear();
  }

  private synchronized void spawn(String name, List<String> command, Map<String, String> env)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logDir.resolve(name + ".log").toFile());
    pb.environment().putAll(env);
    processes.add(pb.start());
  }

  private void awaitListening(String name, int port) {
    Process p = processes.get(processes.size() - 1);
    Awaitility.await(name + " listening on 127.0.0.1:" + port)
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              requireAlive(name, p);
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return true;
              } catch (IOException e) {
                return false;
              }
            });
  }

  private void awaitDirectory() {
    Process p = processes.get(processes.size() - 1);
    Awaitility.await("pebble's directory at " + directory)
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              requireAlive("pebble", p);
              try {
                return http.send(
                            HttpRequest.newBuilder(directory)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200;
              } catch (IOException e) {
                return false;
              }
            });
  }

  private void requireAlive(String name, Process p) throws IOException {
    if (!p.isAlive()) {
      throw new IllegalStateException(
          name
              + " exited with "
              + p.exitValue()
              + ":\n"
              + Files.readString(logDir.resolve(name + ".log")));
    }
  }

  private static String pebbleConfig(
      Path bin, int listen, int management, int httpPort, int tlsPort) {
    // retryAfter 1 s: acme4j polls at the server's Retry-After, so the tests wait seconds, not 5 s
    return """
        {
          "pebble": {
            "listenAddress": "127.0.0.1:%d",
            "managementListenAddress": "127.0.0.1:%d",
            "certificate": "%s",
            "privateKey": "%s",
            "httpPort": %d,
            "tlsPort": %d,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
            "retryAfter": { "authz": 1, "order": 1 },
            "keyAlgorithm": "ecdsa",
            "profiles": {
              "default": { "description": "the tests' profile", "validityPeriod": 7776000 }
            }
          }
        }
        """
        .formatted(
            listen,
            management,
            bin.resolve("certs/localhost/cert.pem"),
            bin.resolve("certs/localhost/key.pem"),
            httpPort,
            tlsPort);
  }

  private static SSLContext trusting(Path pem) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      ks.setCertificateEntry(
          "pebble-minica", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** A port free now on 127.0.0.1 (the programs take a port, not 0, and do not report theirs). */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** As {@link #freePort}, for a DNS server that binds the port over both UDP and TCP. */
  private static int freeTcpAndUdpPort() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
          ServerSocket tcp =
              new ServerSocket(udp.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
        return tcp.getLocalPort();
      } catch (IOException e) {
        // the TCP twin of a free UDP port is taken; another UDP port
      }
    }
    throw new IOException("no port free for both UDP and TCP on 127.0.0.1 after 20 tries");
  }

  private static Path createdDir(Path dir) throws IOException {
    return Files.createDirectories(dir);
  }

  /** The cache directory with the binaries; skips the calling test when Pebble cannot be built. */
  private static synchronized Path home() {
    if (home == null && skipReason == null) {
      locate();
    }
    Assumptions.assumeTrue(skipReason == null, () -> skipReason);
    return home;
  }

  private static void locate() {
    // Maven's pre-integration-test has usually built it (the same script, its progress on the
    // console); the script's last stdout line is the cache directory.
    Path script = Path.of("pebble", "build.sh");
    if (!Files.exists(script)) {
      script = Path.of("router", "pebble", "build.sh");
    }
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString());
    try {
      Path out = Files.createTempFile("pebble-build", ".out");
      Path err = Files.createTempFile("pebble-build", ".err");
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(script + " did not finish within " + BUILD_TIMEOUT);
      }
      String stdout = Files.readString(out);
      String stderr = Files.readString(err);
      Files.delete(out);
      Files.delete(err);
      if (p.exitValue() == CANNOT_BUILD) {
        skipReason =
            "Pebble cannot be built on this machine, so the ACME tests are skipped: "
                + stderr.strip();
        return;
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            script + " failed (exit " + p.exitValue() + "):\n" + stderr);
      }
      String[] lines = stdout.strip().split("\n");
      home = Path.of(lines[lines.length - 1].strip());
      if (!Files.isExecutable(home.resolve("pebble"))) {
        throw new IllegalStateException(script + " printed " + home + ", which has no pebble");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building Pebble", e);
    }
  }
}
