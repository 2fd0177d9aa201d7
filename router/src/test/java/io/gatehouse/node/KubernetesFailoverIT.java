package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;
import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.k8s.watch.LeaseLeadership;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeProcess;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes in one Hazelcast cluster, each running the ingress controller against the
 * real API server with Lease leadership. The leader is killed with SIGKILL (no Lease release); a
 * survivor must take the Lease over after one lease duration and then write routes (a new Ingress
 * and a changed one are served) and status, while the routes the dead leader wrote keep being
 * served. An endpoint change made at the kill (an ExternalName Service's named port) is served by
 * every survivor before any of them holds the Lease: endpoints reach each node by its own feed. The
 * times from the kill are printed.
 *
 * <p>Real traffic without the in-process endpoint mapper: each backend is an ExternalName Service
 * whose name is {@code 127.0.0.1} and whose port is the loopback backend's (EndpointSlices refuse
 * loopback addresses; ExternalName does not). The nodes set {@code
 * kubernetes.allowLoopbackExternalNames}, which a shared cluster must not.
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KubernetesFailoverIT {
  /** Short, so the test is quick: renew deadline 2 s, retry 400 ms. */
  private static final Duration LEASE = Duration.ofSeconds(3);

  private static final Duration RETRY = LeaseLeadership.retryFor(LEASE);

  /**
   * Takeover is due at most one lease plus two retries after the kill (the last renewal was at most
   * one retry before it, and a candidate notices at its next retry); then one rebuild (50 ms
   * hold-off), one table write and one snapshot per survivor, or one status write. The slack covers
   * those and a 2-core machine shared with other JVMs.
   */
  private static final Duration BOUND = LEASE.plus(RETRY.multipliedBy(2)).plusSeconds(4);

  private static final String PUBLISHED = "192.0.2.250";

  @TempDir Path dir;
  private Vertx vertx;
  private ClusterProcesses cluster;
  private final Map<String, TestUpstream> backends = new LinkedHashMap<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    backends.values().forEach(TestUpstream::close);
    vertx.close().await();
  }

  @Test
  void a_killed_leader_is_replaced_within_one_lease_and_no_route_is_lost(ApiServerHarness server)
      throws Exception {
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("failover");
    String leaseNs = server.createNamespace("failover-lease");
    String cls = ingressClass(admin, "failover");
    NetworkingV1Api net = new NetworkingV1Api(admin);
    externalBackend(admin, ns, "steady");
    externalBackend(admin, ns, "old");
    externalBackend(admin, ns, "new");
    externalBackend(admin, ns, "fresh");
    // an endpoint change: Service "flip" moves its named port from backend flip-a to flip-b
    externalBackend(admin, ns, "flip-a");
    backends.put("flip-b", TestUpstream.named(vertx, "flip-b"));
    externalService(admin, ns, "flip", backends.get("flip-a").port());
    V1Ingress flip = ingressTo(ns, "flip", cls, "flip.example.test", "flip-a");
    backendOf(flip).name("flip").port(new V1ServiceBackendPort().name("http"));
    net.createNamespacedIngress(ns, flip).execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "steady", cls, "steady.example.test", "steady"))
        .execute();
    net.createNamespacedIngress(ns, ingressTo(ns, "moved", cls, "moved.example.test", "old"))
        .execute();

    String k8s =
        "kubernetes:\n"
            + "  enabled: true\n"
            + "  kubeconfig: \""
            + server.kubeconfig()
            + "\"\n"
            + "  namespaces: ["
            + ns
            + "]\n"
            + "  ingressClass: "
            + cls
            + "\n"
            + "  publishAddresses: [\""
            + PUBLISHED
            + "\"]\n"
            + "  leaderElection: true\n"
            + "  leaseNamespace: "
            + leaseNs
            + "\n"
            + "  leaseName: gatehouse-leader\n"
            + "  leaseDuration: "
            + LEASE.toSeconds()
            + "s\n"
            + "  allowLoopbackExternalNames: true\n";
    cluster = new ClusterProcesses(dir, 3);
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(cluster.start(i, k8s));
    }
    ClusterProcesses.awaitOneCluster(nodes, 3, Duration.ofSeconds(60));
    for (NodeProcess n : nodes) {
      await("served by every node")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  "steady".equals(body(n, "steady.example.test"))
                      && "old".equals(body(n, "moved.example.test"))
                      && "flip-a".equals(body(n, "flip.example.test")));
    }

    // exactly one leader, and it is the Lease's holder
    CoordinationV1Api coordination = new CoordinationV1Api(admin);
    await("one leader")
        .atMost(Duration.ofSeconds(30))
        .until(() -> nodes.stream().filter(KubernetesFailoverIT::isLeader).count() == 1);
    NodeProcess leader = nodes.stream().filter(KubernetesFailoverIT::isLeader).findFirst().get();
    String leaderIdentity = kubernetes(leader).getString("identity");
    assertThat(holder(coordination, leaseNs)).isEqualTo(leaderIdentity);
    List<NodeProcess> survivors = nodes.stream().filter(n -> n != leader).toList();
    assertThat(survivors).allSatisfy(n -> assertThat(isLeader(n)).isFalse());

    Load load =
        new Load(
            survivors, List.of("steady.example.test", "moved.example.test", "flip.example.test"));
    load.start();
    try {
      await("load flows").atMost(Duration.ofSeconds(30)).until(() -> load.ok.get() > 100);

      long killed = System.nanoTime();
      leader.kill9();
      // an endpoint change, no route change: each node's own endpoint feed serves it, no leader
      V1Service flipService = new CoreV1Api(admin).readNamespacedService("flip", ns).execute();
      flipService.getSpec().getPorts().get(0).port(backends.get("flip-b").port());
      new CoreV1Api(admin).replaceNamespacedService("flip", ns, flipService).execute();
      // changes the dead leader can never write
      net.createNamespacedIngress(ns, ingressTo(ns, "fresh", cls, "fresh.example.test", "fresh"))
          .execute();
      V1Ingress moved = net.readNamespacedIngress("moved", ns).execute();
      pointAt(moved, "new");
      net.replaceNamespacedIngress("moved", ns, moved).execute();
      long okAtKill = load.ok.get();

      Map<String, Long> at = new LinkedHashMap<>();
      await("a survivor takes over routes and status")
          .atMost(BOUND.plusSeconds(20))
          .pollInterval(Duration.ofMillis(25))
          .until(
              () -> {
                long now = System.nanoTime() - killed;
                if (!at.containsKey("lease")) {
                  String h = holder(coordination, leaseNs);
                  if (h != null && !h.isEmpty() && !h.equals(leaderIdentity)) {
                    at.put("lease", now);
                  }
                }
                if (!at.containsKey("newIngressServed")
                    && survivors.stream()
                        .allMatch(n -> "fresh".equals(body(n, "fresh.example.test")))) {
                  at.put("newIngressServed", now);
                }
                if (!at.containsKey("changedIngressServed")
                    && survivors.stream()
                        .allMatch(n -> "new".equals(body(n, "moved.example.test")))) {
                  at.put("changedIngressServed", now);
                }
                if (!at.containsKey("endpointChangeServed")
                    && survivors.stream()
                        .allMatch(n -> "flip-b".equals(body(n, "flip.example.test")))) {
                  at.put("endpointChangeServed", now);
                }
                if (!at.containsKey("status")
                    && lb(net.readNamespacedIngress("fresh", ns).execute())
                        .contains(new V1IngressLoadBalancerIngress().ip(PUBLISHED))) {
                  at.put("status", now);
                }
                return at.size() == 5;
              });
      Map<String, Long> ms = new LinkedHashMap<>();
      at.forEach((k, v) -> ms.put(k, TimeUnit.NANOSECONDS.toMillis(v)));
      System.out.printf(
          "leader failover (lease %d s, renew deadline %d ms, retry %d ms, bound %d ms): %s%n",
          LEASE.toSeconds(),
          LeaseLeadership.renewDeadlineFor(LEASE).toMillis(),
          RETRY.toMillis(),
          BOUND.toMillis(),
          ms);

      // nobody took the Lease before it expired: the survivors waited out the dead one's lease
      assertThat(Duration.ofMillis(ms.get("lease")))
          .isGreaterThanOrEqualTo(LEASE.minus(RETRY.multipliedBy(2)));
      assertThat(ms.values()).allSatisfy(t -> assertThat(t).isLessThan(BOUND.toMillis()));
      // the endpoint change needed no leader: every survivor served it before one took the Lease
      assertThat(ms.get("endpointChangeServed")).isLessThan(ms.get("lease"));

      // exactly one survivor now leads, and it is the Lease's holder
      await("the new leader reports itself")
          .atMost(Duration.ofSeconds(10))
          .until(() -> survivors.stream().filter(KubernetesFailoverIT::isLeader).count() == 1);
      NodeProcess next =
          survivors.stream().filter(KubernetesFailoverIT::isLeader).findFirst().get();
      assertThat(holder(coordination, leaseNs)).isEqualTo(kubernetes(next).getString("identity"));

      long okAfter = load.ok.get();
      await("load goes on")
          .atMost(Duration.ofSeconds(30))
          .until(() -> load.ok.get() > okAfter + 50);
      assertThat(okAfter).isGreaterThan(okAtKill);
      System.out.printf(
          "requests to the survivors from the kill to the takeover: %d ok, %d failed%n",
          okAfter - okAtKill, load.failures.size());
    } finally {
      load.stop();
    }
    // the routes the dead leader wrote were served by the survivors all along
    assertThat(load.failures).as("requests to the survivors that failed during failover").isEmpty();
  }

  // --- fixtures ----------------------------------------------------------------------------

  /** A loopback backend answering {@code name}, behind an ExternalName Service {@code name}. */
  private void externalBackend(ApiClient admin, String ns, String name) throws Exception {
    TestUpstream u = TestUpstream.named(vertx, name);
    backends.put(name, u);
    externalService(admin, ns, name, u.port());
  }

  /**
   * An ExternalName Service {@code name} to {@code 127.0.0.1}, its port {@code http} at {@code
   * port}.
   */
  private static void externalService(ApiClient admin, String ns, String name, int port)
      throws Exception {
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name(name))
                .spec(
                    new V1ServiceSpec()
                        .type("ExternalName")
                        .externalName("127.0.0.1")
                        .ports(List.of(new V1ServicePort().name("http").port(port)))))
        .execute();
  }

  private V1Ingress ingressTo(String ns, String name, String cls, String host, String svc) {
    V1Ingress i = ingress(ns, name, cls, host, null);
    pointAt(i, svc);
    return i;
  }

  /** Points the Ingress's one path at the ExternalName Service {@code svc} and its port. */
  private void pointAt(V1Ingress i, String svc) {
    backendOf(i).name(svc).getPort().number(backends.get(svc).port());
  }

  private static V1IngressServiceBackend backendOf(V1Ingress i) {
    return i.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
  }

  /** The body of {@code GET /} with {@code Host: host}, or null when not a 200. */
  private static String body(NodeProcess n, String host) {
    try {
      RawHttp.Response r =
          RawHttp.exchange(
              n.httpPort(), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      return r.status() == 200 ? r.body() : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static JsonObject kubernetes(NodeProcess n) throws Exception {
    return n.status().getJsonObject("kubernetes");
  }

  private static boolean isLeader(NodeProcess n) {
    try {
      return kubernetes(n).getBoolean("leader");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String holder(CoordinationV1Api api, String ns) throws Exception {
    var spec = api.readNamespacedLease("gatehouse-leader", ns).execute().getSpec();
    return spec == null ? null : spec.getHolderIdentity();
  }

  private static List<V1IngressLoadBalancerIngress> lb(V1Ingress i) {
    if (i.getStatus() == null
        || i.getStatus().getLoadBalancer() == null
        || i.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return i.getStatus().getLoadBalancer().getIngress();
  }

  /** Steady GETs from two threads over the given nodes and hosts; anything but a 200 fails. */
  private static final class Load {
    final AtomicLong ok = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Load(List<NodeProcess> nodes, List<String> hosts) {
      for (NodeProcess n : nodes) {
        threads.add(
            new Thread(
                () -> {
                  int i = 0;
                  while (running.get()) {
                    String host = hosts.get(i++ % hosts.size());
                    try {
                      int status = n.get(host, "/");
                      if (status == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add(host + " on :" + n.httpPort() + " -> " + status);
                      }
                    } catch (Exception e) {
                      failures.add(host + " on :" + n.httpPort() + " -> " + e);
                    }
                  }
                },
                "load-" + n.httpPort()));
      }
    }

    void start() {
      threads.forEach(Thread::start);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(15_000);
      }
    }
  }
}
