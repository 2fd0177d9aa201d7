package io.gatehouse.node;

import io.gatehouse.access.AccessServices;
import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.accesslog.AccessLogOptions;
import io.gatehouse.acme.ChallengeStore;
import io.gatehouse.acme.InMemoryChallengeStore;
import io.gatehouse.admin.AdminApiOptions;
import io.gatehouse.admin.AdminApiVerticle;
import io.gatehouse.certificate.CertificateBindings;
import io.gatehouse.certificate.CertificateDirectorySource;
import io.gatehouse.certificate.CertificateExpiry;
import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.CertificateIndexHolder;
import io.gatehouse.certificate.DefaultCertificate;
import io.gatehouse.certificate.ServedCertificate;
import io.gatehouse.certificate.TableCertificateSource;
import io.gatehouse.dashboard.DashboardHandler;
import io.gatehouse.dashboard.DashboardJson;
import io.gatehouse.dashboard.RequestRates;
import io.gatehouse.document.Forms;
import io.gatehouse.document.HostPort;
import io.gatehouse.echo.EchoVerticle;
import io.gatehouse.edge.CleartextPreface;
import io.gatehouse.edge.ConnectionLimiter;
import io.gatehouse.edge.EdgeLimitsHolder;
import io.gatehouse.edge.OverloadGuard;
import io.gatehouse.edge.RepeatOffenders;
import io.gatehouse.edge.TrustedProxies;
import io.gatehouse.encoding.BodyEncoders;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.explain.NodeExplainer;
import io.gatehouse.fallback.DefaultBackendVerticle;
import io.gatehouse.file.FileRouteSource;
import io.gatehouse.health.HealthClock;
import io.gatehouse.health.HealthMonitor;
import io.gatehouse.health.HealthRegistry;
import io.gatehouse.health.OutlierDetector;
import io.gatehouse.metrics.ExchangeMetrics;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.metrics.MetricsOptions;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.ocsp.OcspStapler;
import io.gatehouse.passthrough.Passthrough;
import io.gatehouse.passthrough.PassthroughStats;
import io.gatehouse.proxy.InFlight;
import io.gatehouse.proxy.RouterSettings;
import io.gatehouse.proxy.RouterVerticle;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteProblem;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.snapshot.SnapshotPublisher;
import io.gatehouse.table.EntryStore;
import io.gatehouse.table.HealthTopic;
import io.gatehouse.table.InMemoryHealthTopic;
import io.gatehouse.table.InMemoryLimitCounters;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.TableView;
import io.gatehouse.table.codec.EntryCodec;
import io.gatehouse.table.hazelcast.HazelcastHealthTopic;
import io.gatehouse.table.hazelcast.HazelcastLimitCounters;
import io.gatehouse.table.hazelcast.HazelcastRouteTable;
import io.gatehouse.table.store.SqliteEntryStore;
import io.gatehouse.tls.SniKeyManager;
import io.gatehouse.tls.TlsPolicy;
import io.gatehouse.tls.TlsServerOptions;
import io.gatehouse.trace.CollectorHeaders;
import io.gatehouse.trace.OtlpTracing;
import io.gatehouse.trace.TracingOptions;
import io.gatehouse.upstream.AffinityCookies;
import io.gatehouse.upstream.BackendLimits;
import io.gatehouse.upstream.BalancerOptions;
import io.gatehouse.validate.Cidrs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Gatehouse node: wires the table, sources, compiler and verticles together. */
public final class GatehouseNode {
  private static final Logger LOG = LoggerFactory.getLogger(GatehouseNode.class);

  /** How often idle circuit-breaker counters of backends no route uses are dropped. */
  private static final long LIMITS_PRUNE_MILLIS = 60_000;

  private static final Duration HOLD_OFF = Duration.ofMillis(5);
  private static final Duration MAX_DELAY = Duration.ofMillis(100);
  private static final Duration CERTIFICATE_RECHECK = Duration.ofMinutes(1);

  /** How often the watched configuration file is compared with what was last read. */
  private static final Duration RELOAD_POLL = Duration.ofSeconds(1);

  private final NodeConfig config;
  private final Vertx vertx;
  private final RouteTable table;
  private final SnapshotHolder snapshots = new SnapshotHolder();

  /** The node's endpoints: fed by the compile thread, read by the routers and explain. */
  private final EndpointIndex endpoints = new EndpointIndex();

  private final SnapshotPublisher publisher;

  /**
   * Endpoint health, node-wide: the registry the balancers read, the detector the exchanges report
   * to, and the topic it shares both on (the table's Hazelcast member, or none).
   */
  private final HealthRegistry health;

  private final OutlierDetector outliers;
  private final HealthTopic healthTopic;
  private final InFlight inFlight = new InFlight();

  /** ACME HTTP-01 answers of this node's orders (phase 1: this node's only; issue #19). */
  private final InMemoryChallengeStore acmeChallenges = new InMemoryChallengeStore();

  private final GatehouseMetrics metrics = new GatehouseMetrics(snapshots);

  /** The dashboard's live rates; null when the dashboard is off (nothing counted then). */
  private final @Nullable RequestRates dashboardRates;

  /** The proxy's traffic series, or null with {@code metrics.enabled: false}. */
  private final @Nullable ExchangeMetrics exchangeMetrics;

  /** The circuit breakers every router shares: counters per backend, node-wide. */
  private final BackendLimits backendLimits = new BackendLimits();

  private final List<RouterVerticle> routers = new CopyOnWriteArrayList<>();
  private volatile long served = -1;
  private final long startedAt = System.currentTimeMillis();
  private volatile boolean draining;
  // Ready only once every listener (admin API included) is up, not at the first snapshot.
  private volatile boolean started;
  private volatile List<RouteProblem> lastProblems = List.of();
  private @Nullable StatusVerticle status;
  private @Nullable AdminApiVerticle admin;
  private @Nullable FileRouteSource fileSource;
  private volatile FileRouteSource.@Nullable Status fileStatus;
  private @Nullable CertificateIndexHolder certificates;
  private @Nullable SniKeyManager keyManager;
  private @Nullable CertificateDirectorySource certificateSource;
  private @Nullable AutoCloseable tableCertificates;
  private volatile @Nullable TableCertificateSource tableCertificateSource;
  private long heapTimer = -1;

  /** Drops the circuit-breaker counters of backends no route uses any more. */
  private long limitsPruneTimer = -1;

  private long certificateTimer = -1;

  /** OCSP stapling, when on ({@link #staples}). */
  private volatile @Nullable OcspStapler ocspStapler;

  /** The access log (an exchange observer); null until {@link #startAll} opened it. */
  private volatile @Nullable AccessLog accessLog;

  /** The configuration file's reload, when {@link #watchConfig} was called. */
  private volatile @Nullable ConfigReload reload;

  private long reloadTimer = -1;
  private long dashboardTimer = -1;
  private final UnaryOperator<Endpoint> k8sEndpoints;

  /** Observers a test added ({@link #start(NodeConfig, List, UnaryOperator, List)}). */
  private final List<ExchangeObserver> extraObservers;

  /** The tracer when {@code tracing.enabled}; null costs the proxy nothing. */
  private final @Nullable OtlpTracing tracing;

  private final PrefaceTransport transport;

  /** The node's connection caps: the routers' and the passthrough connections'. */
  private final ConnectionLimiter connections;

  private final TrustedProxies trusted;

  /** The edge limits every check reads; replaced by a reload ({@link #applyRuntime}). */
  private final EdgeLimitsHolder limits;

  private volatile @Nullable KubernetesWiring kubernetes;

  /** The key of sticky split cookies and of affinity cookies; never logged. */
  private final byte[] stickyKey;

  /** What the compiled access filters borrow (clients, caches, buckets); closed at stop. */
  private final AccessServices accessServices;

  /** The Gateway listeners of each published snapshot, bound on every router. */
  private final ListenerSet gatewayListeners;

  private GatehouseNode(
      NodeConfig config,
      Vertx vertx,
      RouteTable table,
      UnaryOperator<Endpoint> k8sEndpoints,
      List<ExchangeObserver> extraObservers,
      PrefaceTransport transport,
      TrustedProxies trusted,
      EdgeLimitsHolder limits) {
    this.config = config;
    this.limits = limits;
    this.extraObservers = List.copyOf(extraObservers);
    this.tracing = tracing(config.tracing());
    this.transport = transport;
    this.connections = new ConnectionLimiter(limits);
    this.trusted = trusted;
    this.vertx = vertx;
    this.table = table;
    this.k8sEndpoints = k8sEndpoints;
    this.stickyKey = stickyKey(config);
    this.gatewayListeners =
        new ListenerSet(
            vertx,
            routers,
            transport,
            Cidrs.parse(config.kubernetes().gatewayAddresses()),
            config.kubernetes().gatewayPorts(),
            this::ownSockets,
            config.shutdown().drainTimeout().toMillis());
    this.dashboardRates = config.dashboard().enabled() ? new RequestRates() : null;
    this.accessServices =
        new AccessServices(
            vertx,
            () ->
                table instanceof HazelcastRouteTable clustered
                    ? HazelcastLimitCounters.on(clustered)
                    : new InMemoryLimitCounters());
    this.publisher =
        new SnapshotPublisher(
            table, snapshots, HOLD_OFF, MAX_DELAY, endpoints, stickyKey, accessServices);
    for (BackendLimits.Limit limit : BackendLimits.Limit.values()) {
      metrics.functionCounter(
          "gatehouse.backend.overflows",
          "Requests the circuit breakers refused (503) and retries they did not make, by limit",
          "limit",
          limit.reason(),
          () -> backendLimits.refused(limit));
    }
    metrics.functionCounter(
        "gatehouse.access.log.lines",
        "Access-log lines by outcome: written, or dropped (queue full, destination failing)",
        "outcome",
        "written",
        () -> accessLogCount(false));
    metrics.functionCounter(
        "gatehouse.access.log.lines",
        "Access-log lines by outcome: written, or dropped (queue full, destination failing)",
        "outcome",
        "dropped",
        () -> accessLogCount(true));
    this.health = new HealthRegistry(HealthClock.SYSTEM, HealthMonitor.timers(vertx));
    // Reads ClientHellos on the HTTPS listener only while some route passes TLS through.
    PassthroughStats passthroughStats = new PassthroughStats();
    transport.passthrough(
        new Passthrough(
            snapshots::get,
            endpoints,
            health,
            connections,
            host ->
                vertx.executeBlocking(() -> InetAddress.getByName(host), false).toCompletionStage(),
            config.tls().passthrough(),
            passthroughStats));
    passthroughMetrics(passthroughStats);
    this.outliers = new OutlierDetector(health);
    this.exchangeMetrics =
        config.metrics().enabled() ? metrics.exchanges(metricsOptions(config.metrics())) : null;
    if (exchangeMetrics != null) {
      ExchangeMetrics x = exchangeMetrics;
      outliers.onEjection(x::ejected);
      publisher.onPublish(
          snapshot -> x.retain(snapshot, Set.copyOf(endpoints.keys(EndpointsKey.class))));
      publisher.onTiming(t -> metrics.published(t.compileNanos(), t.lagNanos()));
    }
    this.healthTopic =
        table instanceof HazelcastRouteTable clustered
            ? HazelcastHealthTopic.on(clustered)
            : new InMemoryHealthTopic();
  }

  /**
   * The key of sticky split cookies: the bytes of {@code proxy.stickyKeyFile}, or a random one per
   * process (then a cookie is honoured by this node only, until it restarts). Neither the key nor
   * the file's content is ever logged.
   */
  private static byte[] stickyKey(NodeConfig config) {
    String file = config.proxy().stickyKeyFile();
    if (file.isBlank()) {
      if (config.cluster().enabled()) {
        LOG.warn(
            "proxy.stickyKeyFile is not set: sticky split cookies (SessionPersistence) set by"
                + " this member are not honoured by the other members (they pick again and"
                + " replace the cookie); give every member the same key file");
      }
      return SnapshotCompiler.randomStickyKey();
    }
    byte[] key;
    try {
      key = Files.readAllBytes(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "proxy.stickyKeyFile: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    if (key.length < SnapshotCompiler.MIN_STICKY_KEY_BYTES) {
      throw new IllegalStateException(
          "proxy.stickyKeyFile: "
              + file
              + " holds "
              + key.length
              + " bytes (expected: at least "
              + SnapshotCompiler.MIN_STICKY_KEY_BYTES
              + ", such as 32 random bytes)");
    }
    return key;
  }

  /** Starts a node; the future completes once it listens and has published its first snapshot. */
  public static Future<GatehouseNode> start(NodeConfig config, List<RouteSpec> staticRoutes) {
    return start(config, staticRoutes, UnaryOperator.identity());
  }

  /**
   * As {@link #start(NodeConfig, List)}, with Kubernetes endpoint addresses passed through {@code
   * k8sEndpoints}: a test seam only (the API server refuses loopback addresses in EndpointSlices),
   * never reachable from configuration or from a Kubernetes object.
   */
  public static Future<GatehouseNode> start(
      NodeConfig config, List<RouteSpec> staticRoutes, UnaryOperator<Endpoint> k8sEndpoints) {
    return start(config, staticRoutes, k8sEndpoints, List.of());
  }

  /**
   * As {@link #start(NodeConfig, List, UnaryOperator)}, with {@code extraObservers} called after
   * the node's own on every exchange: a test seam only (tests record what the proxy reports), never
   * reachable from configuration.
   */
  public static Future<GatehouseNode> start(
      NodeConfig config,
      List<RouteSpec> staticRoutes,
      UnaryOperator<Endpoint> k8sEndpoints,
      List<ExchangeObserver> extraObservers) {
    // A client can make Netty and Vert.x log (stack traces): bound that before any listener opens.
    FrameworkLogLimiter.install();
    if (!BodyEncoders.brotliAvailable()) {
      // Compression policies then offer their other codings: a client that accepts nothing else
      // gets the body as it is, never a coding it did not ask for.
      LOG.atWarn()
          .setMessage("brotli's native library did not load: compression policies serve no br")
          .log();
    }
    if (!BodyEncoders.zstdAvailable()) {
      // Likewise: a policy listing zstd serves its other codings, never zstd.
      LOG.atWarn()
          .setMessage("zstd-jni's native library did not load: compression policies serve no zstd")
          .log();
    }
    int loops =
        config.eventLoops() > 0 ? config.eventLoops() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    VertxOptions options =
        new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true);
    // Never a clustered Vert.x: nothing uses its event bus, which would be one more listener
    // without authentication. The table runs its own Hazelcast member.
    // The transport puts CleartextPreface on the router's plain port when it accepts h2c.
    // ... and paces new connections from addresses whose HTTP/2 connections keep being cut.
    NodeConfig.Tls tls = config.tls();
    // Replaceable: proxy.trustedProxies reloads at runtime (ConfigReload).
    TrustedProxies trusted = TrustedProxies.replaceable(config.proxy().trustedProxies());
    // Likewise the edge limits, but for those the listeners read once (EdgeLimitsHolder).
    EdgeLimitsHolder limits = new EdgeLimitsHolder(config.limits());
    PrefaceTransport transport =
        new PrefaceTransport(
            true,
            config.http().host(),
            config.http().port(),
            prefacePolicy(config, limits),
            tls.listens() ? tlsHost(config) : null,
            tls.port(),
            new RepeatOffenders(limits, trusted),
            trusted);
    Vertx vertx = Vertx.builder().with(options).withTransport(transport).build();
    Future<RouteTable> table =
        config.cluster().enabled()
            ? ClusterWiring.tableContext(vertx)
                .compose(
                    events ->
                        vertx.executeBlocking(
                            () ->
                                HazelcastRouteTable.join(
                                    ClusterWiring.settings(config.cluster()),
                                    store(config),
                                    new EntryCodec(),
                                    events,
                                    Version.current())))
            : vertx.executeBlocking(() -> new InMemoryRouteTable(store(config), Version.current()));
    return closeOnFailure(
        vertx,
        table.compose(
            t ->
                launch(
                    config,
                    vertx,
                    t,
                    staticRoutes,
                    k8sEndpoints,
                    extraObservers,
                    transport,
                    trusted,
                    limits)));
  }

  /**
   * {@code started}, or on failure its cause once Vert.x is closed. The answer is a promise of no
   * context: a failure handed to one of this Vert.x's contexts after close was dropped (its event
   * loop is gone), and a node that could not bind its port hung until the caller's timeout.
   */
  private static Future<GatehouseNode> closeOnFailure(Vertx vertx, Future<GatehouseNode> started) {
    Promise<GatehouseNode> result = Promise.promise();
    started.onComplete(
        ar -> {
          if (ar.succeeded()) {
            result.complete(ar.result());
          } else {
            vertx.close().onComplete(closed -> result.fail(ar.cause()));
          }
        });
    return result.future();
  }

  private static Future<GatehouseNode> launch(
      NodeConfig config,
      Vertx vertx,
      RouteTable table,
      List<RouteSpec> staticRoutes,
      UnaryOperator<Endpoint> k8sEndpoints,
      List<ExchangeObserver> extraObservers,
      PrefaceTransport transport,
      TrustedProxies trusted,
      EdgeLimitsHolder limits) {
    GatehouseNode node =
        new GatehouseNode(
            config, vertx, table, k8sEndpoints, extraObservers, transport, trusted, limits);
    return node.startAll(staticRoutes)
        .map(node)
        .recover(
            t -> {
              table.close();
              node.stopTracing();
              return Future.failedFuture(t);
            });
  }

  private static EntryStore store(NodeConfig config) {
    String dir = config.store().dir();
    return dir.isBlank() ? EntryStore.NONE : SqliteEntryStore.open(Path.of(dir), new EntryCodec());
  }

  private Future<Void> startAll(List<RouteSpec> staticRoutes) {
    try {
      accessLog = AccessLog.start(ConfigLoader.accessLog(config.log()));
    } catch (AccessLogOptions.Problem p) {
      return Future.failedFuture(new ConfigException("log." + p.getMessage()));
    } catch (IOException e) {
      return Future.failedFuture(
          new ConfigException(
              "log.accessFile: cannot open \""
                  + config.log().accessFile()
                  + "\" ("
                  + e.getClass().getSimpleName()
                  + ")"));
    }
    publisher.onPublish(this::onPublish);
    // a route enters the routers only once its host is bound to its certificate
    publisher.beforePublish(this::beforePublishTls);
    publisher.start();
    if (!staticRoutes.isEmpty()) {
      table.replaceSource("cli", staticRoutes);
    }
    OverloadGuard overload = new OverloadGuard(limits);
    heapTimer = vertx.setPeriodic(1000, id -> overload.sampleHeap());
    limitsPruneTimer =
        vertx.setPeriodic(
            LIMITS_PRUNE_MILLIS,
            id -> backendLimits.prune(Set.copyOf(endpoints.keys(EndpointsKey.class))));
    int instances =
        config.eventLoops() > 0 ? config.eventLoops() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;

    return startEcho()
        .compose(
            v ->
                vertx.deployVerticle(
                    new HealthMonitor(health, outliers, healthTopic, snapshots, endpoints)))
        .compose(v -> startFileSource())
        .compose(v -> startKubernetes())
        .compose(v -> startCertificates())
        .compose(v -> defaultBackend())
        .compose(fallback -> nodeErrorPages().map(pages -> Map.entry(fallback, pages)))
        .compose(
            backends -> {
              BackendSpec fallback = backends.getKey();
              RouterSettings settings =
                  new RouterSettings(
                      config.http().host(),
                      config.http().port(),
                      snapshots,
                      endpoints,
                      limits,
                      trusted,
                      config.proxy().retryConnectFailures(),
                      fallback,
                      connections,
                      overload,
                      inFlight,
                      config.log().access(),
                      new RouterSettings.Http2Settings(
                          config.http2().cleartext(),
                          config.http2().maxConcurrentStreams(),
                          config.http2().streamWindowBytes(),
                          config.http2().connectionWindowBytes()),
                      tlsListener(),
                      RouterSettings.ServerHeader.of(
                          config.proxy().serverHeader(), config.proxy().passUpstreamServerHeader()),
                      backends.getValue(),
                      backendLimits,
                      new BalancerOptions(health, AffinityCookies.withKey(stickyKey)),
                      outliers,
                      nodeAccess(config.proxy()),
                      proxyProtocol(config.proxy()),
                      exchangeObserver(),
                      acmeChallenges);
              return vertx.deployVerticle(
                  () -> {
                    RouterVerticle v = new RouterVerticle(settings);
                    routers.add(v);
                    return v;
                  },
                  new DeploymentOptions().setInstances(instances));
            })
        .compose(
            id -> {
              Set<List<Integer>> bound = new HashSet<>(routerPorts());
              if (bound.size() != 1) {
                // Every router shares the listeners (a port 0 too): one each would be listeners
                // nobody asked for, serving clients the node never told about.
                return Future.failedFuture(
                    new IllegalStateException("routers bound different ports: " + bound));
              }
              // A port 0 is known only now.
              transport.bound(httpPort());
              transport.bound(httpsPort());
              return gatewayListeners.start(snapshots.get());
            })
        .compose(
            v -> {
              status =
                  new StatusVerticle(
                      config.status(),
                      this::isReady,
                      this::statusJson,
                      metrics::scrape,
                      dashboard());
              return vertx.deployVerticle(status);
            })
        .compose(id -> startAdmin())
        .compose(id -> awaitFirstSnapshot())
        .onSuccess(
            v -> {
              started = true;
              LOG.atInfo()
                  .setMessage("gatehouse started")
                  .addKeyValue("httpPort", httpPort())
                  .addKeyValue("httpsPort", httpsPort())
                  .addKeyValue("statusPort", statusPort())
                  .addKeyValue("adminPort", adminPort())
                  .addKeyValue("routers", routers.size())
                  .log();
            });
  }

  /** How the plain listener treats a connection's first bytes ({@link CleartextPreface}). */
  private static CleartextPreface.Policy prefacePolicy(NodeConfig config, EdgeLimitsHolder limits) {
    return new CleartextPreface.Policy(
        config.http2().cleartextOnly(),
        () -> limits.get().headerReadTimeout().toNanos(),
        RouterSettings.ServerHeader.of(
                config.proxy().serverHeader(), config.proxy().passUpstreamServerHeader())
            .value());
  }

  /** The built-in echo upstream, when the demo asks for one. */
  private Future<Void> startEcho() {
    String addr = config.demo().echoUpstream();
    if (addr == null || addr.isBlank()) {
      return Future.succeededFuture();
    }
    Optional<Endpoint> at = HostPort.parse(addr, 0);
    if (at.isEmpty()) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "demo.echoUpstream \"" + addr + "\" (expected: " + Forms.HOST_PORT + ")"));
    }
    return vertx.deployVerticle(new EchoVerticle(at.get().host(), at.get().port())).mapEmpty();
  }

  /** The admin REST API on its own listener, when enabled. */
  private Future<String> startAdmin() {
    NodeConfig.Admin a = config.admin();
    if (!a.enabled()) {
      return Future.succeededFuture("");
    }
    String token = a.token();
    if (token.isBlank() && !a.tokenFile().isBlank()) {
      try {
        token = java.nio.file.Files.readString(Path.of(a.tokenFile())).trim();
      } catch (java.io.IOException e) {
        return Future.failedFuture(new ConfigException("admin.tokenFile: " + e.getMessage()));
      }
    }
    AdminApiOptions options =
        new AdminApiOptions(
            a.host(),
            a.port(),
            a.certFile(),
            a.keyFile(),
            a.clientCaFile(),
            AdminApiOptions.DEFAULTS.bodyLimitBytes(),
            a.ratePerSecond(),
            a.rateBurst(),
            a.deniedUpstreams(),
            token,
            AdminApiOptions.DEFAULTS.defaultWaitTimeout(),
            AdminApiOptions.DEFAULTS.maxWaitTimeout());
    NodeExplainer explainer =
        new NodeExplainer(
            snapshots::get,
            endpoints,
            this::certificates,
            this::httpsPort,
            spec -> table.view().revision(io.gatehouse.table.EntryKey.of(spec)),
            config.defaultBackend().upstream());
    TlsPolicy tlsPolicy = config.tls().policy();
    admin =
        new AdminApiVerticle(
            table,
            options,
            Clock.systemUTC(),
            explainer,
            o -> TlsServerOptions.versionsAndSuites(o, tlsPolicy));
    return vertx.deployVerticle(admin);
  }

  /** The admin API's port, or -1 when it is off. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** The file source, when configured; a broken first file stops the node from starting. */
  private Future<Void> startFileSource() {
    String file = config.routes().file();
    if (file == null || file.isBlank()) {
      return Future.succeededFuture();
    }
    fileSource =
        new FileRouteSource(
            vertx,
            Path.of(file),
            config.routes().pollInterval(),
            table,
            s -> fileStatus = s,
            // every node of the Kubernetes controller runs the endpoint feed (KubernetesWiring)
            config.kubernetes().enabled());
    return fileSource.start();
  }

  /** The Kubernetes ingress controller, when enabled; its first sync gates readiness. */
  private Future<Void> startKubernetes() {
    if (!config.kubernetes().enabled()) {
      return Future.succeededFuture();
    }
    return KubernetesWiring.start(
            vertx, config.kubernetes(), table, config.cluster().enabled(), endpoints, k8sEndpoints)
        .onSuccess(
            k -> {
              kubernetes = k;
              if (exchangeMetrics != null) {
                kubernetesMetrics(k);
              }
            })
        .mapEmpty();
  }

  /**
   * The certificate index and key manager every router verticle shares, when HTTPS is on: first the
   * generated default only, then the certificate directory's contents.
   */
  private Future<Void> startCertificates() {
    NodeConfig.Tls tls = config.tls();
    if (!tls.listens()) {
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(
            () -> {
              ServedCertificate generated = DefaultCertificate.generate(Clock.systemUTC());
              CertificateIndexHolder holder =
                  new CertificateIndexHolder(generated, Clock.systemUTC());
              certificates = holder;
              keyManager =
                  new SniKeyManager(
                      holder.ref(), metrics.fallbacks(), tls.policy(), staples(holder));
              metrics.bindCertificates(holder);
              return holder;
            })
        .compose(
            holder -> {
              if (tls.certDir().isBlank()) {
                return Future.succeededFuture(holder);
              }
              certificateSource =
                  new CertificateDirectorySource(
                      vertx,
                      Path.of(tls.certDir()),
                      tls.pollInterval(),
                      tls.defaultCertificate(),
                      Clock.systemUTC(),
                      holder);
              return certificateSource.start().map(holder);
            })
        .compose(
            holder -> {
              if (holder.get().defaultCertificate() == holder.generatedDefault()) {
                DefaultCertificate.logInUse(holder.generatedDefault());
              }
              return subscribeTableCertificates(holder);
            });
  }

  /**
   * OCSP stapling of the served certificates, when {@code tls.ocspStapling} is on and the listener
   * runs OpenSSL (the JDK engine cannot be handed a response): the stapler follows every change of
   * the served set.
   */
  private SniKeyManager.Staples staples(CertificateIndexHolder holder) {
    NodeConfig.Tls tls = config.tls();
    if (!tls.ocspStapling()) {
      return SniKeyManager.Staples.NONE;
    }
    if (TlsServerOptions.engineFor(tls.engine() != NodeConfig.Tls.Engine.JDK)
        != TlsServerOptions.Engine.OPENSSL) {
      LOG.atWarn()
          .setMessage(
              "OCSP stapling needs the OpenSSL engine: certificates are served without a staple")
          .addKeyValue("engine", tls.engine())
          .log();
      return SniKeyManager.Staples.NONE;
    }
    OcspStapler stapler = new OcspStapler(vertx, Clock.systemUTC(), OcspStapler.Settings.DEFAULTS);
    ocspStapler = stapler;
    holder.onChange(index -> stapler.serve(chains(index)));
    return stapler::staple;
  }

  /** The served certificates' chains by SHA-256 fingerprint. */
  private static Map<String, X509Certificate[]> chains(CertificateIndex index) {
    Map<String, X509Certificate[]> out = new HashMap<>();
    out.put(index.defaultCertificate().sha256Fingerprint(), index.defaultCertificate().chain());
    for (ServedCertificate c : index.certificates()) {
      out.put(c.sha256Fingerprint(), c.chain());
    }
    return out;
  }

  /**
   * Table certificates bound by routes; rebuilt off the event loop when either changes. Completes
   * once the table's current view is bound: a snapshot published before this source existed may
   * route TLS hosts already, and the HTTPS listener opens next.
   */
  private Future<Void> subscribeTableCertificates(CertificateIndexHolder holder) {
    TableCertificateSource source = new TableCertificateSource(vertx, holder, Clock.systemUTC());
    tableCertificateSource = source;
    tableCertificates =
        table.subscribe(
            view -> source.accept(view.generation(), view.routes(), view.certificates()));
    onPublishTls();
    certificateTimer =
        vertx.setPeriodic(
            CERTIFICATE_RECHECK.toMillis(),
            id ->
                vertx.executeBlocking(
                    () -> {
                      source.recheck();
                      holder.recheck();
                      return null;
                    },
                    false));
    return vertx.executeBlocking(
        () -> {
          TableView view = table.view();
          source.applyNow(view.generation(), view.routes(), view.certificates());
          return null;
        });
  }

  /** The tracer, when tracing is on (the loader validated its settings). */
  private static @Nullable OtlpTracing tracing(NodeConfig.Tracing t) {
    if (!t.enabled()) {
      return null;
    }
    return OtlpTracing.start(
        new TracingOptions(
            t.endpoint(),
            t.sampleRatio(),
            t.parentBased(),
            t.serviceName(),
            Version.current(),
            t.exportInterval(),
            t.exportTimeout(),
            t.queueSize(),
            collectorHeaders(t.headersFile())));
  }

  /** The headers of {@code tracing.headersFile}; a problem names the file, never a value. */
  private static Map<String, String> collectorHeaders(String file) {
    if (file.isBlank()) {
      return Map.of();
    }
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "tracing.headersFile: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    try {
      return CollectorHeaders.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("tracing.headersFile: " + file + " " + e.getMessage());
    }
  }

  /**
   * The dashboard's handler on the status listener, or null when {@code dashboard.enabled} is
   * false. It shows every tenant's routes to whoever reaches that listener: say so when the
   * listener is not on loopback.
   */
  private @Nullable DashboardHandler dashboard() {
    RequestRates rates = dashboardRates;
    if (rates == null) {
      return null;
    }
    String host = config.status().host();
    if (!(host.startsWith("127.") || host.equals("::1") || host.equals("localhost"))) {
      LOG.atWarn()
          .setMessage(
              "dashboard.enabled: the dashboard on status.host {} lists every tenant's routes,"
                  + " backends and endpoints without authentication to whoever reaches that"
                  + " address; keep the status port private (a NetworkPolicy, a firewall, or"
                  + " kubectl port-forward)")
          .addArgument(host)
          .log();
    }
    DashboardJson json = new DashboardJson(snapshots, endpoints, this::statusJson, rates);
    // its own look each second, so a problem that comes and goes while no page polls is recorded
    dashboardTimer =
        vertx.setPeriodic(
            DashboardJson.OBSERVE_EVERY.toMillis(),
            id ->
                vertx.executeBlocking(
                    () -> {
                      json.observeProblems();
                      return null;
                    },
                    false));
    return new DashboardHandler(vertx, json);
  }

  /**
   * What every exchange reports to, in this order: tracing (it sets the trace id the others read),
   * metrics, the access log, the dashboard's rates, then a test's observers.
   */
  private ExchangeObserver exchangeObserver() {
    List<ExchangeObserver> observers = new ArrayList<>();
    observers.add(tracing == null ? ExchangeObserver.NONE : tracing.observer());
    observers.add(exchangeMetrics == null ? ExchangeObserver.NONE : exchangeMetrics);
    // Always in the list, even with log.access false, so a reload can turn it on.
    AccessLog log = accessLog;
    if (log != null) {
      observers.add(log);
    }
    observers.add(dashboardRates == null ? ExchangeObserver.NONE : dashboardRates);
    observers.addAll(extraObservers);
    return ExchangeObserver.of(observers);
  }

  /** What the HTTPS listener's passthrough gate did, read at each scrape. */
  private void passthroughMetrics(PassthroughStats stats) {
    for (PassthroughStats.Outcome o : PassthroughStats.Outcome.values()) {
      metrics.functionCounter(
          "gatehouse.passthrough.connections",
          "TLS connections the passthrough gate read a ClientHello of, by outcome",
          "outcome",
          o.label(),
          () -> stats.connections(o));
    }
    metrics.functionCounter(
        "gatehouse.passthrough.connect.failures",
        "Passed-through connections whose endpoint could not be reached",
        "listener",
        "https",
        stats::connectFailures);
    metrics.gauge(
        "gatehouse.passthrough.open.connections",
        "Passed-through TLS connections open now",
        stats::open);
    String bytes = "Bytes copied through passed-through TLS connections, by direction";
    metrics.functionCounter(
        "gatehouse.passthrough.bytes", bytes, "direction", "from_client", stats::bytesFromClients);
    metrics.functionCounter(
        "gatehouse.passthrough.bytes", bytes, "direction", "to_client", stats::bytesToClients);
  }

  /** The Kubernetes watch's state, read at each scrape. */
  private void kubernetesMetrics(KubernetesWiring k) {
    metrics.gauge(
        "gatehouse.kubernetes.synced",
        "1 once every informer synced and the first translation was published",
        () -> k.synced() ? 1 : 0);
    metrics.gauge(
        "gatehouse.kubernetes.leader",
        "1 while this node holds the Lease (writes Kubernetes routes and status), or elects none",
        () -> k.leader() ? 1 : 0);
    metrics.gauge(
        "gatehouse.kubernetes.watch.errors",
        "Informers whose last call to the API server failed (e.g. a 403)",
        k::watchErrors);
    metrics.functionCounter(
        "gatehouse.kubernetes.rebuilds",
        "Translations of the watched objects rebuilt",
        "source",
        "kubernetes",
        k::rebuilds);
  }

  /** The loader checked the buckets ({@code ConfigLoader}). */
  static MetricsOptions metricsOptions(NodeConfig.Metrics m) {
    double[] buckets =
        m.durationBuckets().stream().mapToDouble(b -> Double.parseDouble(b.trim())).toArray();
    return new MetricsOptions(m.enabled(), m.routeLabels(), buckets, m.maxBackends());
  }

  private static RouterSettings.NodeAccess nodeAccess(NodeConfig.Proxy proxy) {
    return new RouterSettings.NodeAccess(Cidrs.parse(proxy.allow()), Cidrs.parse(proxy.deny()));
  }

  private static RouterSettings.ProxyProtocol proxyProtocol(NodeConfig.Proxy proxy) {
    NodeConfig.ProxyProtocol p = proxy.proxyProtocol();
    if (p.http() || p.https()) {
      LOG.atInfo()
          .setMessage(
              "PROXY protocol on the {} listener(s): a connection must begin with a header (v1 or"
                  + " v2) within {}; {}")
          .addArgument(p.http() && p.https() ? "http and https" : p.http() ? "http" : "https")
          .addArgument(p.headerTimeout())
          .addArgument(
              proxy.trustedProxies().isEmpty()
                  ? "any peer may send one (set proxy.trustedProxies to the balancers to refuse"
                      + " others)"
                  : "only from proxy.trustedProxies")
          .log();
    }
    return new RouterSettings.ProxyProtocol(p.http(), p.https(), p.headerTimeout().toMillis());
  }

  private RouterSettings.@Nullable TlsListener tlsListener() {
    NodeConfig.Tls tls = config.tls();
    if (!tls.listens()) {
      return null;
    }
    TlsServerOptions.Engine engine =
        TlsServerOptions.selectEngine(tls.engine() != NodeConfig.Tls.Engine.JDK);
    TlsPolicy policy = tls.policy();
    policy.checkEngine(engine); // ConfigLoader checked it too, on the engine it would pick
    if (!policy.equals(TlsPolicy.DEFAULTS)) {
      LOG.atInfo()
          .setMessage("TLS policy")
          .addKeyValue("protocols", policy.protocols())
          .addKeyValue("cipherSuites", policy.cipherSuites())
          .addKeyValue("groups", policy.groups().isEmpty() ? "engine default" : policy.groups())
          .addKeyValue("sessionTickets", policy.sessionTickets())
          .addKeyValue("tls13Hosts", policy.tls13Hosts())
          .log();
    }
    return new RouterSettings.TlsListener(
        tlsHost(config),
        tls.port(),
        Objects.requireNonNull(keyManager, "the key manager is made before the listeners"),
        engine,
        tls.redirectPort(),
        policy);
  }

  /** The node's own sockets (routers, status, admin), as {@link ListenerSet} names sockets. */
  private Set<String> ownSockets() {
    Set<String> out = new HashSet<>();
    out.add(ListenerSet.socket(config.http().host(), httpPort()));
    if (httpsPort() > 0) {
      out.add(ListenerSet.socket(tlsHost(config), httpsPort()));
    }
    if (statusPort() > 0) {
      out.add(ListenerSet.socket(config.status().host(), statusPort()));
    }
    if (adminPort() > 0) {
      out.add(ListenerSet.socket(config.admin().host(), adminPort()));
    }
    return out;
  }

  private static String tlsHost(NodeConfig config) {
    return config.tls().host().isBlank() ? config.http().host() : config.tls().host();
  }

  private Future<BackendSpec> defaultBackend() {
    String upstream = config.defaultBackend().upstream();
    if (upstream != null && !upstream.isBlank()) {
      Optional<Endpoint> at = HostPort.parse(upstream, Endpoint.DEFAULT_WEIGHT);
      if (at.isEmpty()) {
        return Future.failedFuture(
            new IllegalArgumentException(
                "defaultBackend.upstream \""
                    + upstream
                    + "\" (expected: "
                    + Forms.HOST_PORT
                    + ")"));
      }
      return Future.succeededFuture(BackendSpec.http1(List.of(at.get())));
    }
    DefaultBackendVerticle fallback = new DefaultBackendVerticle();
    return vertx
        .deployVerticle(fallback)
        .map(id -> BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", fallback.port()))));
  }

  /**
   * The node's error pages ({@code errorPages.*}, checked by {@link ConfigLoader}): the page file
   * read once, at start, or the error upstream's endpoint.
   */
  private Future<RouterSettings.NodeErrorPages> nodeErrorPages() {
    NodeConfig.ErrorPages c = config.errorPages();
    if (c.codes().isEmpty()) {
      return Future.succeededFuture(RouterSettings.NodeErrorPages.NONE);
    }
    List<Integer> codes = new ArrayList<>();
    for (String code : c.codes()) {
      codes.add(Integer.parseInt(code.trim()));
    }
    if (!c.upstream().isBlank()) {
      Endpoint at = HostPort.parse(c.upstream(), Endpoint.DEFAULT_WEIGHT).orElseThrow();
      ErrorPages spec = ErrorPages.backend(codes, BackendSpec.http1(List.of(at)));
      return Future.succeededFuture(RouterSettings.NodeErrorPages.of(spec, List.of(at)));
    }
    return vertx
        .fileSystem()
        .readFile(c.pageFile())
        .compose(
            bytes -> {
              if (bytes.length() > ErrorPages.MAX_PAGE_BYTES) {
                return Future.failedFuture(
                    new IllegalArgumentException(
                        "errorPages.pageFile \""
                            + c.pageFile()
                            + "\": "
                            + bytes.length()
                            + " bytes (expected: at most "
                            + ErrorPages.MAX_PAGE_BYTES
                            + ")"));
              }
              ErrorPages spec =
                  ErrorPages.page(codes, bytes.toString(StandardCharsets.UTF_8), c.contentType());
              return Future.succeededFuture(RouterSettings.NodeErrorPages.of(spec, List.of()));
            });
  }

  /**
   * Completes once a published snapshot holds everything the sources loaded at start (the table's
   * initial load, the first routes file), so a node never reports ready on an empty snapshot.
   */
  private Future<Void> awaitFirstSnapshot() {
    long loaded = table.view().generation();
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    long[] timer = new long[1];
    timer[0] =
        vertx.setPeriodic(
            5,
            id -> {
              RouteSnapshot s = snapshots.get();
              if (s != null && s.generation() >= loaded) {
                vertx.cancelTimer(timer[0]);
                p.tryComplete();
              }
            });
    return p.future();
  }

  /**
   * Tells the table certificates what the routers now serve, after the snapshot is published: a
   * removed route's certificate leaves the index only once the route has left the routers.
   */
  private synchronized void onPublishTls() {
    // the holder's snapshot, not the caller's: the last call always hands over the newest one
    TableCertificateSource source = tableCertificateSource;
    RouteSnapshot snapshot = snapshots.get();
    if (source == null || snapshot == null) {
      return;
    }
    Map<RouteKey, TlsSpec> tls = new HashMap<>();
    for (CompiledRoute r : snapshot.routes()) {
      TlsSpec t = r.spec().tls();
      if (t != null && !t.passthrough()) { // a passthrough route binds no certificate
        tls.put(r.spec().key(), t);
      }
    }
    source.served(tls);
  }

  /**
   * Binds the certificates of the view a snapshot was compiled from before the snapshot is
   * published: otherwise the table certificates' worker could run after it, and a handshake in
   * between got the default certificate for a host already routed.
   */
  private void beforePublishTls(TableView view) {
    TableCertificateSource source = tableCertificateSource;
    if (source != null) {
      source.applyNow(view.generation(), view.routes(), view.certificates());
    }
  }

  private void onPublish(RouteSnapshot snapshot) {
    onPublishTls();
    gatewayListeners.onPublish(snapshot);
    table.served(snapshot.generation());
    served = snapshot.generation();
    List<RouteProblem> problems = snapshot.problems();
    if (!problems.equals(lastProblems)) {
      for (RouteProblem problem : problems) {
        LOG.atWarn()
            .setMessage("route rejected")
            .addKeyValue("route", problem.key().toString())
            .addKeyValue("reason", problem.message())
            .log();
      }
      lastProblems = problems;
    }
    checkAccessRoutes(snapshot);
    LOG.atDebug()
        .setMessage("snapshot published")
        .addKeyValue("generation", snapshot.generation())
        .addKeyValue("routes", snapshot.routeCount())
        .log();
  }

  public boolean isReady() {
    return started && !draining && snapshots.hasSnapshot();
  }

  /** The access log's per-route rules against the routes {@code s} serves (at publish, reload). */
  private void checkAccessRoutes(@Nullable RouteSnapshot s) {
    AccessLog log = accessLog;
    if (log != null && s != null) {
      log.routesServed(
          s.generation(),
          () -> {
            Set<String> ids = new HashSet<>();
            for (CompiledRoute r : s.routes()) {
              ids.add(r.id());
            }
            return ids;
          });
    }
  }

  JsonObject statusJson() {
    RouteSnapshot s = snapshots.get();
    JsonArray problems = new JsonArray();
    if (s != null) {
      for (RouteProblem p : s.problems()) {
        problems.add(new JsonObject().put("route", p.key().toString()).put("reason", p.message()));
      }
    }
    for (CertificateBindings.Problem p : certificateProblems()) {
      problems.add(new JsonObject().put("route", p.route().toString()).put("reason", p.message()));
    }
    return new JsonObject()
        .put("ready", isReady())
        .put("draining", draining)
        .put("generation", s == null ? 0 : s.generation())
        .put("routes", s == null ? 0 : s.routeCount())
        .put("problems", problems)
        .put("inFlight", inFlight.current())
        .put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000)
        .put("version", Version.current())
        .put("fileSource", fileStatusJson())
        .put("cluster", clusterJson())
        .put("kubernetes", kubernetesJson())
        .put("listeners", gatewayListeners.statusJson())
        .put("certificates", certificatesJson())
        .put("ocsp", ocspJson())
        .put("health", healthJson())
        .put("accessLog", accessLogJson())
        .put("configReload", reloadJson());
  }

  private long accessLogCount(boolean dropped) {
    AccessLog log = accessLog;
    return log == null ? 0 : dropped ? log.dropped() : log.written();
  }

  /**
   * Whether the access log writes, how many lines it wrote and dropped, and the per-route rules
   * that name no served route (they do nothing).
   */
  private JsonObject accessLogJson() {
    AccessLog log = accessLog;
    return new JsonObject()
        .put("enabled", log != null && log.options().enabled())
        .put("written", log == null ? 0 : log.written())
        .put("dropped", log == null ? 0 : log.dropped())
        .put(
            "unknownRouteRules",
            new JsonArray(log == null ? List.of() : new ArrayList<>(log.unknownRouteRules())));
  }

  /** Null without a watched configuration file; else the file and the last reload's outcome. */
  private @Nullable JsonObject reloadJson() {
    ConfigReload r = reload;
    if (r == null) {
      return null;
    }
    ConfigReload.Last last = r.last();
    return new JsonObject()
        .put("file", r.file().toString())
        .put("applied", r.applied())
        .put(
            "last",
            last == null
                ? null
                : new JsonObject()
                    .put("at", last.at().toString())
                    .put("result", last.result().name().toLowerCase(Locale.ROOT))
                    .put("detail", last.detail()));
  }

  /**
   * Watches {@code file} (checked every second) and reloads the settings that can change at runtime
   * when it changes; {@code source} reads the whole configuration again, as at start.
   */
  public void watchConfig(Path file, ConfigSource source) {
    ConfigReload r = new ConfigReload(file, source, config, this::applyRuntime);
    reload = r;
    reloadTimer =
        vertx.setPeriodic(
            RELOAD_POLL.toMillis(),
            id ->
                vertx.executeBlocking(
                    () -> {
                      r.check(false);
                      return null;
                    },
                    false));
  }

  /**
   * Reloads now, whether or not the file changed, and reopens the access log's file (SIGHUP, as
   * after a log rotation). Blocking. Without a watched file it only reopens the access log.
   *
   * @return {@code applied}, {@code refused} or {@code unchanged}
   */
  public String reloadConfig() {
    ConfigReload r = reload;
    if (r != null) {
      return r.check(true).name().toLowerCase(Locale.ROOT);
    }
    AccessLog log = accessLog;
    try {
      if (log != null) {
        log.reopen();
      }
      return "unchanged";
    } catch (IOException e) {
      LOG.atWarn()
          .setMessage("access log: cannot reopen its file; it keeps the old one")
          .addKeyValue("reason", e.getClass().getSimpleName())
          .log();
      return "refused";
    }
  }

  /**
   * A reload's application: the access log first (it may fail: then nothing changed), then the
   * trusted proxies, the edge limits, the metrics options and the log levels, which cannot fail.
   */
  private void applyRuntime(NodeConfig next, boolean reopen) throws ConfigException {
    AccessLogOptions options;
    try {
      options = ConfigLoader.accessLog(next.log());
    } catch (AccessLogOptions.Problem p) {
      throw new ConfigException("log." + p.getMessage());
    }
    AccessLog log = accessLog;
    if (log != null) {
      String before = log.options().file();
      try {
        log.apply(options);
        if (reopen && before.equals(options.file())) {
          log.reopen();
        }
      } catch (IOException e) {
        throw new ConfigException(
            "log.accessFile: cannot open \""
                + options.file()
                + "\" ("
                + e.getClass().getSimpleName()
                + ")");
      }
      checkAccessRoutes(snapshots.get()); // its per-route rules may have changed
    }
    trusted.replace(next.proxy().trustedProxies()); // validated by the loader: cannot fail
    // ConfigReload refused a change of the keys the listeners hold (EdgeLimitsHolder.RESTART_ONLY).
    limits.replace(next.limits());
    ExchangeMetrics x = exchangeMetrics;
    if (x != null) {
      // metrics.enabled cannot change here (ConfigReload refuses it); the rest was checked.
      metrics.apply(x, metricsOptions(next.metrics()));
    }
    LogLevels.apply(next.log());
  }

  /** The ejections in force (this node's and the cluster's) and the endpoints failing checks. */
  private JsonObject healthJson() {
    JsonArray ejected = new JsonArray();
    for (HealthRegistry.Ejection e : health.ejected()) {
      ejected.add(
          new JsonObject()
              .put("endpoint", Endpoint.of(e.host(), e.port()).authority())
              .put("reason", e.reason())
              .put("by", e.by().isEmpty() ? "this node" : e.by())
              .put("expires", Instant.ofEpochMilli(e.expiresEpochMillis()).toString())
              .put("ejections", e.ejections()));
    }
    return new JsonObject()
        .put("ejected", ejected)
        .put("failingChecks", new JsonArray(health.unhealthy()));
  }

  /** Null when the ingress controller is off; {@code leader} says whether this node writes. */
  private @Nullable JsonObject kubernetesJson() {
    if (!config.kubernetes().enabled()) {
      return null;
    }
    KubernetesWiring k = kubernetes;
    JsonObject out =
        k == null
            ? new JsonObject().put("leaderElection", config.kubernetes().leaderElection())
            : k.statusJson();
    return out.put("enabled", true).put("synced", k != null);
  }

  /** Served certificates and their expiry; never the key. */
  /** Each stapled certificate: its responder, the response in hand and the last problem. */
  private JsonArray ocspJson() {
    JsonArray out = new JsonArray();
    OcspStapler stapler = ocspStapler;
    if (stapler == null) {
      return out;
    }
    for (OcspStapler.Status s : stapler.status()) {
      out.add(
          new JsonObject()
              .put("certificate", s.fingerprint())
              .put("responder", s.responder())
              .put("thisUpdate", s.thisUpdate() == null ? null : s.thisUpdate().toString())
              .put("expires", s.expires() == null ? null : s.expires().toString())
              .put("lastFetch", s.lastFetch() == null ? null : s.lastFetch().toString())
              .put("lastError", s.lastError()));
    }
    return out;
  }

  private JsonArray certificatesJson() {
    JsonArray out = new JsonArray();
    if (certificates == null) {
      return out;
    }
    for (CertificateExpiry c : certificates.expiry()) {
      out.add(
          new JsonObject()
              .put("name", c.name())
              .put("tenant", c.tenant())
              .put("dnsNames", new JsonArray(c.dnsNames()))
              .put("notAfter", c.notAfter().toString())
              .put("daysLeft", c.daysLeft())
              .put("source", c.source())
              .put("expiringSoon", c.expiringSoon()));
    }
    return out;
  }

  private JsonObject clusterJson() {
    JsonArray members = new JsonArray();
    long now = System.currentTimeMillis();
    for (MemberInfo m : table.members()) {
      members.add(
          new JsonObject()
              .put("id", m.id())
              .put("address", m.address())
              .put("local", m.local())
              .put("servedGeneration", m.servedGeneration())
              .put(
                  "uptimeSeconds",
                  m.startedEpochMillis() > 0 ? (now - m.startedEpochMillis()) / 1000 : null)
              .put("version", m.version()));
    }
    return new JsonObject()
        .put("enabled", config.cluster().enabled())
        .put("name", config.cluster().enabled() ? config.cluster().name() : null)
        .put("tableGeneration", table.view().generation())
        .put("members", members);
  }

  private @Nullable JsonObject fileStatusJson() {
    if (fileSource == null) {
      return null;
    }
    FileRouteSource.Status fs = fileStatus;
    return new JsonObject()
        .put("file", fileSource.file().toString())
        .put("routes", fs == null ? 0 : fs.routes())
        .put("lastError", fileSource.lastError().orElse(null));
  }

  public RouteTable table() {
    return table;
  }

  public SnapshotHolder snapshots() {
    return snapshots;
  }

  /** The node's circuit breakers (their counters, for tests and metrics). */
  public BackendLimits backendLimits() {
    return backendLimits;
  }

  /** The newest generation this node reported served to the table (-1 before the first). */
  public long servedGeneration() {
    return served;
  }

  /** Which endpoints may take new requests, and the ejections in force (explain, tests). */
  public HealthRegistry health() {
    return health;
  }

  /** The node's endpoint index, which compiled routes' targets point into (explain, tests). */
  public EndpointIndex endpoints() {
    return endpoints;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The HTTP-01 answers the plain listener gives; an ACME client on this node publishes here. */
  public ChallengeStore acmeChallenges() {
    return acmeChallenges;
  }

  public int httpPort() {
    return routers.isEmpty() ? -1 : routers.get(0).actualPort();
  }

  /** Each router's bound HTTP and HTTPS (-1 without) ports: all equal once started. */
  public List<List<Integer>> routerPorts() {
    List<List<Integer>> ports = new ArrayList<>();
    for (RouterVerticle r : routers) {
      ports.add(List.of(r.actualPort(), r.actualHttpsPort()));
    }
    return ports;
  }

  /** The HTTPS port actually bound, or -1 without an HTTPS listener. */
  public int httpsPort() {
    return routers.isEmpty() ? -1 : routers.get(0).actualHttpsPort();
  }

  /** The index the HTTPS listener serves, or null without one. */
  public @Nullable CertificateIndex certificates() {
    return certificates == null ? null : certificates.get();
  }

  /** Routes whose TLS hosts are not served with the certificate they name. */
  public List<CertificateBindings.Problem> certificateProblems() {
    return certificates == null ? List.of() : certificates.problems();
  }

  public int statusPort() {
    return status == null ? -1 : status.actualPort();
  }

  public long inFlight() {
    return inFlight.current();
  }

  /**
   * Graceful stop: readiness fails at once, the node keeps serving for the readiness grace so load
   * balancers can notice, then stops accepting and drains in-flight requests up to the drain
   * timeout, then closes.
   */
  public Future<Void> stop() {
    if (draining) {
      return Future.succeededFuture();
    }
    draining = true;
    LOG.atInfo().setMessage("draining").addKeyValue("inFlight", inFlight.current()).log();
    long grace = config.shutdown().readinessGrace().toMillis();
    long drain = config.shutdown().drainTimeout().toMillis();
    io.vertx.core.Promise<Void> graceDone = io.vertx.core.Promise.promise();
    if (grace > 0) {
      vertx.setTimer(grace, id -> graceDone.complete());
    } else {
      graceDone.complete();
    }
    return graceDone
        .future()
        .compose(
            v -> {
              List<Future<Integer>> drains = new ArrayList<>();
              for (RouterVerticle r : routers) {
                drains.add(r.drain(drain));
              }
              return Future.join(drains)
                  .<Void>map(
                      all -> {
                        int reset = 0;
                        for (Future<Integer> f : drains) {
                          reset += f.succeeded() && f.result() != null ? f.result() : 0;
                        }
                        if (reset > 0) {
                          // Vert.x's close waits for the last write: these would never close.
                          LOG.atWarn()
                              .setMessage("drain ended; reset connections whose peer reads nothing")
                              .addKeyValue("connections", reset)
                              .log();
                        }
                        return null;
                      })
                  .recover(t -> Future.succeededFuture());
            })
        .compose(
            v -> {
              if (fileSource != null) {
                fileSource.stop();
              }
              if (kubernetes != null) {
                kubernetes.close();
              }
              if (certificateSource != null) {
                certificateSource.stop();
              }
              if (certificateTimer >= 0) {
                vertx.cancelTimer(certificateTimer);
              }
              OcspStapler stapler = ocspStapler;
              if (stapler != null) {
                stapler.close();
              }
              if (reloadTimer >= 0) {
                vertx.cancelTimer(reloadTimer);
              }
              if (dashboardTimer >= 0) {
                vertx.cancelTimer(dashboardTimer);
              }
              if (tableCertificates != null) {
                try {
                  tableCertificates.close();
                } catch (Exception e) {
                  LOG.atWarn().setMessage("closing table certificates").setCause(e).log();
                }
              }
              if (limitsPruneTimer >= 0) {
                vertx.cancelTimer(limitsPruneTimer);
              }
              if (heapTimer >= 0) {
                vertx.cancelTimer(heapTimer);
              }
              metrics.close();
              healthTopic.close(); // before the table, whose member it uses
              try {
                publisher.close();
                accessServices.close();
              } catch (Exception e) {
                LOG.atWarn().setMessage("closing publisher").setCause(e).log();
              }
              return vertx.executeBlocking(
                  () -> {
                    if (tracing != null) {
                      tracing.close(); // the last spans, the drained requests' among them
                    }
                    table.close();
                    AccessLog log = accessLog;
                    if (log != null) {
                      log.close(); // writes what is queued
                    }
                    return null;
                  });
            })
        .compose(
            v -> {
              // The table has left the cluster (a graceful leave) when it closed.
              LOG.atInfo().setMessage("stopped").addKeyValue("inFlight", inFlight.current()).log();
              return vertx.close();
            });
  }

  /** Stops the tracer's export thread without waiting (a node that failed to start). */
  private void stopTracing() {
    if (tracing != null) {
      tracing.shutdown();
    }
  }

  /** Blocks the calling thread until {@link #stop()} finished; used by the SIGTERM hook. */
  public void stopAndWait() {
    try {
      stop()
          .toCompletionStage()
          .toCompletableFuture()
          .get(
              config.shutdown().readinessGrace().toMillis()
                  + config.shutdown().drainTimeout().toMillis()
                  + 10_000,
              TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.atWarn().setMessage("shutdown incomplete").setCause(e).log();
    }
  }
}
