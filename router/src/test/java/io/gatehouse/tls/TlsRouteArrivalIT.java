package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.Write;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TrustAll;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes and their certificates enter the served state together: once a new TLS host is routed, its
 * handshakes get its own certificate, never the default one (the reverse of {@code
 * KubernetesTlsDeletionIT}). The table's certificates are bound on a worker while the snapshot is
 * compiled on its own thread after a short hold-off; the node must not publish the route first.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsRouteArrivalIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int CLIENTS = 3;
  private static final int HOSTS = 24;
  private static final int STORED = 200;

  private Vertx vertx;
  private TestUpstream upstream;
  private NodeFixture node;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = TestUpstream.named(vertx, "secure");
    node =
        NodeFixture.start(
            c ->
                c.withTls(
                    new NodeConfig.Tls(
                        true,
                        "127.0.0.1",
                        0,
                        "",
                        "",
                        NodeConfig.Tls.Engine.JDK,
                        Duration.ofSeconds(2))));
  }

  @AfterEach
  void stop() {
    node.close();
    upstream.close();
    vertx.close().await();
  }

  /**
   * Deterministic: with the node's worker threads all busy, the table certificates' worker cannot
   * run, yet the snapshot is compiled on its own thread. The first snapshot that routes the new
   * host must come with the host bound to its certificate.
   */
  @Test
  void a_new_route_is_served_only_with_its_certificate_even_while_the_workers_are_busy()
      throws Exception {
    GatehouseNode n = node.node();
    String host = "busy.acme.example";
    CertificateSpec cert = TestCertificates.spec("acme", "busy", host);
    CountDownLatch release = new CountDownLatch(1);
    int workers = VertxOptions.DEFAULT_WORKER_POOL_SIZE;
    CountDownLatch busy = new CountDownLatch(workers);
    for (int i = 0; i < workers; i++) {
      n.vertx()
          .executeBlocking(
              () -> {
                busy.countDown();
                return release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
              },
              false);
    }
    try {
      assertThat(busy.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("workers busy").isTrue();
      // as the Kubernetes sink writes them: the certificate first, then the route naming it
      n.table().apply(Batch.of(Write.put(cert)));
      n.table().apply(Batch.of(Write.put(route("busy", host, "busy"))));
      await("the host is routed")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(1))
          .until(() -> routes(n.snapshots().get(), host));
      CertificateIndex index = n.certificates();
      // what a client sees: the route answers, so the handshake must have got its certificate
      Exchange x = handshake(node.httpsPort(), host, "GET");
      assertThat(x.fromBackend()).as("the backend answers").isTrue();
      assertThat(x.certificate())
          .as("the certificate of a handshake answered by the route")
          .isEqualTo(TableCertificatesIT.leaf(cert));
      assertThat(index.lookup(host))
          .as("the certificate index once the snapshot routes the host")
          .isNotSameAs(index.defaultCertificate());
    } finally {
      release.countDown();
    }
  }

  /**
   * A node that starts with TLS routes already in its table (here its store, as a member joining a
   * cluster gets them) opens its HTTPS listener only once their hosts are bound: the first snapshot
   * is published before the table certificates are subscribed.
   */
  @Test
  void a_node_starting_with_tls_routes_in_its_table_serves_them_with_their_certificates(
      @TempDir Path store) throws Exception {
    UnaryOperator<NodeConfig> config =
        c ->
            c.withStore(new NodeConfig.Store(store.toString()))
                .withTls(
                    new NodeConfig.Tls(
                        true,
                        "127.0.0.1",
                        0,
                        "",
                        "",
                        NodeConfig.Tls.Engine.JDK,
                        Duration.ofSeconds(2)));
    // enough certificates that binding them takes a while on a worker
    List<Write> writes = new ArrayList<>();
    List<CertificateSpec> certs = new ArrayList<>();
    for (int i = 0; i < STORED; i++) {
      String host = "stored-" + i + ".acme.example";
      CertificateSpec cert = TestCertificates.spec("acme", "stored-" + i, host);
      certs.add(cert);
      writes.add(Write.put(cert));
      writes.add(Write.put(route("stored-" + i, host, "stored-" + i)));
    }
    try (NodeFixture first = NodeFixture.start(config)) {
      long g = ((Outcome.Applied) first.node().table().apply(new Batch(writes, true))).generation();
      first.awaitGeneration(g);
    }
    try (NodeFixture again = NodeFixture.start(config)) {
      GatehouseNode n = again.node();
      RouteSnapshot routed = n.snapshots().get();
      CertificateIndex index = n.certificates();
      String last = "stored-" + (STORED - 1) + ".acme.example";
      assertThat(routes(routed, last)).as("the stored routes are routed once started").isTrue();
      assertThat(index.lookup(last))
          .as("the certificate index once the node started")
          .isNotSameAs(index.defaultCertificate());
      assertThat(handshake(again.httpsPort(), last, null).certificate())
          .isEqualTo(TableCertificatesIT.leaf(certs.get(STORED - 1)));
    }
  }

  /**
   * Black box, under load: hosts are added one by one (certificate and route in one batch, or the
   * certificate first as the Kubernetes sink writes them) while clients handshake with each new
   * host's SNI name and send one request. Once the backend answered for a host, no handshake begun
   * later may get the default certificate for it; and at no instant may the snapshot route a host
   * whose SNI name the index answers with the default certificate.
   */
  @Test
  void hosts_added_under_steady_handshakes_are_never_answered_over_the_default_certificate()
      throws Exception {
    GatehouseNode n = node.node();
    X509Certificate defaultCert = n.certificates().defaultCertificate().chain()[0];
    AtomicReference<String> current = new AtomicReference<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger defaults = new AtomicInteger();
    // host → nanoTime the backend's first answer for it was read
    Map<String, Long> firstAnswer = new ConcurrentHashMap<>();
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    Set<String> states = Collections.synchronizedSet(new LinkedHashSet<>());
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
    List<Future<?>> loops = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        loops.add(
            pool.submit(
                () -> {
                  while (running.get()) {
                    String host = current.get();
                    if (host == null) {
                      Thread.onSpinWait();
                      continue;
                    }
                    long started = System.nanoTime();
                    Exchange x = handshake(node.httpsPort(), host, "GET");
                    if (x.fromBackend()) {
                      firstAnswer.putIfAbsent(host, System.nanoTime());
                      answered.incrementAndGet();
                    } else {
                      refused.incrementAndGet();
                    }
                    // a handshake that began before the route was served may get the default
                    // certificate (and its request be answered once the route is in): legal
                    Long served = firstAnswer.get(host);
                    if (x.certificate().equals(defaultCert)) {
                      defaults.incrementAndGet();
                      if (served != null && started > served && violations.size() < 20) {
                        violations.add(
                            host
                                + ": a handshake begun "
                                + (started - served) / 1000
                                + " µs after the backend answered got the default certificate");
                      }
                    }
                  }
                  return null;
                }));
      }
      loops.add(
          pool.submit(
              () -> {
                while (running.get()) {
                  String host = current.get();
                  RouteSnapshot s1 = n.snapshots().get();
                  CertificateIndex index = n.certificates();
                  RouteSnapshot s2 = n.snapshots().get();
                  if (host != null
                      && s1 == s2
                      && routes(s1, host)
                      && index.lookup(host) == index.defaultCertificate()
                      && states.size() < 20) {
                    states.add(
                        "generation " + s1.generation() + " routes " + host + ", SNI gets default");
                  }
                  Thread.onSpinWait();
                }
                return null;
              }));
      for (int i = 0; i < HOSTS; i++) {
        String host = "new-" + i + ".acme.example";
        CertificateSpec cert = TestCertificates.spec("acme", "new-" + i, host);
        RouteSpec route = route("new-" + i, host, "new-" + i);
        int before = answered.get();
        current.set(host);
        if (i % 2 == 0) {
          n.table().apply(Batch.of(Write.put(cert), Write.put(route)));
        } else {
          n.table().apply(Batch.of(Write.put(cert)));
          n.table().apply(Batch.of(Write.put(route)));
        }
        await("the backend answers " + host)
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> answered.get() >= before + CLIENTS);
      }
      running.set(false);
      for (Future<?> f : loops) {
        f.get(30, TimeUnit.SECONDS);
      }
      System.out.printf(
          "tls arrival: %d answered by the backend, %d not (yet) routed, %d default certificates,"
              + " violations %d, states %d%n",
          answered.get(), refused.get(), defaults.get(), violations.size(), states.size());
      assertThat(states).as("a routed host whose SNI name gets the default certificate").isEmpty();
      assertThat(violations)
          .as("the default certificate for a host after its route answered")
          .isEmpty();
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
  }

  private RouteSpec route(String name, String host, String certificate) {
    return NodeFixture.valid(
        RouteSpec.simple(
                RouteKey.of("acme", "api", name),
                List.of(host),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", upstream.port()))))
            .withTls(TlsSpec.of(List.of(host), certificate)));
  }

  private static boolean routes(RouteSnapshot s, String host) {
    if (s == null) {
      return false;
    }
    for (CompiledRoute r : s.routes()) {
      if (r.spec().hosts().contains(host)) {
        return true;
      }
    }
    return false;
  }

  /**
   * One new TLS session (no resumption): the certificate it got, and whether the backend answered.
   */
  private record Exchange(X509Certificate certificate, boolean fromBackend) {}

  /** A handshake with SNI {@code host}, then one request when {@code method} is not null. */
  private static Exchange handshake(int port, String host, String method) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(host)));
      s.setSSLParameters(p);
      s.startHandshake();
      X509Certificate got = (X509Certificate) s.getSession().getPeerCertificates()[0];
      if (method == null) {
        return new Exchange(got, false);
      }
      s.getOutputStream()
          .write(
              (method + " / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return new Exchange(got, response.startsWith("HTTP/1.1 200") && response.endsWith("secure"));
    }
  }
}
