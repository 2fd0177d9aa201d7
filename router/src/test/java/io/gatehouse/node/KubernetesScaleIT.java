package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingressClass;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.gatehouse.k8s.watch.IngressWatcherIT;
import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.Endpoint;
import io.gatehouse.testing.ClusterProcesses;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Scale figures for docs/benchmarks.md, not a regular test: run with {@code
 * -Dgatehouse.k8s.scale=true}. Starts a cluster of in-JVM nodes (3 by default) sharing one
 * Hazelcast table and watching one API server, in two shapes:
 *
 * <ul>
 *   <li><b>spread</b>: the Ingresses spread over many Services (10 per Service); one Service's
 *       EndpointSlice changes;
 *   <li><b>one-service</b>: every Ingress on one Service (the worst case while routes carried
 *       endpoints: one EndpointSlice change rewrote every route; now each node's endpoint feed puts
 *       one key).
 * </ul>
 *
 * For each: the time from starting the first node until every node serves every Ingress, then, for
 * each of {@code rounds} EndpointSlice writes, the time until the new endpoint receives traffic on
 * each node (requests through every node until each answers from the new endpoint). The phases of
 * each change come from the components' DEBUG timing lines. A summary table is printed at the end.
 *
 * <p>Properties: {@code gatehouse.k8s.scale.ingresses} (5000), {@code .nodes} (3), {@code .rounds}
 * (30), {@code .perService} (10).
 */
@ExtendWith(ApiServerExtension.class)
@EnabledIfSystemProperty(named = "gatehouse.k8s.scale", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesScaleIT {
  private static final int INGRESSES = Integer.getInteger("gatehouse.k8s.scale.ingresses", 5000);
  private static final int NODES = Integer.getInteger("gatehouse.k8s.scale.nodes", 3);
  private static final int ROUNDS = Integer.getInteger("gatehouse.k8s.scale.rounds", 30);
  private static final int PER_SERVICE = Integer.getInteger("gatehouse.k8s.scale.perService", 10);
  private static final int WARMUP = 3;
  private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(60);
  private static final String ONE = "192.0.2.1";
  private static final String TWO = "192.0.2.2";

  /** The loggers whose DEBUG lines carry phase timings. */
  private static final List<String> TIMED =
      List.of(
          "io.gatehouse.k8s.watch.IngressWatcher",
          "io.gatehouse.k8s.watch.KubernetesEndpointFeed",
          "io.gatehouse.k8s.watch.TableSink",
          "io.gatehouse.table.hazelcast.HazelcastRouteTable",
          "io.gatehouse.snapshot.SnapshotPublisher");

  /** Phase (message, key) to its label in the summary. */
  private static final Map<String, String> PHASES = new LinkedHashMap<>();

  static {
    PHASES.put("endpoints published/eventToPutMs", "per node: feed, first event to index put");
    PHASES.put("kubernetes rebuild/debounceMs", "watcher debounce (first event to rebuild)");
    PHASES.put("kubernetes rebuild/listMs", "watcher: copy informer caches");
    PHASES.put("kubernetes rebuild/translateMs", "watcher: translate");
    PHASES.put("kubernetes routes written/replaceMs", "table write (replaceSource)");
    PHASES.put("source replaced/lockMs", "  of which: write lock");
    PHASES.put("source replaced/diffMs", "  of which: diff");
    PHASES.put("source replaced/applyMs", "  of which: apply (read, plan, put)");
    PHASES.put("source replaced/changed", "  routes written");
    PHASES.put("table generation materialised/eventsMs", "per node: events to view published");
    PHASES.put("snapshot published/debounceMs", "per node: snapshot debounce");
    PHASES.put("snapshot published/compileMs", "per node: snapshot compile");
  }

  private static final List<String> SUMMARY = new CopyOnWriteArrayList<>();
  private static final Collector LINES = new Collector();

  @Test
  @Order(1)
  @Timeout(value = 1200, unit = TimeUnit.SECONDS)
  void spread_over_many_services(ApiServerHarness server) throws Exception {
    run(server, "spread", Math.max(1, INGRESSES / PER_SERVICE));
  }

  @Test
  @Order(2)
  @Timeout(value = 1200, unit = TimeUnit.SECONDS)
  void all_on_one_service(ApiServerHarness server) throws Exception {
    run(server, "one-service", 1);
  }

  @AfterAll
  static void printSummary() {
    String load = load();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%n=== k8s scale summary: %d Ingresses, %d nodes, %s, %d cores, load average at end %s"
                + " ===%n",
            INGRESSES,
            NODES,
            LocalDate.now(),
            Runtime.getRuntime().availableProcessors(),
            load));
    SUMMARY.forEach(b::append);
    System.out.println(b);
  }

  private void run(ApiServerHarness server, String shape, int services) throws Exception {
    Vertx vertx = Vertx.vertx();
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("scale");
    String leaseNs = server.createNamespace("scale-lease");
    String cls = ingressClass(admin, "scale");
    TestUpstream one = TestUpstream.named(vertx, "one");
    TestUpstream two = TestUpstream.named(vertx, "two");
    Map<String, Integer> backends = Map.of(ONE + ":8080", one.port(), TWO + ":8080", two.port());
    UnaryOperator<Endpoint> mapper =
        e -> {
          Integer p = backends.get(e.authority());
          return p == null ? e : new Endpoint("127.0.0.1", p, e.weight());
        };
    CoreV1Api core = new CoreV1Api(admin);
    DiscoveryV1Api discovery = new DiscoveryV1Api(admin);
    NetworkingV1Api net = new NetworkingV1Api(admin);
    long createStart = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Object>> objects = new ArrayList<>();
      for (int s = 0; s < services; s++) {
        String svc = "svc-" + s;
        objects.add(
            () ->
                core.createNamespacedService(
                        ns,
                        new V1Service()
                            .metadata(new V1ObjectMeta().name(svc))
                            .spec(
                                new V1ServiceSpec()
                                    // headless: 500 Services would exhaust the test server's
                                    // service IP range, and the router uses the endpoints
                                    .clusterIP("None")
                                    .ports(List.of(new V1ServicePort().name("http").port(80)))))
                    .execute());
        objects.add(
            () -> discovery.createNamespacedEndpointSlice(ns, slice(ns, svc, ONE)).execute());
      }
      for (int i = 0; i < INGRESSES; i++) {
        V1Ingress ingress = ingress(ns, "ing-" + i, cls, host(shape, i), "svc-" + (i % services));
        objects.add(() -> net.createNamespacedIngress(ns, ingress).execute());
      }
      for (Future<Object> f : pool.invokeAll(objects)) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdown();
    }
    Duration created = Duration.ofNanos(System.nanoTime() - createStart);

    List<GatehouseNode> nodes = new ArrayList<>();
    String cluster = "scale-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      ports.add(memberPort(ports));
    }
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    try {
      long startAt = System.nanoTime();
      List<Long> started = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        NodeConfig.Kubernetes k =
            new NodeConfig.Kubernetes(
                true,
                server.kubeconfig().toString(),
                List.of(ns),
                cls,
                "",
                List.of(),
                true,
                leaseNs,
                "gatehouse-leader");
        NodeConfig c =
            NodeFixture.testConfig()
                .withKubernetes(k)
                .withCluster(
                    new NodeConfig.Cluster(
                        true,
                        cluster,
                        "127.0.0.1",
                        ports.get(i),
                        members,
                        "",
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        2,
                        1));
        nodes.add(GatehouseNode.start(c, List.of(), mapper).await(600, TimeUnit.SECONDS));
        started.add(System.nanoTime() - startAt);
      }
      for (GatehouseNode n : nodes) {
        org.awaitility.Awaitility.await("every Ingress served")
            .atMost(Duration.ofSeconds(600))
            .pollInterval(Duration.ofMillis(5))
            .until(
                () -> n.snapshots().get() != null && n.snapshots().get().routeCount() >= INGRESSES);
      }
      Duration allServed = Duration.ofNanos(System.nanoTime() - startAt);
      for (GatehouseNode n : nodes) {
        assertThat(get(n, host(shape, INGRESSES - 1)).body()).isEqualTo("one");
      }

      Map<Integer, String> current = new HashMap<>();
      long[][] perNode = new long[ROUNDS][NODES];
      LINES.attach();
      for (int round = -WARMUP; round < ROUNDS; round++) {
        if (round == 0) {
          LINES.clear();
        }
        int s = Math.floorMod(round * 37, services);
        String svc = "svc-" + s;
        String address = TWO.equals(current.getOrDefault(s, ONE)) ? ONE : TWO;
        current.put(s, address);
        String expected = address.equals(ONE) ? "one" : "two";
        // an Ingress on that Service, a different one each round
        int ingress = s + services * Math.floorMod(round * 7, Math.max(1, INGRESSES / services));
        String host = host(shape, Math.min(ingress, INGRESSES - 1));
        V1EndpointSlice existing = discovery.readNamespacedEndpointSlice(svc, ns).execute();
        V1EndpointSlice next = slice(ns, svc, address);
        next.getMetadata().resourceVersion(existing.getMetadata().getResourceVersion());
        long t0 = System.nanoTime();
        discovery.replaceNamespacedEndpointSlice(svc, ns, next).execute();
        long[] done = new long[NODES];
        Arrays.fill(done, -1);
        int remaining = NODES;
        while (remaining > 0) {
          for (int i = 0; i < NODES; i++) {
            if (done[i] < 0 && expected.equals(get(nodes.get(i), host).body())) {
              done[i] = System.nanoTime() - t0;
              remaining--;
            }
          }
          if (System.nanoTime() - t0 > ROUND_TIMEOUT.toNanos()) {
            throw new AssertionError(
                shape + " round " + round + ": no traffic to " + expected + " on every node");
          }
        }
        if (round >= 0) {
          perNode[round] = done;
        }
      }
      LINES.detach();
      SUMMARY.add(summary(shape, services, created, started, allServed, perNode));
    } finally {
      LINES.detach();
      for (GatehouseNode n : nodes) {
        n.stop().await(60, TimeUnit.SECONDS);
      }
      one.close();
      two.close();
      vertx.close().await();
    }
  }

  private static String summary(
      String shape,
      int services,
      Duration created,
      List<Long> started,
      Duration allServed,
      long[][] perNode) {
    long[] every = new long[perNode.length];
    long[] any = new long[perNode.length * NODES];
    for (int r = 0; r < perNode.length; r++) {
      every[r] = Arrays.stream(perNode[r]).max().orElse(0);
      for (int i = 0; i < NODES; i++) {
        any[r * NODES + i] = perNode[r][i];
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%n[%s] %d Ingresses on %d Services (%d per Service), %d nodes%n",
            shape,
            INGRESSES,
            services,
            Math.max(1, INGRESSES / services),
            NODES));
    b.append(
        String.format(
            Locale.ROOT,
            "  objects created in %d ms; nodes started at %s ms; all %d nodes serve every Ingress"
                + " %d ms after the first start%n",
            created.toMillis(),
            started.stream().map(n -> Long.toString(n / 1_000_000)).toList(),
            NODES,
            allServed.toMillis()));
    b.append(
        String.format(
            Locale.ROOT,
            "  EndpointSlice write -> traffic, %d changes:  every node p50 %d ms  p99 %d ms  max %d"
                + " ms | each node p50 %d ms  p99 %d ms%n",
            perNode.length,
            pct(every, 50),
            pct(every, 99),
            pct(every, 100),
            pct(any, 50),
            pct(any, 99)));
    b.append(String.format(Locale.ROOT, "  %-44s %8s %8s %6s%n", "phase", "p50", "max", "n"));
    Map<String, List<Double>> values = LINES.values();
    for (Map.Entry<String, String> p : PHASES.entrySet()) {
      List<Double> v = values.get(p.getKey());
      if (v == null || v.isEmpty()) {
        continue;
      }
      double[] sorted = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      b.append(
          String.format(
              Locale.ROOT,
              "  %-44s %8.1f %8.1f %6d%n",
              p.getValue(),
              sorted[(sorted.length - 1) / 2],
              sorted[sorted.length - 1],
              sorted.length));
    }
    return b.toString();
  }

  /** The p-th percentile in milliseconds (nearest rank). */
  private static long pct(long[] nanos, int p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(s.length * p / 100.0) - 1;
    return s[Math.max(0, Math.min(s.length - 1, rank))] / 1_000_000;
  }

  private static String load() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException | RuntimeException e) {
      return String.valueOf(
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  /**
   * A free port below the kernel's ephemeral range: a member dialling a member that is not
   * listening yet can otherwise be given that very port as its source port and connect to itself
   * ("Connecting to self!"), which fails the start.
   */
  private static int memberPort(List<Integer> taken) {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      if (taken.contains(port)) {
        continue;
      }
      try (java.net.ServerSocket s = new java.net.ServerSocket()) {
        s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (java.io.IOException inUse) {
        // try another
      }
    }
    return ClusterProcesses.freePort();
  }

  private static String host(String shape, int i) {
    return "h" + i + "." + shape + ".scale.example.test";
  }

  private static RawHttp.Response get(GatehouseNode node, String host) throws Exception {
    return RawHttp.exchange(
        node.httpPort(), "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  private static V1Ingress ingress(String ns, String name, String cls, String host, String svc) {
    return IngressWatcherIT.ingressTo(ns, name, cls, host, svc, null);
  }

  private static V1EndpointSlice slice(String ns, String service, String address) {
    return new V1EndpointSlice()
        .metadata(
            new V1ObjectMeta()
                .name(service)
                .namespace(ns)
                .labels(Map.of("kubernetes.io/service-name", service)))
        .addressType("IPv4")
        .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
        .endpoints(
            List.of(
                new V1Endpoint()
                    .addresses(List.of(address))
                    .conditions(new V1EndpointConditions().ready(true))));
  }

  /** Collects the numeric key-values of the timed loggers' DEBUG lines while started. */
  private static final class Collector extends AppenderBase<ILoggingEvent> {
    private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final Map<Logger, Level> previous = new HashMap<>();

    synchronized void attach() {
      if (isStarted()) {
        return;
      }
      setContext((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory());
      super.start();
      for (String name : TIMED) {
        Logger l = (Logger) LoggerFactory.getLogger(name);
        previous.put(l, l.getLevel());
        l.setLevel(Level.DEBUG);
        l.setAdditive(false);
        l.addAppender(this);
      }
    }

    synchronized void detach() {
      if (!isStarted()) {
        return;
      }
      for (Map.Entry<Logger, Level> e : previous.entrySet()) {
        e.getKey().detachAppender(this);
        e.getKey().setLevel(e.getValue());
        e.getKey().setAdditive(true);
      }
      previous.clear();
      super.stop();
    }

    void clear() {
      events.clear();
    }

    @Override
    protected void append(ILoggingEvent e) {
      if (e.getLevel() == Level.DEBUG) {
        events.add(e);
      } else {
        // keep warnings and errors visible
        System.out.println(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
      }
    }

    Map<String, List<Double>> values() {
      Map<String, List<Double>> out = new HashMap<>();
      for (ILoggingEvent e : events) {
        if (e.getKeyValuePairs() == null) {
          continue;
        }
        for (var kv : e.getKeyValuePairs()) {
          try {
            double v = Double.parseDouble(String.valueOf(kv.value));
            out.computeIfAbsent(e.getMessage() + "/" + kv.key, k -> new ArrayList<>()).add(v);
          } catch (NumberFormatException notANumber) {
            // a name, not a figure
          }
        }
      }
      return out;
    }
  }
}
