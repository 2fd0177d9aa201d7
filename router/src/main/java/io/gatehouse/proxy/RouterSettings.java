package io.gatehouse.proxy;

import io.gatehouse.acme.ChallengeStore;
import io.gatehouse.acme.InMemoryChallengeStore;
import io.gatehouse.edge.ConnectionLimiter;
import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.edge.EdgeLimitsHolder;
import io.gatehouse.edge.OverloadGuard;
import io.gatehouse.edge.TrustedProxies;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.health.AttemptOutcomes;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.policy.ErrorPageSet;
import io.gatehouse.policy.IpAccessFilter;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.tls.SniKeyManager;
import io.gatehouse.tls.TlsPolicy;
import io.gatehouse.tls.TlsServerOptions;
import io.gatehouse.upstream.BackendLimits;
import io.gatehouse.upstream.BalancerOptions;
import io.gatehouse.validate.Cidrs;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What every router verticle of a node shares: immutable settings and the thread-safe parts
 * (snapshot holder, endpoint index, connection limiter, overload guard, in-flight counter).
 *
 * @param endpoints the node's endpoint index, which the snapshot's targets name slots of
 * @param edgeLimits the node's edge limits, replaced on a configuration reload ({@link #limits})
 * @param defaultBackend where unmatched requests go: the built-in default backend verticle or the
 *     operator's upstream
 * @param tls the HTTPS listener, or null for none
 * @param server the {@code Server} header of every answer
 * @param errorPages the node's error pages ({@link NodeErrorPages#NONE} for none)
 * @param backendLimits the node's circuit breakers, one set of counters per backend shared by every
 *     loop
 * @param balancing what every balancer shares: the node's endpoint availability (health checks,
 *     outlier detection) and the affinity cookie key
 * @param outcomes where every upstream attempt's outcome goes (outlier detection)
 * @param nodeAccess the node's own IP allow and deny lists, checked before the route match (403)
 * @param proxyProtocol which listeners read a PROXY protocol header first
 * @param observer what every exchange reports to (metrics, tracing, access log); {@link
 *     ExchangeObserver#NONE} for nothing
 * @param challenges the ACME HTTP-01 answers the plain listener gives before route matching
 */
public record RouterSettings(
    String host,
    int port,
    SnapshotHolder snapshots,
    EndpointIndex endpoints,
    EdgeLimitsHolder edgeLimits,
    TrustedProxies trustedProxies,
    boolean retryConnectFailures,
    BackendSpec defaultBackend,
    ConnectionLimiter connections,
    OverloadGuard overload,
    InFlight inFlight,
    boolean accessLog,
    Http2Settings http2,
    @Nullable TlsListener tls,
    ServerHeader server,
    NodeErrorPages errorPages,
    BackendLimits backendLimits,
    BalancerOptions balancing,
    AttemptOutcomes outcomes,
    NodeAccess nodeAccess,
    ProxyProtocol proxyProtocol,
    ExchangeObserver observer,
    ChallengeStore challenges) {

  /**
   * The edge limits in force now: one volatile read, so read it once per connection or request (a
   * reload applies from the next one on).
   */
  public EdgeLimits limits() {
    return edgeLimits.get();
  }

  /** Without node IP lists or the PROXY protocol. */
  public RouterSettings(
      String host,
      int port,
      SnapshotHolder snapshots,
      EndpointIndex endpoints,
      EdgeLimitsHolder limits,
      TrustedProxies trustedProxies,
      boolean retryConnectFailures,
      BackendSpec defaultBackend,
      ConnectionLimiter connections,
      OverloadGuard overload,
      InFlight inFlight,
      boolean accessLog,
      Http2Settings http2,
      @Nullable TlsListener tls,
      ServerHeader server,
      NodeErrorPages errorPages,
      BackendLimits backendLimits,
      BalancerOptions balancing,
      AttemptOutcomes outcomes) {
    this(
        host,
        port,
        snapshots,
        endpoints,
        limits,
        trustedProxies,
        retryConnectFailures,
        defaultBackend,
        connections,
        overload,
        inFlight,
        accessLog,
        http2,
        tls,
        server,
        errorPages,
        backendLimits,
        balancing,
        outcomes,
        NodeAccess.OPEN,
        ProxyProtocol.OFF,
        ExchangeObserver.NONE,
        new InMemoryChallengeStore());
  }

  /**
   * Settings with circuit breakers of their own (counters no other settings share), every endpoint
   * available, a random affinity cookie key and no outlier detection.
   */
  public RouterSettings(
      String host,
      int port,
      SnapshotHolder snapshots,
      EndpointIndex endpoints,
      EdgeLimitsHolder limits,
      TrustedProxies trustedProxies,
      boolean retryConnectFailures,
      BackendSpec defaultBackend,
      ConnectionLimiter connections,
      OverloadGuard overload,
      InFlight inFlight,
      boolean accessLog,
      Http2Settings http2,
      @Nullable TlsListener tls,
      ServerHeader server,
      NodeErrorPages errorPages) {
    this(
        host,
        port,
        snapshots,
        endpoints,
        limits,
        trustedProxies,
        retryConnectFailures,
        defaultBackend,
        connections,
        overload,
        inFlight,
        accessLog,
        http2,
        tls,
        server,
        errorPages,
        new BackendLimits(),
        BalancerOptions.defaults(),
        AttemptOutcomes.NONE);
  }

  /** Settings without node error pages. */
  public RouterSettings(
      String host,
      int port,
      SnapshotHolder snapshots,
      EndpointIndex endpoints,
      EdgeLimitsHolder limits,
      TrustedProxies trustedProxies,
      boolean retryConnectFailures,
      BackendSpec defaultBackend,
      ConnectionLimiter connections,
      OverloadGuard overload,
      InFlight inFlight,
      boolean accessLog,
      Http2Settings http2,
      @Nullable TlsListener tls,
      ServerHeader server) {
    this(
        host,
        port,
        snapshots,
        endpoints,
        limits,
        trustedProxies,
        retryConnectFailures,
        defaultBackend,
        connections,
        overload,
        inFlight,
        accessLog,
        http2,
        tls,
        server,
        NodeErrorPages.NONE);
  }

  /**
   * The node's error pages: they replace the body of Gatehouse's own answers (404 of the built-in
   * default backend, 502, 503, 504, 413, 431...) when the request's route has no page of its own
   * for the status, and the default backend's answers; a route's backend's answers only ever get
   * the route's pages.
   *
   * @param pages the statuses and their pages; a fetched page comes from {@code upstream}
   * @param upstream the endpoints of the node's error backend (plain HTTP/1.1); empty for none
   */
  public record NodeErrorPages(ErrorPageSet pages, List<Endpoint> upstream) {
    public static final NodeErrorPages NONE = new NodeErrorPages(ErrorPageSet.NONE, List.of());

    public NodeErrorPages {
      upstream = List.copyOf(upstream);
    }

    /** The node's pages of {@code spec} (a validated error pages spec). */
    public static NodeErrorPages of(ErrorPages spec, List<Endpoint> upstream) {
      return new NodeErrorPages(ErrorPageSet.of(List.of(spec)), upstream);
    }
  }

  /**
   * The {@code Server} header, made once per node ({@code HttpHeaders.createOptimized}) so setting
   * it costs no allocation per request.
   *
   * @param value the header value, or null to send none of our own
   * @param passUpstream keep an upstream's own {@code Server} (else it is dropped)
   */
  public record ServerHeader(@Nullable CharSequence value, boolean passUpstream) {
    static final CharSequence NAME = HttpHeaders.createOptimized("server");

    /** {@code value} empty: no header of our own. */
    public static ServerHeader of(String value, boolean passUpstream) {
      return new ServerHeader(
          value.isEmpty() ? null : HttpHeaders.createOptimized(value), passUpstream);
    }
  }

  /**
   * The HTTPS listener each router verticle opens next to the plain one: same handler, limits and
   * HTTP/2 settings; certificates come from the one key manager all verticles share.
   *
   * @param redirectPort the port redirects to HTTPS name; 0 for the bound port
   * @param policy versions, suites, groups, tickets and the hosts that require TLS 1.3
   */
  public record TlsListener(
      String host,
      int port,
      SniKeyManager keyManager,
      TlsServerOptions.Engine engine,
      int redirectPort,
      TlsPolicy policy) {
    public TlsListener(
        String host, int port, SniKeyManager keyManager, TlsServerOptions.Engine engine) {
      this(host, port, keyManager, engine, 0, TlsPolicy.DEFAULTS);
    }
  }

  /**
   * The node's own IP allow and deny lists ({@code proxy.allow}, {@code proxy.deny}): the real
   * client address is checked against them before any route is matched, 403 when refused; deny
   * wins. Built once; a node without lists costs a null check per request.
   */
  public static final class NodeAccess {
    public static final NodeAccess OPEN = new NodeAccess(Cidrs.NONE, Cidrs.NONE);

    private final @Nullable IpAccessFilter filter;

    public NodeAccess(Cidrs allow, Cidrs deny) {
      IpAccessFilter f = new IpAccessFilter(allow, deny);
      this.filter = f.open() ? null : f;
    }

    /** The check, or null when the node has no lists. */
    @Nullable IpAccessFilter filter() {
      return filter;
    }
  }

  /**
   * The PROXY protocol (HAProxy's, v1 text or v2 binary, either accepted) on the router's
   * listeners: a connection must start with a valid header within {@code headerTimeoutMillis}, or
   * it is closed; its source address is then the connection's peer (every access rule's client
   * address). A header from a peer outside the trusted proxies, when some are configured, closes
   * the connection too.
   *
   * @param http the plain listener reads one
   * @param https the TLS listener reads one (before the TLS handshake)
   */
  public record ProxyProtocol(boolean http, boolean https, long headerTimeoutMillis) {
    public static final ProxyProtocol OFF = new ProxyProtocol(false, false, 5_000);
  }

  /**
   * Downstream HTTP/2 settings (LIMITS.md: 100 streams, 64 KiB stream and 1 MiB connection
   * windows).
   *
   * @param cleartext accept h2c on the plain listener
   */
  public record Http2Settings(
      boolean cleartext,
      int maxConcurrentStreams,
      int streamWindowBytes,
      int connectionWindowBytes) {
    public static final Http2Settings DEFAULTS = new Http2Settings(false, 100, 64 * 1024, 1 << 20);
  }
}
