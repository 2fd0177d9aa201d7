package io.gatehouse.k8s.watch.testing;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.AuthenticationV1TokenRequest;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1TokenRequestSpec;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for integration tests: etcd and kube-apiserver, built by {@code
 * k8s/envtest/build.sh} from the Go module proxy and cached per machine, started here on loopback
 * with free ports, envtest's flags, RBAC and a throwaway PKI. No controller-manager, scheduler or
 * kubelet runs: tests create EndpointSlices themselves, use a fresh namespace each (a deleted one
 * stays Terminating) and write Ingress status through the {@code /status} subresource.
 *
 * <p>Process output goes to files under the run directory (by default {@code
 * target/envtest/run-*}); the console gets one line per start. {@link #close()} stops both
 * processes, and a JVM shutdown hook does too if a test run is cut short. Starting takes a few
 * seconds, so start one per JVM through {@link ApiServerExtension} rather than one per test.
 */
public final class ApiServerHarness implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServerHarness.class);

  /** The versions {@code build.sh} defaults to; Failsafe passes the pom's versions explicitly. */
  public static final String DEFAULT_K8S_VERSION = "1.35.4";

  public static final String DEFAULT_ETCD_VERSION = "3.6.6";

  private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final Path binDir;
  private final Path runDir;
  private final Path etcdDataDir;
  private final ApiServerPki pki;
  private final Thread shutdownHook;
  private volatile Process etcd;
  private volatile Process apiServer;
  private volatile List<String> apiServerArgs;
  private int apiServerRestarts;
  private int apiPort;
  private Duration startupTime = Duration.ZERO;
  private long etcdReadyMillis;
  private ApiClient adminClient;
  private boolean closed;

  private ApiServerHarness(Path binDir, Path runDir) throws IOException {
    this.binDir = binDir;
    this.runDir = runDir;
    this.etcdDataDir = Files.createTempDirectory("gatehouse-envtest-etcd-");
    this.pki = ApiServerPki.generate();
    this.shutdownHook = new Thread(this::stopProcesses, "gatehouse-envtest-shutdown");
  }

  /** Starts etcd and kube-apiserver and waits until {@code /readyz} answers, at most 90 s. */
  public static ApiServerHarness start() {
    return start(DEFAULT_START_TIMEOUT);
  }

  public static ApiServerHarness start(Duration timeout) {
    Path binDir = binaryDirectory();
    for (String binary : List.of("etcd", "kube-apiserver", "kubectl")) {
      if (!Files.isExecutable(binDir.resolve(binary))) {
        throw new IllegalStateException(
            "envtest binary "
                + binDir.resolve(binary)
                + " is missing. Build it once per machine with k8s/envtest/build.sh (10-30 min"
                + " cold; ./mvnw verify runs it in pre-integration-test), see k8s/envtest/README.md");
      }
    }
    Instant t0 = Instant.now();
    ApiServerHarness harness;
    try {
      harness = new ApiServerHarness(binDir, newRunDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(harness.shutdownHook);
    try {
      harness.startProcesses(timeout);
      harness.startupTime = Duration.between(t0, Instant.now());
      Files.writeString(
          harness.runDir.resolve("startup.txt"),
          "startup_ms="
              + harness.startupTime.toMillis()
              + "\netcd_ready_ms="
              + harness.etcdReadyMillis
              + "\n");
      LOG.info(
          "kube-apiserver {} ready at {} in {} ms, etcd after {} ms (logs, kubeconfig: {})",
          binDir.getFileName(),
          harness.baseUrl(),
          harness.startupTime.toMillis(),
          harness.etcdReadyMillis,
          harness.runDir);
      return harness;
    } catch (IOException e) {
      harness.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      harness.close();
      throw e;
    }
  }

  /**
   * The directory holding {@code etcd}, {@code kube-apiserver} and {@code kubectl}: {@code
   * -Dgatehouse.envtest.dir} or {@code GATEHOUSE_ENVTEST_DIR} if set, else build.sh's cache entry
   * {@code ${GATEHOUSE_ENVTEST_CACHE:-~/.cache/gatehouse/envtest}/<k8s>-etcd<etcd>}.
   */
  public static Path binaryDirectory() {
    String explicit =
        System.getProperty("gatehouse.envtest.dir", System.getenv("GATEHOUSE_ENVTEST_DIR"));
    if (explicit != null && !explicit.isBlank()) {
      return Paths.get(explicit);
    }
    String cache = System.getenv("GATEHOUSE_ENVTEST_CACHE");
    Path root =
        cache != null && !cache.isBlank()
            ? Paths.get(cache)
            : Paths.get(System.getProperty("user.home"), ".cache", "gatehouse", "envtest");
    String k8s = System.getProperty("gatehouse.envtest.k8sVersion", DEFAULT_K8S_VERSION);
    String etcdVersion = System.getProperty("gatehouse.envtest.etcdVersion", DEFAULT_ETCD_VERSION);
    return root.resolve(k8s + "-etcd" + etcdVersion);
  }

  private static Path newRunDirectory() throws IOException {
    Path root = Paths.get(System.getProperty("gatehouse.envtest.logDir", "target/envtest"));
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    return Files.createDirectories(
        root.resolve(
                "run-" + stamp + "-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet())
            .toAbsolutePath());
  }

  // ---------------------------------------------------------------------------------------------
  // Start and stop

  private void startProcesses(Duration timeout) throws IOException {
    Path certs = runDir.resolve("certs");
    pki.writeServerFiles(certs);
    Instant deadline = Instant.now().plus(timeout);
    for (int attempt = 1; ; attempt++) {
      try {
        startOnce(certs, deadline, attempt);
        return;
      } catch (PortTakenException e) {
        // A free port found by bind-and-close can be taken before the process binds it: retry.
        stopProcesses();
        if (attempt >= START_ATTEMPTS || Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(e.getMessage(), e);
        }
        LOG.warn("{}; retrying with new ports", e.getMessage());
      }
    }
  }

  private void startOnce(Path certs, Instant deadline, int attempt) throws IOException {
    Instant started = Instant.now();
    int etcdPort = freePort();
    int peerPort = freePort();
    apiPort = freePort();
    clearDirectory(etcdDataDir);

    Path etcdLog = runDir.resolve("etcd-" + attempt + ".log");
    String etcdUrl = "http://127.0.0.1:" + etcdPort;
    String peerUrl = "http://127.0.0.1:" + peerPort;
    etcd =
        launch(
            etcdLog,
            binDir.resolve("etcd").toString(),
            "--name=gatehouse-envtest",
            "--data-dir=" + etcdDataDir,
            "--listen-client-urls=" + etcdUrl,
            "--advertise-client-urls=" + etcdUrl,
            "--listen-peer-urls=" + peerUrl,
            "--initial-advertise-peer-urls=" + peerUrl,
            "--initial-cluster=gatehouse-envtest=" + peerUrl,
            "--unsafe-no-fsync=true");
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    awaitReady(
        "etcd",
        etcd,
        etcdLog,
        deadline,
        () -> get(plain, URI.create(etcdUrl + "/health")).contains("\"health\":\"true\""));

    etcdReadyMillis = Duration.between(started, Instant.now()).toMillis();

    Path apiLog = runDir.resolve("kube-apiserver-" + attempt + ".log");
    List<String> args = new ArrayList<>();
    args.add(binDir.resolve("kube-apiserver").toString());
    args.add("--etcd-servers=" + etcdUrl);
    args.add("--cert-dir=" + certs);
    args.add("--tls-cert-file=" + certs.resolve("apiserver.crt"));
    args.add("--tls-private-key-file=" + certs.resolve("apiserver.key"));
    args.add("--secure-port=" + apiPort);
    args.add("--bind-address=127.0.0.1");
    args.add("--advertise-address=127.0.0.1");
    args.add("--endpoint-reconciler-type=none");
    args.add("--service-cluster-ip-range=10.0.0.0/24");
    args.add("--allow-privileged=true");
    args.add("--disable-admission-plugins=ServiceAccount");
    args.add("--authorization-mode=RBAC");
    args.add("--client-ca-file=" + certs.resolve("client-ca.crt"));
    args.add("--service-account-issuer=" + baseUrl() + "/");
    args.add("--service-account-key-file=" + certs.resolve("sa-signer.pub"));
    args.add("--service-account-signing-key-file=" + certs.resolve("sa-signer.key"));
    apiServerArgs = List.copyOf(args);
    apiServer = launch(apiLog, args.toArray(String[]::new));
    HttpClient tls =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .sslContext(adminSslContext())
            .build();
    awaitReady(
        "kube-apiserver",
        apiServer,
        apiLog,
        deadline,
        () -> get(tls, URI.create(baseUrl() + "/readyz")).equals("ok"));
    writeKubeconfig();
  }

  private Process launch(Path log, String... command) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .directory(runDir.toFile())
        .start();
  }

  /** Polls {@code probe} until it holds, the process dies, or the deadline passes. */
  private static void awaitReady(
      String what, Process process, Path log, Instant deadline, BooleanSupplier probe) {
    while (true) {
      if (!process.isAlive()) {
        String tail = tail(log, 40);
        String message =
            what
                + " exited with status "
                + process.exitValue()
                + " before it was ready; "
                + log
                + " ends with:\n"
                + tail;
        if (tail.contains("address already in use")) {
          throw new PortTakenException(message);
        }
        throw new IllegalStateException(message);
      }
      if (probe.getAsBoolean()) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            what + " not ready before the start timeout; " + log + " ends with:\n" + tail(log, 40));
      }
      try {
        // Paces the poll, and returns at once if the process exits.
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  private static String get(HttpClient client, URI uri) {
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body().trim() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Stops kube-apiserver, then etcd, and removes etcd's data. Safe to call more than once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
    clearDirectory(etcdDataDir);
    try {
      Files.deleteIfExists(etcdDataDir);
    } catch (IOException ignored) {
      // a temp directory; nothing more to do
    }
  }

  /**
   * Stops kube-apiserver only (etcd keeps the data), for outage tests; {@link #restartApiServer}
   * brings it back on the same port with the same certificates.
   */
  public synchronized void stopApiServer() {
    stop(apiServer);
  }

  /** Starts kube-apiserver again after {@link #stopApiServer}, waiting for {@code /readyz}. */
  public synchronized void restartApiServer(Duration timeout) throws IOException {
    if (apiServer != null && apiServer.isAlive()) {
      return;
    }
    Path apiLog = runDir.resolve("kube-apiserver-restart-" + (++apiServerRestarts) + ".log");
    apiServer = launch(apiLog, apiServerArgs.toArray(String[]::new));
    HttpClient tls =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .sslContext(adminSslContext())
            .build();
    awaitReady(
        "kube-apiserver",
        apiServer,
        apiLog,
        Instant.now().plus(timeout),
        () -> get(tls, URI.create(baseUrl() + "/readyz")).equals("ok"));
  }

  private void stopProcesses() {
    stop(apiServer);
    stop(etcd);
  }

  private static void stop(Process process) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  /** {@code https://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "https://127.0.0.1:" + apiPort;
  }

  /** Where this run's logs, certificates and kubeconfig are. */
  public Path runDirectory() {
    return runDir;
  }

  /** An admin kubeconfig (client certificate in {@code system:masters}). */
  public Path kubeconfig() {
    return runDir.resolve("kubeconfig");
  }

  /** From the call to {@link #start()} until {@code /readyz} answered. */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * A shared admin client, loaded from {@link #kubeconfig()}, with no read timeout so that it can
   * carry watches and informers; bound every wait in the test instead.
   */
  public synchronized ApiClient adminClient() {
    if (adminClient == null) {
      adminClient = newAdminClient(Duration.ZERO);
    }
    return adminClient;
  }

  /** A new admin client with the given read timeout ({@link Duration#ZERO}: none). */
  public ApiClient newAdminClient(Duration readTimeout) {
    try {
      KubeConfig config =
          KubeConfig.loadKubeConfig(
              new StringReader(Files.readString(kubeconfig(), StandardCharsets.UTF_8)));
      return ClientBuilder.kubeconfig(config).setReadTimeout(readTimeout).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client that authenticates with a bearer token and trusts only this server's CA. */
  public ApiClient clientForToken(String token) {
    return new ClientBuilder()
        .setBasePath(baseUrl())
        .setVerifyingSsl(true)
        .setCertificateAuthority(ApiServerPki.pemBytes(pki.servingCa))
        .setAuthentication(new AccessTokenAuthentication(token))
        .setReadTimeout(Duration.ZERO)
        .build();
  }

  /** Mints a token for a ServiceAccount through the TokenRequest API (valid for an hour). */
  public String serviceAccountToken(String namespace, String serviceAccount) throws ApiException {
    AuthenticationV1TokenRequest request =
        new AuthenticationV1TokenRequest().spec(new V1TokenRequestSpec().expirationSeconds(3600L));
    AuthenticationV1TokenRequest issued =
        new CoreV1Api(adminClient())
            .createNamespacedServiceAccountToken(serviceAccount, namespace, request)
            .execute();
    return issued.getStatus().getToken();
  }

  /** A client acting as the ServiceAccount, with a token minted by {@link #serviceAccountToken}. */
  public ApiClient serviceAccountClient(String namespace, String serviceAccount)
      throws ApiException {
    return clientForToken(serviceAccountToken(namespace, serviceAccount));
  }

  /**
   * Creates a namespace with a unique name starting with {@code prefix}. Use one per test: nothing
   * finalizes a deleted namespace here, so it would stay Terminating.
   */
  public String createNamespace(String prefix) throws ApiException {
    String name =
        (prefix
                + "-"
                + NAMES.incrementAndGet()
                + "-"
                + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36))
            .toLowerCase(Locale.ROOT);
    new CoreV1Api(adminClient())
        .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(name)))
        .execute();
    return name;
  }

  /** The outcome of a {@link #kubectl} run: exit status and combined output. */
  public record CommandResult(int exitCode, String output) {}

  /**
   * Runs the kubectl built with the server against it, as admin (e.g. {@code apply --dry-run=server
   * -f k8s/...} to check manifests against the real schemas). Bounded by {@code timeout}.
   */
  public CommandResult kubectl(Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig());
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(runDir, "kubectl-", ".out");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        throw new IllegalStateException(
            "kubectl " + String.join(" ", args) + " took longer than " + timeout);
      }
      return new CommandResult(process.exitValue(), Files.readString(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running kubectl", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private void writeKubeconfig() throws IOException {
    Base64.Encoder b64 = Base64.getEncoder();
    String yaml =
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: gatehouse-envtest",
            "  cluster:",
            "    server: " + baseUrl(),
            "    certificate-authority-data: "
                + b64.encodeToString(ApiServerPki.pemBytes(pki.servingCa)),
            "users:",
            "- name: gatehouse-envtest-admin",
            "  user:",
            "    client-certificate-data: " + b64.encodeToString(ApiServerPki.pemBytes(pki.admin)),
            "    client-key-data: "
                + b64.encodeToString(pki.admin.keyPem().getBytes(StandardCharsets.US_ASCII)),
            "contexts:",
            "- name: gatehouse-envtest",
            "  context:",
            "    cluster: gatehouse-envtest",
            "    user: gatehouse-envtest-admin",
            "current-context: gatehouse-envtest",
            "");
    Files.writeString(kubeconfig(), yaml);
  }

  private SSLContext adminSslContext() {
    try {
      char[] password = "envtest".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "admin", pki.admin.keys().getPrivate(), password, new Certificate[] {pki.admin.cert()});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("serving-ca", pki.servingCa.cert());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the admin TLS context", e);
    }
  }

  /** A free loopback port below the ephemeral range, for a process that must be told its port. */
  public static int freePort() throws IOException {
    // Not port 0's answer: a port the kernel hands out for port 0 comes from the ephemeral range,
    // where an outgoing connection (a member dialling another, a client) may take it as its
    // source port before the child process binds it ("Address already in use" in AdminClusterIT,
    // 5 Dec 2026). Below that range only listeners take ports.
    int low = 10_000;
    int high = 32_767;
    try {
      String range =
          Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      high = Integer.parseInt(range.split("\\s+")[0]) - 1;
    } catch (IOException | RuntimeException unreadable) {
      // not Linux: keep the default range's bound
    }
    if (high - low < 1_000) {
      // (readAllLines: Files.readString reads a /proc file short, e.g. "3" for "32768 60999")
      low = 1_024;
      high = Math.max(high, 32_767);
    }
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(low, high + 1);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in " + low + "-" + high);
  }

  private static String tail(Path file, int lines) {
    try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
      List<String> list = all.toList();
      return String.join("\n", list.subList(Math.max(0, list.size() - lines), list.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  private static void clearDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .filter(p -> !p.equals(dir))
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: a temp directory
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** A process lost the race for its port. */
  private static final class PortTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }
}
