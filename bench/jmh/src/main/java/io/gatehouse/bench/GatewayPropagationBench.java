package io.gatehouse.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewaySettings;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.k8s.watch.testing.GatewayCrds;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.snapshot.RouteSnapshot;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/**
 * Gateway API propagation (issue #17): the time from an HTTPRoute's create, as the API server
 * acknowledges it, until every node of a three-node cluster serves it, over routes created one at a
 * time. Also the time until the route's {@code Accepted} condition reaches a client watching it.
 *
 * <p>The pieces are the real ones: etcd and kube-apiserver from the envtest build ({@link
 * ApiServerHarness}, the test-jar, as the node ITs use it), the upstream Gateway API CRDs, a
 * GatewayClass and Gateway of ours, a Service with an EndpointSlice, and three nodes with {@code
 * kubernetes.gatewayApi: true}, each its own Hazelcast member, store, informers and router, with
 * leader election on: the leader translates and writes the replicated table and the status, every
 * node serves what the table holds.
 *
 * <p>Why one JVM for the nodes (as {@link PropagationBench} and {@code KubernetesScaleIT}):
 * "served" is then read on the node itself, with no HTTP polling in the measurement. A node serves
 * a route once the snapshot that every one of its event loops has adopted ({@code
 * SnapshotHolder.get()}, what {@code wait=all} counts) holds the route's key. The bench polls the
 * three holders every 50 µs (about 0.1 ms resolution on Linux). The nodes share one JVM's heap and
 * JIT, and two cores with the API server and etcd; the API server's watch delivery to each node's
 * informers is a real loopback TCP stream. Endpoint addresses are documentation addresses mapped to
 * a loopback backend (the API server refuses loopback in EndpointSlices; the seam is {@code
 * GatehouseNode.start}'s endpoint mapper, as in the ITs); the end checks, over HTTP, that every
 * node proxies the first and last routes to that backend.
 *
 * <p>Per route: create (one {@code POST}), then wait until all three nodes serve it and its
 * Accepted status has been seen, then the next: no two routes are in flight. Warm-up routes come
 * first and are not counted. The DEBUG timing lines of the watcher, the table and the publisher are
 * collected over the measured routes and summarised as phases.
 *
 * <p>{@code java -cp bench/jmh/target/benchmarks.jar io.gatehouse.bench.GatewayPropagationBench
 * [routes] [warmup]} (1000, 100); {@code -Dgwprop.raw=FILE} also writes one row per route. Needs
 * the envtest binaries ({@code k8s/envtest/build.sh}) and the Go toolchain for the CRDs ({@link
 * GatewayCrds}). Driven by {@code bench/gateway-propagation.sh}.
 */
public final class GatewayPropagationBench {
  private static final int NODES = 3;
  private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(30);
  private static final String DOC_ADDRESS = "192.0.2.10";
  private static final String CLASS = "gatehouse-bench";

  /** The loggers whose DEBUG lines carry phase timings (as KubernetesScaleIT reads them). */
  private static final List<String> TIMED =
      List.of(
          "io.gatehouse.k8s.watch.IngressWatcher",
          "io.gatehouse.k8s.watch.TableSink",
          "io.gatehouse.table.hazelcast.HazelcastRouteTable",
          "io.gatehouse.snapshot.SnapshotPublisher");

  private GatewayPropagationBench() {}

  public static void main(String[] args) throws Exception {
    int routes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    long started = System.nanoTime();
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/",
        x -> {
          byte[] body = "web".getBytes(StandardCharsets.US_ASCII);
          x.sendResponseHeaders(200, body.length);
          try (OutputStream o = x.getResponseBody()) {
            o.write(body);
          }
        });
    backend.start();
    int backendPort = backend.getAddress().getPort();
    UnaryOperator<Endpoint> mapper =
        e ->
            e.authority().equals(DOC_ADDRESS + ":8080")
                ? new Endpoint("127.0.0.1", backendPort, e.weight())
                : e;
    List<GatehouseNode> nodes = new ArrayList<>();
    Path data = Files.createTempDirectory("gatehouse-gwprop");
    Phases phases = new Phases();
    try (ApiServerHarness server = ApiServerHarness.start(Duration.ofSeconds(120))) {
      // the nodes stop before the API server does, or their informers log its absence
      try {
        measure(server, mapper, nodes, data, phases, routes, warmup, started);
      } finally {
        phases.detach();
        for (GatehouseNode n : nodes) {
          n.stop().await(30, TimeUnit.SECONDS);
        }
      }
    } finally {
      backend.stop(0);
    }
  }

  private static void measure(
      ApiServerHarness server,
      UnaryOperator<Endpoint> mapper,
      List<GatehouseNode> nodes,
      Path data,
      Phases phases,
      int routes,
      int warmup,
      long started)
      throws Exception {
    GatewayCrds.installStandard(server, Duration.ofSeconds(120));
    ApiClient admin = server.adminClient();
    String ns = server.createNamespace("gwprop");
    String leaseNs = server.createNamespace("gwprop-lease");
    create(
        admin,
        GatewayKind.GATEWAY_CLASS,
        "",
        """
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
           "metadata": {"name": "%s"}, "spec": {"controllerName": "%s"}}
          """
            .formatted(CLASS, GatewaySettings.CONTROLLER));
    create(
        admin,
        GatewayKind.GATEWAY,
        ns,
        """
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
           "metadata": {"name": "gw"},
           "spec": {"gatewayClassName": "%s",
            "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}}
          """
            .formatted(CLASS));
    service(admin, ns);

    String cluster = "gwprop-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < NODES) {
      int p = ApiServerHarness.freePort();
      if (!ports.contains(p)) {
        ports.add(p);
      }
    }
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    for (int i = 0; i < NODES; i++) {
      nodes.add(
          GatehouseNode.start(
                  nodeConfig(server, ns, leaseNs, cluster, members, i, data), List.of(), mapper)
              .await(120, TimeUnit.SECONDS));
    }
    awaitProgrammed(admin, ns);
    System.out.printf(
        Locale.ROOT,
        "%d nodes up, Gateway programmed, %.1f s after start%n",
        NODES,
        (System.nanoTime() - started) / 1e9);

    try (AcceptedWatch accepted = AcceptedWatch.start(server, ns)) {
      run(admin, ns, nodes, accepted, "warm", warmup);
      phases.attach();
      Sample s = run(admin, ns, nodes, accepted, "r", routes);
      phases.detach();
      for (String host : List.of("r0.prop.bench.test", "r" + (routes - 1) + ".prop.bench.test")) {
        for (GatehouseNode n : nodes) {
          String answer = get(n.httpPort(), host);
          if (!answer.startsWith("HTTP/1.1 200") || !answer.endsWith("web")) {
            throw new IllegalStateException("node did not proxy " + host + ":\n" + answer);
          }
        }
      }
      report(routes, warmup, s, phases);
      String raw = System.getProperty("gwprop.raw", "");
      if (!raw.isEmpty()) {
        writeRaw(Path.of(raw), s);
      }
    }
  }

  /** Per route, nanoseconds: the create call, create → each node, create → Accepted seen. */
  private record Sample(long[] create, long[][] perNode, long[] all, long[] accepted) {}

  private static Sample run(
      ApiClient admin,
      String ns,
      List<GatehouseNode> nodes,
      AcceptedWatch accepted,
      String prefix,
      int count) {
    long[] createNanos = new long[count];
    long[][] perNode = new long[count][NODES];
    long[] all = new long[count];
    long[] acceptedNanos = new long[count];
    for (int i = 0; i < count; i++) {
      String name = prefix + i;
      // the translator's key for rule 0, match 0 of an HTTPRoute on the node's own listeners
      RouteKey key = RouteKey.of(ns, IngressTranslator.SOURCE, "httproute_" + name + ".r0.m0");
      String json =
          """
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
           "metadata": {"name": "%s"},
           "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["%s.prop.bench.test"],
            "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}
          """
              .formatted(name, name);
      long t0 = System.nanoTime();
      create(admin, GatewayKind.HTTP_ROUTE, ns, json);
      long acked = System.nanoTime();
      createNanos[i] = acked - t0;
      long deadline = acked + ROUTE_TIMEOUT.toNanos();
      long[] at = perNode[i];
      Arrays.fill(at, -1);
      int remaining = NODES;
      while (remaining > 0) {
        for (int n = 0; n < NODES; n++) {
          if (at[n] < 0 && serves(nodes.get(n), key)) {
            at[n] = System.nanoTime() - acked;
            remaining--;
          }
        }
        if (remaining > 0) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                key
                    + " not served by every node within "
                    + ROUTE_TIMEOUT
                    + ": "
                    + Arrays.toString(at));
          }
          LockSupport.parkNanos(50_000);
        }
      }
      all[i] = Arrays.stream(at).max().orElseThrow();
      acceptedNanos[i] = accepted.await(name, deadline) - acked;
    }
    return new Sample(createNanos, perNode, all, acceptedNanos);
  }

  private static boolean serves(GatehouseNode node, RouteKey key) {
    RouteSnapshot s = node.snapshots().get();
    return s != null && s.route(key) != null;
  }

  private static NodeConfig nodeConfig(
      ApiServerHarness server,
      String ns,
      String leaseNs,
      String cluster,
      List<String> members,
      int i,
      Path data) {
    NodeConfig.Kubernetes k =
        new NodeConfig.Kubernetes(
                true,
                server.kubeconfig().toString(),
                List.of(ns),
                "",
                "",
                List.of("192.0.2.250"),
                true,
                leaseNs,
                "gatehouse-leader")
            .withGatewayApi("true", 80, 443);
    return ClusterNodes.config(data, i, cluster, members, 1).withKubernetes(k);
  }

  // ---- Kubernetes objects

  private static DynamicKubernetesApi api(ApiClient admin, GatewayKind kind) {
    return new DynamicKubernetesApi(kind.group(), kind.version(), kind.plural(), admin);
  }

  private static void create(ApiClient admin, GatewayKind kind, String ns, String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    if (!ns.isEmpty()) {
      o.getAsJsonObject("metadata").addProperty("namespace", ns);
    }
    KubernetesApiResponse<DynamicKubernetesObject> r =
        api(admin, kind).create(new DynamicKubernetesObject(o));
    if (!r.isSuccess()) {
      throw new IllegalStateException("create " + kind + ": " + r.getStatus());
    }
  }

  /** Service {@code web} (port 80 "http") with one ready endpoint, mapped to the backend. */
  private static void service(ApiClient admin, String ns) throws Exception {
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name("web"))
                .spec(
                    new V1ServiceSpec().ports(List.of(new V1ServicePort().name("http").port(80)))))
        .execute();
    new DiscoveryV1Api(admin)
        .createNamespacedEndpointSlice(
            ns,
            new V1EndpointSlice()
                .metadata(
                    new V1ObjectMeta()
                        .name("web")
                        .namespace(ns)
                        .labels(Map.of("kubernetes.io/service-name", "web")))
                .addressType("IPv4")
                .ports(
                    List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
                .endpoints(
                    List.of(
                        new V1Endpoint()
                            .addresses(List.of(DOC_ADDRESS))
                            .conditions(new V1EndpointConditions().ready(true)))))
        .execute();
  }

  private static void awaitProgrammed(ApiClient admin, String ns) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      KubernetesApiResponse<DynamicKubernetesObject> r =
          api(admin, GatewayKind.GATEWAY).get(ns, "gw");
      if (r.isSuccess() && hasCondition(r.getObject().getRaw(), "Programmed")) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new IllegalStateException("Gateway gw not Programmed within 60 s");
  }

  /** Whether {@code object} (or, for a route, one of its parents) has {@code type} True. */
  static boolean hasCondition(JsonObject object, String type) {
    JsonElement status = object.get("status");
    if (status == null || !status.isJsonObject()) {
      return false;
    }
    List<JsonElement> holders = new ArrayList<>();
    holders.add(status);
    JsonElement parents = status.getAsJsonObject().get("parents");
    if (parents != null && parents.isJsonArray()) {
      parents.getAsJsonArray().forEach(holders::add);
    }
    for (JsonElement h : holders) {
      JsonElement conditions = h.getAsJsonObject().get("conditions");
      if (conditions == null || !conditions.isJsonArray()) {
        continue;
      }
      for (JsonElement c : conditions.getAsJsonArray()) {
        JsonObject o = c.getAsJsonObject();
        if (type.equals(o.get("type").getAsString())
            && "True".equals(o.get("status").getAsString())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A watch on the namespace's HTTPRoutes, recording when each route's {@code Accepted} condition
   * (True) first arrives: what a client watching the route (kubectl wait, a CD tool) would see.
   */
  private static final class AcceptedWatch implements AutoCloseable, Runnable {
    private final DynamicKubernetesApi api;
    private final String ns;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final Thread thread = new Thread(this, "gwprop-accepted-watch");
    private volatile boolean closed;
    private volatile Watchable<DynamicKubernetesObject> watch;

    private AcceptedWatch(ApiServerHarness server, String ns) {
      this.api = api(server.newAdminClient(Duration.ZERO), GatewayKind.HTTP_ROUTE);
      this.ns = ns;
    }

    static AcceptedWatch start(ApiServerHarness server, String ns) {
      AcceptedWatch w = new AcceptedWatch(server, ns);
      w.thread.setDaemon(true);
      w.thread.start();
      return w;
    }

    @Override
    public void run() {
      String version = "";
      while (!closed) {
        ListOptions o = new ListOptions();
        o.setTimeoutSeconds(3600);
        if (!version.isEmpty()) {
          o.setResourceVersion(version);
        }
        try (Watchable<DynamicKubernetesObject> w = api.watch(ns, o)) {
          watch = w;
          for (Watch.Response<DynamicKubernetesObject> e : w) {
            long now = System.nanoTime();
            DynamicKubernetesObject obj = e.object;
            if (obj == null || obj.getMetadata() == null) {
              continue;
            }
            String v = obj.getMetadata().getResourceVersion();
            version = v == null ? version : v;
            if (hasCondition(obj.getRaw(), "Accepted")) {
              seen.putIfAbsent(obj.getMetadata().getName(), now);
            }
          }
        } catch (Exception e) {
          if (!closed) {
            System.err.println("HTTPRoute watch ended (" + e + "); watching again");
            version = "";
          }
        }
      }
    }

    /**
     * When route {@code name} was first seen Accepted (nanoTime), waiting until {@code deadline}.
     */
    long await(String name, long deadline) {
      while (true) {
        Long at = seen.get(name);
        if (at != null) {
          return at;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("HTTPRoute " + name + " not seen Accepted in time");
        }
        LockSupport.parkNanos(100_000);
      }
    }

    @Override
    public void close() throws Exception {
      closed = true;
      Watchable<DynamicKubernetesObject> w = watch;
      if (w != null) {
        w.close();
      }
    }
  }

  // ---- the check through the proxy

  private static String get(int port, String host) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  // ---- report

  private static void report(int routes, int warmup, Sample s, Phases phases) {
    System.out.printf(
        Locale.ROOT,
        "%nGateway API propagation: %d HTTPRoutes created one at a time (after %d warm-up), %d"
            + " nodes, %d cores, load average %s%n",
        routes,
        warmup,
        NODES,
        Runtime.getRuntime().availableProcessors(),
        load());
    System.out.printf(
        Locale.ROOT, "  %-46s %8s %8s %8s %8s %8s%n", "ms", "p50", "p90", "p99", "max", "min");
    row("create call (POST until the API server answered)", s.create());
    row("create answered -> served on every node", s.all());
    long[] each = Arrays.stream(s.perNode()).flatMapToLong(Arrays::stream).toArray();
    row("create answered -> served, each node", each);
    for (int n = 0; n < NODES; n++) {
      final int node = n;
      row("  node " + (n + 1), Arrays.stream(s.perNode()).mapToLong(a -> a[node]).toArray());
    }
    row("create answered -> Accepted seen by a watch", s.accepted());
    System.out.printf(Locale.ROOT, "%n  phases (DEBUG lines, measured routes)%n");
    System.out.printf(Locale.ROOT, "  %-46s %8s %8s %8s %6s%n", "ms", "p50", "p99", "max", "n");
    phases.print();
  }

  /** One row per measured route, milliseconds, for docs/results. */
  private static void writeRaw(Path file, Sample s) throws IOException {
    StringBuilder b = new StringBuilder("route\tcreate_ms");
    for (int n = 1; n <= NODES; n++) {
      b.append("\tnode").append(n).append("_ms");
    }
    b.append("\tall_ms\taccepted_ms\n");
    for (int i = 0; i < s.all().length; i++) {
      b.append('r').append(i).append('\t').append(ms(s.create()[i]));
      for (long v : s.perNode()[i]) {
        b.append('\t').append(ms(v));
      }
      b.append('\t').append(ms(s.all()[i])).append('\t').append(ms(s.accepted()[i])).append('\n');
    }
    Files.writeString(file, b);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private static void row(String what, long[] nanos) {
    long[] v = nanos.clone();
    Arrays.sort(v);
    System.out.printf(
        Locale.ROOT,
        "  %-46s %8.1f %8.1f %8.1f %8.1f %8.1f%n",
        what,
        pct(v, 50) / 1e6,
        pct(v, 90) / 1e6,
        pct(v, 99) / 1e6,
        v[v.length - 1] / 1e6,
        v[0] / 1e6);
  }

  /** Nearest rank on a sorted array. */
  private static long pct(long[] sorted, int p) {
    int rank = (int) Math.ceil(sorted.length * p / 100.0) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "?";
    }
  }

  /** The numeric key-values of the timed loggers' DEBUG lines, by message and key. */
  private static final class Phases extends AppenderBase<ILoggingEvent> {
    private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

    synchronized void attach() {
      setContext((LoggerContext) LoggerFactory.getILoggerFactory());
      start();
      for (String name : TIMED) {
        Logger l = (Logger) LoggerFactory.getLogger(name);
        l.setLevel(Level.DEBUG);
        l.setAdditive(false);
        l.addAppender(this);
      }
    }

    synchronized void detach() {
      if (!isStarted()) {
        return;
      }
      for (String name : TIMED) {
        Logger l = (Logger) LoggerFactory.getLogger(name);
        l.detachAppender(this);
        l.setLevel(null);
        l.setAdditive(true);
      }
      stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
      if (e.getLevel() == Level.DEBUG) {
        events.add(e);
      } else {
        System.out.println(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
      }
    }

    void print() {
      Map<String, List<Double>> values = new TreeMap<>();
      for (ILoggingEvent e : events) {
        if (e.getKeyValuePairs() == null) {
          continue;
        }
        for (var kv : e.getKeyValuePairs()) {
          if (kv.key.endsWith("Ms") || kv.key.equals("changed")) {
            values
                .computeIfAbsent(e.getMessage() + " / " + kv.key, k -> new ArrayList<>())
                .add(Double.parseDouble(String.valueOf(kv.value)));
          }
        }
      }
      for (Map.Entry<String, List<Double>> v : values.entrySet()) {
        double[] s = v.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(
            Locale.ROOT,
            "  %-46s %8.1f %8.1f %8.1f %6d%n",
            v.getKey(),
            s[(s.length - 1) / 2],
            s[Math.max(0, (int) Math.ceil(s.length * 0.99) - 1)],
            s[s.length - 1],
            s.length);
      }
    }
  }
}
