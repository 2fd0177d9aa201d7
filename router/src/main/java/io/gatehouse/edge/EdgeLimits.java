package io.gatehouse.edge;

import java.time.Duration;

/** Downstream hardening limits; defaults and sources are in docs/proxy.md, "Edge limits". */
public record EdgeLimits(
    int maxHeaderBytes,
    int maxHeaderLineBytes,
    int maxHeaderCount,
    int maxRequestLineBytes,
    Duration headerReadTimeout,
    Duration keepAliveIdleTimeout,
    int maxConnections,
    int maxConnectionsPerClient,
    UnderscoreHeaders underscoreHeaders,
    double overloadHeapRatio,
    Duration overloadLoopLag,
    int writeQueueBytes,
    int pacedConnectionsPerSecond) {

  /** New connections a second let in from an address {@link RepeatOffenders} paces. */
  public static final int DEFAULT_PACED_CONNECTIONS_PER_SECOND = 5;

  public static final EdgeLimits DEFAULTS =
      new EdgeLimits(
          32 * 1024,
          8 * 1024,
          100,
          8 * 1024,
          Duration.ofSeconds(10),
          Duration.ofSeconds(75),
          10_000,
          1_000,
          UnderscoreHeaders.REJECT,
          0.95,
          Duration.ofMillis(200),
          32 * 1024,
          DEFAULT_PACED_CONNECTIONS_PER_SECOND);

  /** These limits with other overload thresholds. */
  public EdgeLimits withOverload(double heapRatio, Duration loopLag) {
    return new EdgeLimits(
        maxHeaderBytes,
        maxHeaderLineBytes,
        maxHeaderCount,
        maxRequestLineBytes,
        headerReadTimeout,
        keepAliveIdleTimeout,
        maxConnections,
        maxConnectionsPerClient,
        underscoreHeaders,
        heapRatio,
        loopLag,
        writeQueueBytes,
        pacedConnectionsPerSecond);
  }

  /** What to do with a request header whose name contains '_'. */
  public enum UnderscoreHeaders {
    REJECT,
    DROP,
    ALLOW
  }
}
