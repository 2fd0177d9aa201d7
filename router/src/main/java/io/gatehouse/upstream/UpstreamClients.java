package io.gatehouse.upstream;

import io.gatehouse.model.UpstreamProtocol;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;

/**
 * The HTTP clients of one router verticle, one per upstream protocol. Each keeps a keep-alive pool
 * per endpoint, bound to the verticle's event loop, so a request never crosses threads.
 */
public final class UpstreamClients {
  /** Connections per endpoint per event loop; enough for the edge's concurrency on one core. */
  public static final int HTTP1_POOL_SIZE = 512;

  private static final int MAX_WAIT_QUEUE = 4096;

  /** Idle connections kept per endpoint per event loop. */
  public static final int MAX_IDLE_PER_ENDPOINT = 256;

  /** Below the 60-75 s keep-alive timeout of common upstreams, so Gatehouse closes first. */
  private static final long IDLE_TIMEOUT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(50);

  private final HttpClientAgent http1;
  private final HttpClientAgent h2c;
  private final Http1Connections http1Connections;

  public UpstreamClients(Vertx vertx, int maxResponseHeaderBytes) {
    HttpClientOptions base =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(60)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            .setMaxHeaderSize(maxResponseHeaderBytes)
            .setMaxInitialLineLength(8192)
            .setVerifyHost(false)
            .setShared(false);
    this.http1 =
        vertx
            .httpClientBuilder()
            .with(new HttpClientOptions(base).setProtocolVersion(HttpVersion.HTTP_1_1))
            .with(
                new PoolOptions()
                    .setHttp1MaxSize(HTTP1_POOL_SIZE)
                    .setMaxWaitQueueSize(MAX_WAIT_QUEUE))
            .build();
    this.h2c =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions(base)
                    .setProtocolVersion(HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(false)
                    .setHttp2MultiplexingLimit(100))
            .with(new PoolOptions().setHttp2MaxSize(4).setMaxWaitQueueSize(MAX_WAIT_QUEUE))
            .build();
    this.http1Connections = new Http1Connections(http1, MAX_IDLE_PER_ENDPOINT, IDLE_TIMEOUT_NANOS);
  }

  /** The keep-alive cache for HTTP/1.1 exchanges (WebSocket upgrades use the client's pool). */
  public Http1Connections http1Connections() {
    return http1Connections;
  }

  public HttpClientAgent client(UpstreamProtocol protocol) {
    return protocol == UpstreamProtocol.H2C ? h2c : http1;
  }

  public void close() {
    http1Connections.closeAll();
    http1.close();
    h2c.close();
  }
}
