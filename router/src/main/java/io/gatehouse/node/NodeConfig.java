package io.gatehouse.node;

import io.gatehouse.accesslog.AccessField;
import io.gatehouse.accesslog.AccessFormat;
import io.gatehouse.accesslog.AccessLogOptions;
import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.passthrough.Passthrough;
import io.gatehouse.tls.TlsPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The node's whole configuration, after the YAML file, {@code GATEHOUSE_*} environment variables
 * and command-line flags were applied in that order. Every field has a default here.
 */
public record NodeConfig(
    Listener http,
    Listener status,
    Routes routes,
    DefaultBackend defaultBackend,
    Proxy proxy,
    EdgeLimits limits,
    Shutdown shutdown,
    Log log,
    int eventLoops,
    Tls tls,
    Demo demo,
    Http2 http2,
    Cluster cluster,
    Store store,
    Admin admin,
    Kubernetes kubernetes,
    ErrorPages errorPages,
    Tracing tracing,
    Dashboard dashboard,
    Metrics metrics) {

  public static final NodeConfig DEFAULTS =
      new NodeConfig(
          new Listener("0.0.0.0", 80),
          new Listener("127.0.0.1", 9901),
          new Routes("", Duration.ofMillis(250)),
          new DefaultBackend(""),
          new Proxy(List.of(), true),
          EdgeLimits.DEFAULTS,
          new Shutdown(Duration.ofSeconds(5), Duration.ofSeconds(60)),
          new Log("info", true),
          0,
          new Tls(false, "", 443, "", "", Tls.Engine.AUTO, Duration.ofSeconds(2)),
          new Demo(""),
          Http2.DEFAULTS,
          Cluster.DEFAULTS,
          new Store("data"),
          Admin.DEFAULTS,
          Kubernetes.DEFAULTS,
          ErrorPages.DEFAULTS,
          Tracing.DEFAULTS,
          Dashboard.DEFAULTS,
          Metrics.DEFAULTS);

  /** Without tracing (off). */
  public NodeConfig(
      Listener http,
      Listener status,
      Routes routes,
      DefaultBackend defaultBackend,
      Proxy proxy,
      EdgeLimits limits,
      Shutdown shutdown,
      Log log,
      int eventLoops,
      Tls tls,
      Demo demo,
      Http2 http2,
      Cluster cluster,
      Store store,
      Admin admin,
      Kubernetes kubernetes,
      ErrorPages errorPages) {
    this(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        Tracing.DEFAULTS,
        Dashboard.DEFAULTS,
        Metrics.DEFAULTS);
  }

  public NodeConfig withHttp(Listener v) {
    return new NodeConfig(
        v,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withStatus(Listener v) {
    return new NodeConfig(
        http,
        v,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withRoutes(Routes v) {
    return new NodeConfig(
        http,
        status,
        v,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withDefaultBackend(DefaultBackend v) {
    return new NodeConfig(
        http,
        status,
        routes,
        v,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withProxy(Proxy v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        v,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withLimits(EdgeLimits v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        v,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withShutdown(Shutdown v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        v,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withLog(Log v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        v,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withEventLoops(int v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        v,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withTls(Tls v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        v,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withDemo(Demo v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        v,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withHttp2(Http2 v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        v,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withCluster(Cluster v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        v,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withStore(Store v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        v,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withAdmin(Admin v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        v,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withKubernetes(Kubernetes v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        v,
        errorPages,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withErrorPages(ErrorPages v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        v,
        tracing,
        dashboard,
        metrics);
  }

  public NodeConfig withTracing(Tracing v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        v,
        dashboard,
        metrics);
  }

  public NodeConfig withDashboard(Dashboard v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        v,
        metrics);
  }

  public NodeConfig withMetrics(Metrics v) {
    return new NodeConfig(
        http,
        status,
        routes,
        defaultBackend,
        proxy,
        limits,
        shutdown,
        log,
        eventLoops,
        tls,
        demo,
        http2,
        cluster,
        store,
        admin,
        kubernetes,
        errorPages,
        tracing,
        dashboard,
        v);
  }

  /**
   * Prometheus metrics on the status listener's {@code /metrics} (docs/observability.md).
   *
   * @param enabled request, upstream, connection, TLS handshake, snapshot timing and JVM series;
   *     false keeps only the snapshot generation, TLS certificate, mirror and overflow series
   * @param routeLabels label request series by route id; false counts every route under {@code
   *     route=""} (for tables of tens of thousands of routes)
   * @param durationBuckets upper bounds of the duration histograms' buckets, in seconds, strictly
   *     increasing
   * @param maxBackends backends with a label of their own; later ones count under {@code
   *     backend="other"}
   */
  public record Metrics(
      boolean enabled, boolean routeLabels, List<String> durationBuckets, int maxBackends) {
    public static final Metrics DEFAULTS =
        new Metrics(
            true,
            true,
            List.of(
                "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
                "2.5", "5", "10", "30"),
            1000);

    public Metrics {
      durationBuckets = List.copyOf(durationBuckets);
    }
  }

  /**
   * Tracing (W3C Trace Context, spans exported over OTLP/HTTP); off by default, and then it costs
   * nothing.
   *
   * @param enabled make a server span per request and a client span per upstream attempt, and send
   *     the client span's {@code traceparent} upstream
   * @param endpoint the OTLP/HTTP traces URL of the collector ({@code http://} or {@code https://})
   * @param sampleRatio the share of new traces recorded and exported, 0 to 1
   * @param parentBased follow the client's sampled flag when it sends a {@code traceparent} (else
   *     the ratio decides for every trace)
   * @param serviceName the {@code service.name} of the exported spans
   * @param exportInterval the longest a finished span waits before its batch is sent
   * @param exportTimeout the longest one export may take
   * @param queueSize finished spans held for export at most; more are dropped, never waited for
   * @param headersFile a file of {@code Name: value} lines sent with every export (a collector's
   *     API key, from a mounted Secret), read at start and never logged; empty sends none
   */
  public record Tracing(
      boolean enabled,
      String endpoint,
      double sampleRatio,
      boolean parentBased,
      String serviceName,
      Duration exportInterval,
      Duration exportTimeout,
      int queueSize,
      String headersFile) {
    public static final Tracing DEFAULTS =
        new Tracing(
            false,
            "http://127.0.0.1:4318/v1/traces",
            0.01,
            true,
            "gatehouse",
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            2048,
            "");
  }

  /**
   * The dashboard page and its JSON on the status listener ({@code /dashboard/}), off by default:
   * the status listener has no authentication and the page lists every tenant's routes, hosts and
   * endpoints, so it is for operators who can reach that listener (loopback by default).
   *
   * @param enabled serve {@code /dashboard/} and count the live request rates it shows
   */
  public record Dashboard(boolean enabled) {
    public static final Dashboard DEFAULTS = new Dashboard(false);
  }

  /**
   * The node's error pages, as ingress-nginx's global {@code custom-http-errors}: the answers
   * Gatehouse makes itself with one of {@code codes} (the built-in default backend's 404, 502, 503,
   * 504, 413, 431...), when the request's route has no page of its own for the status, keep their
   * status and get the page of {@code pageFile}, or the one {@code upstream} answers to a {@code
   * GET} with ingress-nginx's {@code X-Code}, {@code X-Format}, {@code X-Original-URI}... headers.
   * A failed fetch sends Gatehouse's own page, never a second fetch. A route's backend's answers
   * only ever get the route's own error pages.
   *
   * @param codes statuses 400-599; empty: none (the default)
   * @param pageFile a file holding the page (at most 16 KiB, read at start and sent as it is);
   *     empty with an upstream
   * @param contentType the page file's {@code Content-Type}
   * @param upstream {@code host:port} of the error backend (plain HTTP/1.1); empty with a page file
   */
  public record ErrorPages(
      List<String> codes, String pageFile, String contentType, String upstream) {
    public static final ErrorPages DEFAULTS =
        new ErrorPages(List.of(), "", "text/html; charset=utf-8", "");
  }

  /**
   * HTTP/2 from clients (over TLS by ALPN, and optionally cleartext on the HTTP listener).
   *
   * @param cleartext accept h2c on the HTTP listener (prior knowledge or Upgrade), for trusted
   *     internal load balancers; off by default
   * @param maxConcurrentStreams streams a client may open at once on one connection
   * @param streamWindowBytes initial flow-control window of a stream
   * @param connectionWindowBytes flow-control window of a connection
   * @param cleartextOnly with {@code cleartext}: the HTTP listener speaks only HTTP/2 with prior
   *     knowledge (RFC 9113 3.3), for load balancers that send h2c; anything but the client preface
   *     is closed without an answer, and no HTTP/1.1 request is served
   */
  public record Http2(
      boolean cleartext,
      int maxConcurrentStreams,
      int streamWindowBytes,
      int connectionWindowBytes,
      boolean cleartextOnly) {
    public static final Http2 DEFAULTS = new Http2(false, 100, 64 * 1024, 1024 * 1024, false);

    /** A listener that serves HTTP/1.1 too (and h2c when {@code cleartext}). */
    public Http2(
        boolean cleartext,
        int maxConcurrentStreams,
        int streamWindowBytes,
        int connectionWindowBytes) {
      this(cleartext, maxConcurrentStreams, streamWindowBytes, connectionWindowBytes, false);
    }
  }

  /**
   * For trials only.
   *
   * @param echoUpstream {@code host:port} on which to start a built-in echo upstream that answers
   *     with what it received; empty starts none
   */
  public record Demo(String echoUpstream) {}

  /** A listening socket. Port 0 asks the OS for a free port (tests). */
  public record Listener(String host, int port) {}

  /**
   * The file source.
   *
   * @param file YAML file of routes; empty means no file source
   * @param pollInterval how often the file is checked for changes
   */
  public record Routes(String file, Duration pollInterval) {}

  /**
   * @param upstream {@code host:port} to proxy unmatched requests to; empty serves the built-in
   *     page
   */
  public record DefaultBackend(String upstream) {}

  /**
   * @param trustedProxies CIDRs whose X-Forwarded-* and Forwarded headers are kept and extended
   * @param retryConnectFailures retry an idempotent request once on another endpoint when connect
   *     fails
   * @param serverHeader the {@code Server} header of every response (proxied and local); empty
   *     sends none
   * @param passUpstreamServerHeader keep an upstream's own {@code Server} instead of replacing it
   * @param stickyKeyFile a file whose bytes (at least 16, e.g. 32 random bytes of a Kubernetes
   *     Secret) key the values of sticky split cookies (policy {@code SessionPersistence}); nodes
   *     with the same file honour each other's cookies. Empty: a random key per process, so a
   *     cookie is honoured only by the node that set it, until it restarts
   * @param proxyProtocol which router listeners read a PROXY protocol header (v1 or v2) first
   * @param allow CIDRs of the clients the node serves at all (empty: every client not denied),
   *     checked against the real client address before any route is matched (403)
   * @param deny CIDRs of clients the node refuses (403) whatever {@code allow} says
   */
  public record Proxy(
      List<String> trustedProxies,
      boolean retryConnectFailures,
      String serverHeader,
      boolean passUpstreamServerHeader,
      String stickyKeyFile,
      ProxyProtocol proxyProtocol,
      List<String> allow,
      List<String> deny) {
    public static final String DEFAULT_SERVER_HEADER = "gatehouse";

    public Proxy {
      trustedProxies = List.copyOf(trustedProxies);
      allow = allow == null ? List.of() : List.copyOf(allow);
      deny = deny == null ? List.of() : List.copyOf(deny);
      proxyProtocol = proxyProtocol == null ? ProxyProtocol.OFF : proxyProtocol;
    }

    /** Without the PROXY protocol or node IP lists. */
    public Proxy(
        List<String> trustedProxies,
        boolean retryConnectFailures,
        String serverHeader,
        boolean passUpstreamServerHeader,
        String stickyKeyFile) {
      this(
          trustedProxies,
          retryConnectFailures,
          serverHeader,
          passUpstreamServerHeader,
          stickyKeyFile,
          ProxyProtocol.OFF,
          List.of(),
          List.of());
    }

    public Proxy withProxyProtocol(ProxyProtocol v) {
      return new Proxy(
          trustedProxies,
          retryConnectFailures,
          serverHeader,
          passUpstreamServerHeader,
          stickyKeyFile,
          v,
          allow,
          deny);
    }

    public Proxy withClients(List<String> allow, List<String> deny) {
      return new Proxy(
          trustedProxies,
          retryConnectFailures,
          serverHeader,
          passUpstreamServerHeader,
          stickyKeyFile,
          proxyProtocol,
          allow,
          deny);
    }

    /** With the default {@code Server: gatehouse}, replacing the upstream's. */
    public Proxy(List<String> trustedProxies, boolean retryConnectFailures) {
      this(trustedProxies, retryConnectFailures, DEFAULT_SERVER_HEADER, false);
    }

    /** Without a sticky key file. */
    public Proxy(
        List<String> trustedProxies,
        boolean retryConnectFailures,
        String serverHeader,
        boolean passUpstreamServerHeader) {
      this(trustedProxies, retryConnectFailures, serverHeader, passUpstreamServerHeader, "");
    }
  }

  /**
   * The PROXY protocol on the router's listeners (off by default: a listener that reads one lets
   * whoever connects name any source address, so it belongs behind a load balancer that always
   * sends one).
   *
   * @param http the plain listener reads one
   * @param https the TLS listener reads one, before the TLS handshake
   * @param headerTimeout how long a new connection may take to send its header before it is closed;
   *     the balancer sends it with its first bytes, so a short wait only frees slots
   */
  public record ProxyProtocol(boolean http, boolean https, Duration headerTimeout) {
    public static final ProxyProtocol OFF = new ProxyProtocol(false, false, Duration.ofSeconds(5));
  }

  /**
   * @param readinessGrace how long readiness fails before draining starts, so load balancers notice
   * @param drainTimeout the longest wait for in-flight requests
   */
  public record Shutdown(Duration readinessGrace, Duration drainTimeout) {}

  /**
   * Logs and the access log; every key here reloads at runtime (docs/observability.md).
   *
   * @param level root level: error, warn, info, debug, trace
   * @param access write the access log
   * @param accessFormat {@code json} (one object per line) or {@code text} (the fixed layout)
   * @param accessFields the fields of each line, in order, from the catalogue of {@link
   *     AccessField}
   * @param accessFile a file the lines are appended to; empty writes them to stdout
   * @param accessQueueLines lines waiting to be written before new ones are dropped and counted
   * @param accessSampleRatio the share of successful requests (below 400) logged, 0 to 1
   * @param accessSampleErrors the share of 4xx and 5xx answers logged, 0 to 1
   * @param accessRoutes per-route rules by route id: {@code ID=off}, {@code ID=RATIO} or {@code
   *     ID=RATIO/ERRORS_RATIO}
   */
  public record Log(
      String level,
      boolean access,
      AccessFormat accessFormat,
      List<String> accessFields,
      String accessFile,
      int accessQueueLines,
      double accessSampleRatio,
      double accessSampleErrors,
      List<String> accessRoutes) {
    public Log {
      accessFormat = accessFormat == null ? AccessFormat.JSON : accessFormat;
      accessFields = accessFields == null ? defaultAccessFields() : List.copyOf(accessFields);
      accessFile = accessFile == null ? "" : accessFile;
      accessRoutes = accessRoutes == null ? List.of() : List.copyOf(accessRoutes);
    }

    /** The access log's defaults: JSON on stdout, every request, the default fields. */
    public Log(String level, boolean access) {
      this(
          level,
          access,
          AccessFormat.JSON,
          defaultAccessFields(),
          "",
          AccessLogOptions.DEFAULT_QUEUE_LINES,
          1,
          1,
          List.of());
    }

    private static List<String> defaultAccessFields() {
      return AccessLogOptions.DEFAULT_FIELDS.stream().map(AccessField::key).toList();
    }
  }

  /**
   * The HTTPS listener. It runs when {@code enabled} is true or a {@code certDir} is given.
   *
   * @param enabled start the HTTPS listener even without a certificate directory (then every client
   *     gets the generated self-signed default certificate)
   * @param host address to listen on; empty means the HTTP listener's address
   * @param port HTTPS listener port; 0 picks a free port
   * @param certDir directory of {@code NAME.crt} + {@code NAME.key} pairs and {@code NAME.pem}
   *     files, polled for changes; empty serves only the default certificate
   * @param defaultCertificate the NAME in {@code certDir} served to clients without SNI or with an
   *     unknown name; empty serves a generated self-signed certificate
   * @param engine the TLS implementation: {@code auto} (OpenSSL when it loads, else the JDK),
   *     {@code openssl} (the same, preferring OpenSSL) or {@code jdk}
   * @param pollInterval how often {@code certDir} is checked for changes
   * @param redirectPort the HTTPS port clients reach, for redirects from plain HTTP (behind a load
   *     balancer that maps ports); 0 means the port this node bound; 443 is left out of the URL
   * @param protocols the TLS versions offered: {@code TLSv1.2} and/or {@code TLSv1.3}
   * @param cipherSuites the TLS 1.2 cipher suites offered (IANA names); TLS 1.3's are fixed
   * @param groups the key-exchange groups offered (X25519, P-256, P-384, P-521); empty: the
   *     engine's defaults
   * @param sessionTickets whether the server issues session tickets (stateless resumption)
   * @param sessionTimeout how long a session or ticket may be resumed; 0: the engine's default
   * @param minVersionByHost {@code HOST=TLSv1.3} entries: hosts (exact, or {@code *.domain} for one
   *     label) that only TLS 1.3 clients may reach
   * @param ocspStapling fetch the OCSP responses of served certificates that name a responder and
   *     staple them (OpenSSL engine only)
   * @param passthrough how long and how much the listener reads of a ClientHello while some route
   *     passes TLS through, and the connect and idle timeouts of passed connections
   */
  public record Tls(
      boolean enabled,
      String host,
      int port,
      String certDir,
      String defaultCertificate,
      Engine engine,
      Duration pollInterval,
      int redirectPort,
      List<String> protocols,
      List<String> cipherSuites,
      List<String> groups,
      boolean sessionTickets,
      Duration sessionTimeout,
      List<String> minVersionByHost,
      boolean ocspStapling,
      Passthrough.Settings passthrough) {
    public Tls {
      passthrough = passthrough == null ? Passthrough.Settings.DEFAULTS : passthrough;
    }

    public Tls withPassthrough(Passthrough.Settings v) {
      return new Tls(
          enabled,
          host,
          port,
          certDir,
          defaultCertificate,
          engine,
          pollInterval,
          redirectPort,
          protocols,
          cipherSuites,
          groups,
          sessionTickets,
          sessionTimeout,
          minVersionByHost,
          ocspStapling,
          v);
    }

    /** Redirects name the bound port. */
    public Tls(
        boolean enabled,
        String host,
        int port,
        String certDir,
        String defaultCertificate,
        Engine engine,
        Duration pollInterval) {
      this(enabled, host, port, certDir, defaultCertificate, engine, pollInterval, 0);
    }

    /** The default TLS policy ({@link TlsPolicy#DEFAULTS}). */
    public Tls(
        boolean enabled,
        String host,
        int port,
        String certDir,
        String defaultCertificate,
        Engine engine,
        Duration pollInterval,
        int redirectPort) {
      this(
          enabled,
          host,
          port,
          certDir,
          defaultCertificate,
          engine,
          pollInterval,
          redirectPort,
          TlsPolicy.DEFAULTS.protocols(),
          TlsPolicy.DEFAULTS.cipherSuites(),
          TlsPolicy.DEFAULTS.groups(),
          TlsPolicy.DEFAULTS.sessionTickets(),
          TlsPolicy.DEFAULTS.sessionTimeout(),
          List.of(),
          true,
          Passthrough.Settings.DEFAULTS);
    }

    /**
     * This listener's TLS policy.
     *
     * @throws TlsPolicy.Invalid when a value cannot be honoured ({@code ConfigLoader} checks first)
     */
    public TlsPolicy policy() {
      return TlsPolicy.parse(
          protocols, cipherSuites, groups, sessionTickets, sessionTimeout, minVersionByHost);
    }

    /** Which TLS implementation to run. */
    public enum Engine {
      AUTO,
      OPENSSL,
      JDK
    }

    /** Whether the HTTPS listener runs: enabled, or a certificate directory given. */
    public boolean listens() {
      return enabled || !certDir.isBlank();
    }
  }

  /**
   * Clustering: nodes that share one route table through Hazelcast.
   *
   * @param enabled join a cluster; off runs a single node with its own table
   * @param name only members with the same name form a cluster, so two clusters never merge
   * @param host the one address the Hazelcast member port binds and announces
   * @param port the first Hazelcast port tried (the next ones while taken)
   * @param members TCP-IP join: {@code host:port} of the members (this node may be listed)
   * @param kubernetesService headless Service DNS name for discovery in Kubernetes; overrides
   *     {@code members}
   * @param heartbeat how often members report they are alive
   * @param maxNoHeartbeat how long a silent (hung) member is kept before it is declared dead
   * @param backupCount synchronous copies of each entry on other members
   * @param initialMinMembers members to wait for before serving; set a quorum for full-cluster
   *     restarts
   */
  public record Cluster(
      boolean enabled,
      String name,
      String host,
      int port,
      List<String> members,
      String kubernetesService,
      Duration heartbeat,
      Duration maxNoHeartbeat,
      int backupCount,
      int initialMinMembers) {
    public static final Cluster DEFAULTS =
        new Cluster(
            false,
            "gatehouse",
            "127.0.0.1",
            5701,
            List.of(),
            "",
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            2,
            1);
  }

  /**
   * The node's disk copy of the durable entries (routes written through the admin API).
   *
   * @param dir directory of the SQLite store; empty keeps nothing on disk
   */
  public record Store(String dir) {}

  /**
   * The admin REST API: a listener of its own, never on the router's ports.
   *
   * @param enabled start the admin API (on by default, on loopback, behind a token)
   * @param host address to listen on; 127.0.0.1 by default
   * @param certFile PEM chain for HTTPS on the admin listener; empty serves plain HTTP
   * @param keyFile the key of {@code certFile}
   * @param clientCaFile PEM CA bundle; when set, HTTPS clients must present a certificate it signed
   *     (in addition to their token); empty asks for none
   * @param token an admin token ({@code <id>.<secret>}) stored when the table has none, for
   *     automation; empty (and no {@code tokenFile}) creates one and logs it once
   * @param tokenFile a file holding that token
   * @param ratePerSecond requests per second per token
   * @param rateBurst requests a token may send at once
   * @param deniedUpstreams CIDRs refused as route endpoints, beyond link-local and cloud metadata
   */
  public record Admin(
      boolean enabled,
      String host,
      int port,
      String certFile,
      String keyFile,
      String clientCaFile,
      String token,
      String tokenFile,
      int ratePerSecond,
      int rateBurst,
      List<String> deniedUpstreams) {
    public static final Admin DEFAULTS =
        new Admin(true, "127.0.0.1", 9902, "", "", "", "", "", 20, 40, List.of());

    public Admin withEnabled(boolean v) {
      return new Admin(
          v,
          host,
          port,
          certFile,
          keyFile,
          clientCaFile,
          token,
          tokenFile,
          ratePerSecond,
          rateBurst,
          deniedUpstreams);
    }

    public Admin withPort(int v) {
      return new Admin(
          enabled,
          host,
          v,
          certFile,
          keyFile,
          clientCaFile,
          token,
          tokenFile,
          ratePerSecond,
          rateBurst,
          deniedUpstreams);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
      return "Admin[enabled=" + enabled + ", host=" + host + ", port=" + port + "]";
    }
  }

  /**
   * The Kubernetes ingress controller (k8s/README.md).
   *
   * @param kubeconfig path of a kubeconfig file; empty uses the in-cluster ServiceAccount
   * @param namespaces namespaces to watch; empty watches all
   * @param ingressClass the IngressClasses to serve, a comma list (the config file may give a list;
   *     {@code --ingress-class} repeats): each of our controller's, or ingress-nginx's ({@code
   *     nginx}: its Ingresses are then served without edits); empty serves every class whose
   *     controller is gatehouse.io/ingress-controller
   * @param ingressLabelSelector only Ingresses with these labels (e.g. team=a); empty for all
   * @param publishAddresses IPs or DNS names written to the status of the Ingresses served
   * @param leaderElection elect one writer of status and events (and of routes when the table is
   *     shared by a cluster) with a Lease; off only for a single replica
   * @param leaseDuration how long a silent leader keeps the Lease before another replica takes
   *     over; the leader renews every 2/15 of it and steps down after 2/3 of it without a renewal
   *     (client-go's 15 s / 10 s / 2 s by default). It bounds the failover time.
   * @param deniedUpstreams CIDRs refused as ExternalName targets and EndpointSlice addresses,
   *     beyond loopback, link-local, cloud metadata and unspecified addresses (always refused)
   * @param allowLoopbackExternalNames let ExternalName Services name loopback ({@code 127.0.0.1},
   *     {@code localhost}): unsafe in a shared cluster, where any namespace could then reach the
   *     node's own listeners; for single-tenant and development clusters only
   * @param publishService {@code namespace/name} of the controller's own Service, whose address
   *     (load balancer, external IPs, cluster IP, or for a headless Service the ready endpoints:
   *     the nodes under hostNetwork) Ingress status carries and follows, as ingress-nginx's {@code
   *     --publish-service}; {@code publishAddresses}, when set, wins (as {@code
   *     --publish-status-address})
   * @param nginxConfigMap {@code namespace/name} of ingress-nginx's controller ConfigMap (e.g.
   *     {@code ingress-nginx/ingress-nginx-controller}): its keys become the defaults of every
   *     Ingress, applied on the next translation, and what Gatehouse cannot honour is reported on
   *     it ({@code docs/ingress-nginx.md}, "Controller ConfigMap"); empty for none
   * @param gatewayApi {@code auto} (serve the Gateway API kinds whose CRDs are installed, and the
   *     account may watch, at start), {@code true} (refuse to start without the CRDs), {@code
   *     false}; docs/gateway-api.md
   * @param gatewayHttpPort the Gateway listener port the node's HTTP listener serves (a listener on
   *     another port is not accepted)
   * @param gatewayHttpsPort the Gateway listener port the node's HTTPS listener serves
   * @param gatewayAddresses the addresses (IPs or CIDRs) the operator gives Gateways: each Gateway
   *     gets one and is served on its own sockets there; empty serves every Gateway on the node's
   *     own two listeners (docs/design/gateway-api-listeners.md)
   * @param gatewayPorts the ports a Gateway listener may use on those addresses; a listener the
   *     table asks for elsewhere is refused, never bound
   */
  public record Kubernetes(
      boolean enabled,
      String kubeconfig,
      List<String> namespaces,
      String ingressClass,
      String ingressLabelSelector,
      List<String> publishAddresses,
      boolean leaderElection,
      String leaseNamespace,
      String leaseName,
      Duration leaseDuration,
      List<String> deniedUpstreams,
      boolean allowLoopbackExternalNames,
      String publishService,
      String nginxConfigMap,
      String gatewayApi,
      int gatewayHttpPort,
      int gatewayHttpsPort,
      List<String> gatewayAddresses,
      List<Integer> gatewayPorts) {
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
    public static final List<Integer> DEFAULT_GATEWAY_PORTS = List.of(80, 443, 8080, 8443);
    public static final Kubernetes DEFAULTS =
        new Kubernetes(
            false, "", List.of(), "", "", List.of(), true, "gatehouse", "gatehouse-leader");

    public Kubernetes {
      publishService = publishService == null ? "" : publishService;
      nginxConfigMap = nginxConfigMap == null ? "" : nginxConfigMap;
      gatewayApi = gatewayApi == null ? "auto" : gatewayApi;
      gatewayAddresses = gatewayAddresses == null ? List.of() : List.copyOf(gatewayAddresses);
      gatewayPorts = gatewayPorts == null ? DEFAULT_GATEWAY_PORTS : List.copyOf(gatewayPorts);
    }

    /** Without Gateway addresses: every Gateway on the node's own listeners. */
    public Kubernetes(
        boolean enabled,
        String kubeconfig,
        List<String> namespaces,
        String ingressClass,
        String ingressLabelSelector,
        List<String> publishAddresses,
        boolean leaderElection,
        String leaseNamespace,
        String leaseName,
        Duration leaseDuration,
        List<String> deniedUpstreams,
        boolean allowLoopbackExternalNames,
        String publishService,
        String nginxConfigMap,
        String gatewayApi,
        int gatewayHttpPort,
        int gatewayHttpsPort) {
      this(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          leaseDuration,
          deniedUpstreams,
          allowLoopbackExternalNames,
          publishService,
          nginxConfigMap,
          gatewayApi,
          gatewayHttpPort,
          gatewayHttpsPort,
          List.of(),
          DEFAULT_GATEWAY_PORTS);
    }

    /** With the Gateway API defaults: {@code auto}, listener ports 80 and 443. */
    public Kubernetes(
        boolean enabled,
        String kubeconfig,
        List<String> namespaces,
        String ingressClass,
        String ingressLabelSelector,
        List<String> publishAddresses,
        boolean leaderElection,
        String leaseNamespace,
        String leaseName,
        Duration leaseDuration,
        List<String> deniedUpstreams,
        boolean allowLoopbackExternalNames,
        String publishService,
        String nginxConfigMap) {
      this(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          leaseDuration,
          deniedUpstreams,
          allowLoopbackExternalNames,
          publishService,
          nginxConfigMap,
          "auto",
          80,
          443);
    }

    /** This configuration with the Gateway API settings given. */
    public Kubernetes withGatewayApi(String mode, int httpPort, int httpsPort) {
      return new Kubernetes(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          leaseDuration,
          deniedUpstreams,
          allowLoopbackExternalNames,
          publishService,
          nginxConfigMap,
          mode,
          httpPort,
          httpsPort,
          gatewayAddresses,
          gatewayPorts);
    }

    /** This configuration with the Gateway address pool and ports given. */
    public Kubernetes withGatewayAddresses(List<String> addresses, List<Integer> ports) {
      return new Kubernetes(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          leaseDuration,
          deniedUpstreams,
          allowLoopbackExternalNames,
          publishService,
          nginxConfigMap,
          gatewayApi,
          gatewayHttpPort,
          gatewayHttpsPort,
          addresses,
          ports);
    }

    /** Without ingress-nginx's controller ConfigMap. */
    public Kubernetes(
        boolean enabled,
        String kubeconfig,
        List<String> namespaces,
        String ingressClass,
        String ingressLabelSelector,
        List<String> publishAddresses,
        boolean leaderElection,
        String leaseNamespace,
        String leaseName,
        Duration leaseDuration,
        List<String> deniedUpstreams,
        boolean allowLoopbackExternalNames,
        String publishService) {
      this(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          leaseDuration,
          deniedUpstreams,
          allowLoopbackExternalNames,
          publishService,
          "");
    }

    /** The names of {@link #ingressClass}, in order; empty for every class of our controller. */
    public List<String> ingressClasses() {
      return Arrays.stream(ingressClass.split(","))
          .map(String::trim)
          .filter(n -> !n.isEmpty())
          .toList();
    }

    /** Without a publish service. */
    public Kubernetes(
        boolean enabled,
        String kubeconfig,
        List<String> namespaces,
        String ingressClass,
        String ingressLabelSelector,
        List<String> publishAddresses,
        boolean leaderElection,
        String leaseNamespace,
        String leaseName,
        Duration leaseDuration,
        List<String> deniedUpstreams,
        boolean allowLoopbackExternalNames) {
      this(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          leaseDuration,
          deniedUpstreams,
          allowLoopbackExternalNames,
          "");
    }

    /** With the default upstream policy: no extra CIDRs, loopback refused. */
    public Kubernetes(
        boolean enabled,
        String kubeconfig,
        List<String> namespaces,
        String ingressClass,
        String ingressLabelSelector,
        List<String> publishAddresses,
        boolean leaderElection,
        String leaseNamespace,
        String leaseName,
        Duration leaseDuration) {
      this(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          leaseDuration,
          List.of(),
          false);
    }

    /** With the default lease duration. */
    public Kubernetes(
        boolean enabled,
        String kubeconfig,
        List<String> namespaces,
        String ingressClass,
        String ingressLabelSelector,
        List<String> publishAddresses,
        boolean leaderElection,
        String leaseNamespace,
        String leaseName) {
      this(
          enabled,
          kubeconfig,
          namespaces,
          ingressClass,
          ingressLabelSelector,
          publishAddresses,
          leaderElection,
          leaseNamespace,
          leaseName,
          DEFAULT_LEASE_DURATION);
    }
  }
}
