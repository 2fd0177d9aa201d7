package io.gatehouse.node;

import static io.gatehouse.k8s.watch.IngressWatcherIT.ingress;

import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A whole node with {@code kubernetes.enabled} against the test API server, and Services whose
 * EndpointSlices lead to loopback backends, for tests that prove an Ingress's behaviour through the
 * proxy.
 *
 * <p>Test seam: the API server refuses loopback addresses in EndpointSlices, so slices hold
 * documentation addresses ({@code 192.0.2.N:8080}) and the node is started with an endpoint mapper
 * that sends each one to its loopback backend. The mapper is a parameter of {@code
 * GatehouseNode.start} only: no configuration key or Kubernetes object can set it.
 */
public final class KubeNodeFixture implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Map<String, Integer> backends = new ConcurrentHashMap<>();
  private final AtomicInteger addresses = new AtomicInteger(10);
  private final UnaryOperator<Endpoint> mapper =
      e -> {
        Integer port = backends.get(e.authority());
        return port == null ? e : new Endpoint("127.0.0.1", port, e.weight());
      };

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    vertx.close().await();
  }

  /** A started node; closing stops it. */
  public record Running(GatehouseNode node) implements AutoCloseable {
    public int port() {
      return node.httpPort();
    }

    /** {@code GET path} for {@code host} over a new connection (closed after the answer). */
    public RawHttp.Response get(String host, String path) throws Exception {
      return RawHttp.exchange(
          port(), "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    /** Sends {@code request} as written (CRLF line ends) over a new connection. */
    public RawHttp.Response exchange(String request) throws Exception {
      return RawHttp.exchange(port(), request);
    }

    @Override
    public void close() {
      node.stop().await();
    }
  }

  /**
   * The operator's opt-in to loopback upstreams, for tests whose auth service or mirror is a
   * loopback server named in an annotation.
   */
  public static NodeConfig allowingLoopback(NodeConfig c) {
    NodeConfig.Kubernetes k = c.kubernetes();
    return c.withKubernetes(
        new NodeConfig.Kubernetes(
            k.enabled(),
            k.kubeconfig(),
            k.namespaces(),
            k.ingressClass(),
            k.ingressLabelSelector(),
            k.publishAddresses(),
            k.leaderElection(),
            k.leaseNamespace(),
            k.leaseName(),
            k.leaseDuration(),
            k.deniedUpstreams(),
            true));
  }

  /** Whether {@code object} in {@code ns} has a Warning event with {@code reason}. */
  public static boolean warned(ApiClient admin, String ns, String object, String reason)
      throws Exception {
    return new CoreV1Api(admin)
            .listNamespacedEvent(ns)
            .fieldSelector("involvedObject.name=" + object + ",type=Warning")
            .execute()
            .getItems()
            .stream()
            .anyMatch(e -> reason.equals(e.getReason()));
  }

  /** A node serving the Ingresses of class {@code cls} in namespace {@code ns} (all when ""). */
  public Running node(ApiServerHarness server, String ns, String cls) throws Exception {
    return node(server, ns, cls, UnaryOperator.identity(), List.of());
  }

  /** The same, with its configuration changed by {@code tweak}. */
  public Running node(
      ApiServerHarness server, String ns, String cls, UnaryOperator<NodeConfig> tweak)
      throws Exception {
    return node(server, ns, cls, tweak, List.of());
  }

  /** The same, with its configuration changed by {@code tweak} and static routes. */
  public Running node(
      ApiServerHarness server,
      String ns,
      String cls,
      UnaryOperator<NodeConfig> tweak,
      List<RouteSpec> staticRoutes)
      throws Exception {
    NodeConfig.Kubernetes k =
        new NodeConfig.Kubernetes(
            true,
            server.kubeconfig().toString(),
            ns.isEmpty() ? List.of() : List.of(ns),
            cls,
            "",
            List.of("192.0.2.250"),
            true,
            server.createNamespace("lease"),
            "gatehouse-leader");
    GatehouseNode node =
        GatehouseNode.start(
                tweak.apply(NodeFixture.testConfig().withKubernetes(k)), staticRoutes, mapper)
            .await(60, TimeUnit.SECONDS);
    return new Running(node);
  }

  /** A loopback backend answering with its name (see {@link TestUpstream}). */
  public TestUpstream backend(String name) {
    return TestUpstream.named(vertx, name);
  }

  /** A documentation address that the node maps to this backend's port. */
  public String address(TestUpstream u) {
    return address(u.port());
  }

  /** A documentation address that the node maps to {@code 127.0.0.1:port}. */
  public String address(int port) {
    String a = "192.0.2." + addresses.incrementAndGet();
    backends.put(a + ":8080", port);
    return a;
  }

  /** A backend behind Service {@code svc} (port 80 "http", one ready endpoint). */
  public TestUpstream backendFor(ApiClient admin, String ns, String svc, String name)
      throws Exception {
    TestUpstream u = backend(name);
    serviceTo(admin, ns, svc, u.port());
    return u;
  }

  /** Service {@code svc} (port 80 "http") with one ready endpoint: {@code 127.0.0.1:port}. */
  public void serviceTo(ApiClient admin, String ns, String svc, int port) throws Exception {
    service(admin, ns, svc);
    new DiscoveryV1Api(admin)
        .createNamespacedEndpointSlice(
            ns, slice(ns, svc, svc + "-slice", Map.of(address(port), true)))
        .execute();
  }

  /** Service {@code name} with port 80 named "http". */
  public static void service(ApiClient admin, String ns, String name) throws Exception {
    new CoreV1Api(admin)
        .createNamespacedService(
            ns,
            new V1Service()
                .metadata(new V1ObjectMeta().name(name))
                .spec(
                    new V1ServiceSpec().ports(List.of(new V1ServicePort().name("http").port(80)))))
        .execute();
  }

  /** Creates EndpointSlice {@code name} of {@code svc} (see {@link #slice}). */
  public static void createSlice(
      ApiClient admin, String ns, String svc, String name, Map<String, Boolean> ready)
      throws Exception {
    new DiscoveryV1Api(admin)
        .createNamespacedEndpointSlice(ns, slice(ns, svc, name, ready))
        .execute();
  }

  /** Replaces EndpointSlice {@code name} of {@code svc} with these endpoints. */
  public static void replaceSlice(
      ApiClient admin, String ns, String svc, String name, Map<String, Boolean> ready)
      throws Exception {
    DiscoveryV1Api api = new DiscoveryV1Api(admin);
    V1EndpointSlice current = api.readNamespacedEndpointSlice(name, ns).execute();
    V1EndpointSlice next = slice(ns, svc, name, ready);
    next.getMetadata().resourceVersion(current.getMetadata().getResourceVersion());
    api.replaceNamespacedEndpointSlice(name, ns, next).execute();
  }

  /** An EndpointSlice of {@code svc}: port "http" 8080, each address ready or terminating. */
  public static V1EndpointSlice slice(
      String ns, String svc, String name, Map<String, Boolean> readyByAddress) {
    return new V1EndpointSlice()
        .metadata(
            new V1ObjectMeta()
                .name(name)
                .namespace(ns)
                .labels(Map.of("kubernetes.io/service-name", svc)))
        .addressType("IPv4")
        .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
        .endpoints(
            readyByAddress.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(
                    e ->
                        new V1Endpoint()
                            .addresses(List.of(e.getKey()))
                            .conditions(
                                new V1EndpointConditions()
                                    .ready(e.getValue())
                                    .serving(true)
                                    .terminating(!e.getValue())))
                .toList());
  }

  /** An Ingress of class {@code cls}: {@code host} {@code /} (Prefix) to {@code svc}:http. */
  public static V1Ingress ingressTo(String ns, String name, String cls, String host, String svc) {
    V1Ingress i = ingress(ns, name, cls, host, null);
    i.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().name(svc);
    return i;
  }
}
