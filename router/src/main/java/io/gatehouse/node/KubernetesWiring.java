package io.gatehouse.node;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewaySettings;
import io.gatehouse.k8s.watch.GatewayApiOptions;
import io.gatehouse.k8s.watch.GatewayStatusWriter;
import io.gatehouse.k8s.watch.IngressWatcher;
import io.gatehouse.k8s.watch.IngressWatcherOptions;
import io.gatehouse.k8s.watch.KubernetesEndpointFeed;
import io.gatehouse.k8s.watch.LeaseLeadership;
import io.gatehouse.k8s.watch.ProblemEvents;
import io.gatehouse.k8s.watch.PublishedService;
import io.gatehouse.k8s.watch.StatusWriter;
import io.gatehouse.k8s.watch.TableSink;
import io.gatehouse.k8s.watch.TranslationSink;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HostClaim;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.TableView;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the Kubernetes ingress controller for a node: client, optional Lease leadership, the
 * watcher and its sinks. Routes go to the table on every replica unless the table is shared by a
 * cluster, where only the leader writes them; status and events are always the leader's.
 *
 * <p>Every node, leader or not, also runs a {@link KubernetesEndpointFeed} over the watcher's own
 * informer caches: it feeds the node's endpoint index with the endpoints of the Service ports that
 * compiled routes refer to, with the translator's address rules and the watcher's endpoint mapper.
 */
final class KubernetesWiring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesWiring.class);

  private final IngressWatcher watcher;
  private final KubernetesEndpointFeed feed;
  private final @Nullable LeaseLeadership leadership;
  private final AutoCloseable claims;
  private final @Nullable PublishedService published;
  private final TableSink tableSink;
  private final KubernetesProblems problems;
  private final boolean sharedTable;

  private KubernetesWiring(
      IngressWatcher watcher,
      KubernetesEndpointFeed feed,
      @Nullable LeaseLeadership leadership,
      AutoCloseable claims,
      @Nullable PublishedService published,
      TableSink tableSink,
      KubernetesProblems problems,
      boolean sharedTable) {
    this.tableSink = tableSink;
    this.problems = problems;
    this.sharedTable = sharedTable;
    this.watcher = watcher;
    this.feed = feed;
    this.leadership = leadership;
    this.claims = claims;
    this.published = published;
  }

  /**
   * Completes once every informer has synced, the first translation is in the table and the
   * endpoint feed has computed every Service key known then into {@code endpoints}.
   */
  static Future<KubernetesWiring> start(
      Vertx vertx,
      NodeConfig.Kubernetes k,
      RouteTable table,
      boolean sharedTable,
      EndpointIndex endpoints,
      UnaryOperator<Endpoint> endpointMapper) {
    return vertx
        .executeBlocking(() -> build(k, table, sharedTable, endpoints, endpointMapper))
        .compose(
            w ->
                Future.fromCompletionStage(
                        w.watcher.start().thenCompose(v -> w.feed.ready()),
                        vertx.getOrCreateContext())
                    .map(w)
                    .recover(
                        t -> {
                          w.close();
                          return Future.failedFuture(
                              new IllegalStateException(
                                  "kubernetes watcher failed to start: " + t.getMessage(), t));
                        }));
  }

  private static KubernetesWiring build(
      NodeConfig.Kubernetes k,
      RouteTable table,
      boolean sharedTable,
      EndpointIndex endpoints,
      UnaryOperator<Endpoint> endpointMapper)
      throws Exception {
    ApiClient client = client(k.kubeconfig());
    String identity = identity();
    IngressWatcher[] watcher = new IngressWatcher[1];
    LeaseLeadership lease =
        k.leaderElection()
            ? LeaseLeadership.forLease(
                client,
                k.leaseNamespace(),
                k.leaseName(),
                identity,
                k.leaseDuration(),
                leading -> {
                  if (watcher[0] != null) {
                    watcher[0].poke();
                  }
                })
            : null;
    BooleanSupplier leader = lease == null ? () -> true : lease::isLeader;
    // routes held back during a rolling upgrade are written on the rebuild a member change asks
    TableSink tableSink =
        new TableSink(
            table,
            () -> {
              if (watcher[0] != null) {
                watcher[0].poke();
              }
            });
    // with a shared table only the leader writes; replicas that do not lead skip translating
    TranslationSink routes = sharedTable ? TranslationSink.onlyWhile(leader, tableSink) : tableSink;
    IngressWatcherOptions defaults = IngressWatcherOptions.DEFAULTS;
    IngressWatcherOptions options =
        new IngressWatcherOptions(
            k.namespaces(),
            k.ingressLabelSelector(),
            k.ingressClass(),
            defaults.holdOff(),
            defaults.maxDelay(),
            endpointMapper,
            IngressTranslator.upstreamPolicy(k.deniedUpstreams(), k.allowLoopbackExternalNames()),
            k.nginxConfigMap());
    PublishedService published =
        k.publishAddresses().isEmpty() && !k.publishService().isEmpty()
            ? new PublishedService(
                client,
                k.publishService(),
                () -> {
                  if (watcher[0] != null) {
                    watcher[0].poke();
                  }
                })
            : null;
    // fixed addresses win over the Service, as ingress-nginx's --publish-status-address
    Supplier<List<String>> addresses =
        !k.publishAddresses().isEmpty()
            ? k::publishAddresses
            : published == null ? null : published::addresses;
    StatusWriter status = new StatusWriter(client, leader, addresses);
    // without a pool Gateways report the same addresses as Ingresses (every Gateway of our class
    // served by the node's own listeners); with one, each its own address from the pool
    GatewayApiOptions gateway =
        new GatewayApiOptions(
            GatewayApiOptions.Mode.parse(k.gatewayApi()),
            new GatewaySettings(
                    GatewaySettings.CONTROLLER,
                    List.of(),
                    k.gatewayHttpPort(),
                    k.gatewayHttpsPort())
                .withPool(k.gatewayAddresses(), k.gatewayPorts()),
            addresses == null ? List::of : addresses);
    KubernetesProblems problems = new KubernetesProblems(Clock.systemUTC());
    watcher[0] =
        new IngressWatcher(
            client,
            options,
            gateway,
            Clock.systemUTC(),
            () -> table.view().hostClaims(),
            List.of(
                routes,
                status,
                new GatewayStatusWriter(
                    client, leader, GatewaySettings.CONTROLLER, Clock.systemUTC()),
                TranslationSink.withProblems(
                    tableSink::heldProblems,
                    new ProblemEvents(client, leader, identity, Clock.systemUTC())),
                problems));
    // an admin-API host claim changes who may serve a host: rebuild when the claims change
    AutoCloseable claims =
        table.subscribe(
            new Consumer<TableView>() {
              private @Nullable Map<String, HostClaim> last;

              @Override
              public void accept(TableView view) {
                Map<String, HostClaim> now = view.hostClaims();
                if (last != null && !now.equals(last)) {
                  watcher[0].poke();
                }
                last = now;
              }
            });
    // on every node: the feed reads this node's own caches, so it needs no leader
    KubernetesEndpointFeed feed =
        new KubernetesEndpointFeed(
            endpoints,
            IngressTranslator.serviceEndpoints(options.upstreams()),
            options.endpointMapper(),
            watcher[0].endpointSource(),
            service ->
                LOG.atDebug()
                    .setMessage("refused endpoint addresses changed")
                    .addKeyValue("service", service)
                    .log());
    watcher[0].feedEndpoints(feed); // before the watcher starts, so it sees every event
    if (lease != null) {
      lease.start();
    }
    if (published != null) {
      published.start();
    }
    feed.start();
    return new KubernetesWiring(
        watcher[0], feed, lease, claims, published, tableSink, problems, sharedTable);
  }

  private static ApiClient client(String kubeconfig) throws Exception {
    KubeCredentials creds =
        KubeCredentials.resolve(kubeconfig, System.getenv(), KubeCredentials.SERVICE_ACCOUNT);
    ClientBuilder builder;
    Path file = creds.kubeconfig(); // null: the pod's ServiceAccount (in the cluster)
    if (file == null) {
      builder = ClientBuilder.cluster();
    } else {
      try (Reader r = Files.newBufferedReader(file)) {
        KubeConfig config = KubeConfig.loadKubeConfig(r);
        config.setFile(file.toFile());
        builder = ClientBuilder.kubeconfig(config);
      }
    }
    // watches stay open for minutes: no read timeout (informers bound their own waits)
    return builder.setReadTimeout(Duration.ZERO).build();
  }

  private static String identity() {
    String pod = System.getenv("POD_NAME");
    String host = pod != null && !pod.isBlank() ? pod : System.getenv("HOSTNAME");
    return (host == null || host.isBlank() ? "gatehouse" : host)
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Every informer has synced and the first translation was published (metrics). */
  boolean synced() {
    return watcher.isReady();
  }

  /** Informers whose last call failed, e.g. with a 403 (metrics). */
  int watchErrors() {
    return watcher.errors().size();
  }

  /** Translations rebuilt so far (metrics). */
  long rebuilds() {
    return watcher.rebuilds();
  }

  /** This node holds the Lease, or elects none (metrics). */
  boolean leader() {
    return leadership == null || leadership.isLeader();
  }

  /** For {@code /status}: whether this node elects, holds the Lease, and under which identity. */
  JsonObject statusJson() {
    JsonObject out =
        new JsonObject()
            .put("leaderElection", leadership != null)
            .put("leader", leadership == null || leadership.isLeader())
            .put("identity", leadership == null ? null : leadership.identity())
            // the Gateway API kinds served (their CRDs installed and permitted); empty: none
            .put(
                "gatewayApi",
                new JsonArray(
                    watcher.gatewayKinds().stream().sorted().map(GatewayKind::kind).toList()))
            // routes held back from the table (a cluster not yet upgraded), as their objects'
            // problems
            .put("held", heldJson());
    if (sharedTable && !leader()) {
      // a replica that does not lead translates nothing: what it saw last may be stale
      return out.put("problems", new JsonArray()).put("problemsTotal", 0);
    }
    problems.addTo(out);
    return out;
  }

  private JsonArray heldJson() {
    JsonArray out = new JsonArray();
    for (IngressProblem p : tableSink.heldProblems()) {
      out.add(
          new JsonObject()
              .put("object", p.ingress().namespace() + "/" + p.ingress().name())
              .put("reason", p.reason())
              .put("message", p.message()));
    }
    return out;
  }

  @Override
  public void close() {
    try {
      claims.close();
    } catch (Exception e) {
      // the table is closing too
    }
    tableSink.close();
    watcher.close();
    feed.close();
    if (published != null) {
      published.close();
    }
    if (leadership != null) {
      leadership.close();
    }
  }
}
