package io.gatehouse.node;

import io.gatehouse.edge.EdgeLimits;
import java.time.Duration;
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
    Http2 http2) {

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
          new Tls(443, ""),
          new Demo(""),
          Http2.DEFAULTS);

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
        http2);
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
        http2);
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
        http2);
  }

  public NodeConfig withDefaultBackend(DefaultBackend v) {
    return new NodeConfig(
        http, status, routes, v, proxy, limits, shutdown, log, eventLoops, tls, demo, http2);
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
        http2);
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
        http2);
  }

  public NodeConfig withShutdown(Shutdown v) {
    return new NodeConfig(
        http, status, routes, defaultBackend, proxy, limits, v, log, eventLoops, tls, demo, http2);
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
        http2);
  }

  public NodeConfig withEventLoops(int v) {
    return new NodeConfig(
        http, status, routes, defaultBackend, proxy, limits, shutdown, log, v, tls, demo, http2);
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
        http2);
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
        v);
  }

  /**
   * HTTP/2 from clients (over TLS by ALPN, and optionally cleartext on the HTTP listener).
   *
   * @param cleartext accept h2c on the HTTP listener (prior knowledge or Upgrade), for trusted
   *     internal load balancers; off by default
   * @param maxConcurrentStreams streams a client may open at once on one connection
   * @param streamWindowBytes initial flow-control window of a stream
   * @param connectionWindowBytes flow-control window of a connection
   */
  public record Http2(
      boolean cleartext,
      int maxConcurrentStreams,
      int streamWindowBytes,
      int connectionWindowBytes) {
    public static final Http2 DEFAULTS = new Http2(false, 100, 64 * 1024, 1024 * 1024);
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
   */
  public record Proxy(List<String> trustedProxies, boolean retryConnectFailures) {}

  /**
   * @param readinessGrace how long readiness fails before draining starts, so load balancers notice
   * @param drainTimeout the longest wait for in-flight requests
   */
  public record Shutdown(Duration readinessGrace, Duration drainTimeout) {}

  /**
   * @param level root level: error, warn, info, debug
   */
  public record Log(String level, boolean access) {}

  /**
   * The HTTPS listener, used by the TLS issue; until then the values are only carried (a benchmark
   * harness already passes {@code --https-port} and {@code --cert-dir}).
   *
   * @param port HTTPS listener port
   * @param certDir directory of certificates and keys; empty means no HTTPS listener
   */
  public record Tls(int port, String certDir) {}
}
