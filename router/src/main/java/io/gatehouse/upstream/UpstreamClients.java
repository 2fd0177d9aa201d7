package io.gatehouse.upstream;

import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP clients of one router verticle: one per upstream protocol for plain TCP, and one set per
 * distinct {@link UpstreamTls} setting, made on first use. Each keeps a keep-alive pool per
 * endpoint, bound to the verticle's event loop, so a request never crosses threads. Separate
 * clients keep plain connections and connections with different TLS settings (trust, client
 * certificate, server name) in separate pools: a connection is only reused for the setting it was
 * verified under.
 */
public final class UpstreamClients {
  /** Connections per endpoint per event loop; enough for the edge's concurrency on one core. */
  public static final int HTTP1_POOL_SIZE = 512;

  private static final int MAX_WAIT_QUEUE = 4096;

  /** Idle connections kept per endpoint per event loop. */
  public static final int MAX_IDLE_PER_ENDPOINT = 256;

  /** Below the 60-75 s keep-alive timeout of common upstreams, so Gatehouse closes first. */
  private static final long IDLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(50);

  /** How long a retired TLS client lets its in-flight exchanges finish. */
  private static final long RETIRE_GRACE_SECONDS = 30;

  private final Vertx vertx;
  private final HttpClientOptions base;
  private final Clients plain;
  private final Map<UpstreamTls, Clients> tls = new HashMap<>();

  /**
   * Open pooled HTTP/2 connections, for {@link #resetStuck}. Not the HTTP/1.1 pool's: it serves
   * WebSocket tunnels, whose connection Vert.x hands to a NetSocket (its close handler never fires
   * then), and a tunnel resets its own upstream when its client leaves.
   */
  private final Set<HttpConnection> pooled = Collections.newSetFromMap(new IdentityHashMap<>());

  /** The clients of one transport setting: HTTP/1.1 (with its keep-alive cache) and HTTP/2. */
  private static final class Clients {
    final HttpClientAgent http1;
    final HttpClientAgent h2;
    final Http1Connections http1Connections;

    Clients(HttpClientAgent http1, HttpClientAgent h2, @Nullable String serverName) {
      this.http1 = http1;
      this.h2 = h2;
      this.http1Connections =
          new Http1Connections(http1, MAX_IDLE_PER_ENDPOINT, IDLE_TIMEOUT_NANOS, serverName);
    }
  }

  public UpstreamClients(Vertx vertx, int maxResponseHeaderBytes) {
    this.vertx = vertx;
    this.base =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(60)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            .setMaxHeaderSize(maxResponseHeaderBytes)
            .setMaxInitialLineLength(8192)
            .setVerifyHost(false)
            .setShared(false);
    this.plain = build(base, null);
  }

  private Clients build(HttpClientOptions options, @Nullable UpstreamTls setting) {
    HttpClientAgent http1 =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions(options)
                    .setProtocolVersion(HttpVersion.HTTP_1_1)
                    .setUseAlpn(false))
            .with(
                new PoolOptions()
                    .setHttp1MaxSize(HTTP1_POOL_SIZE)
                    .setMaxWaitQueueSize(MAX_WAIT_QUEUE))
            .build();
    HttpClientOptions h2 =
        new HttpClientOptions(options)
            .setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false)
            .setHttp2MultiplexingLimit(100);
    if (setting != null) {
      // Only h2: an upstream that cannot speak it fails the handshake instead of being
      // silently spoken to over HTTP/1.1 by a client configured for multiplexing.
      h2.setUseAlpn(true).setAlpnVersions(java.util.List.of(HttpVersion.HTTP_2));
    }
    HttpClientAgent h2Client =
        vertx
            .httpClientBuilder()
            .with(h2)
            .with(new PoolOptions().setHttp2MaxSize(4).setMaxWaitQueueSize(MAX_WAIT_QUEUE))
            .withConnectHandler(this::track)
            .build();
    return new Clients(http1, h2Client, setting == null ? null : setting.serverName());
  }

  private void track(HttpConnection c) {
    pooled.add(c);
    c.closeHandler(v -> pooled.remove(c));
  }

  private Clients clients(@Nullable UpstreamTls setting) {
    if (setting == null) {
      return plain;
    }
    Clients c = tls.get(setting);
    if (c == null) {
      c = build(UpstreamTlsOptions.apply(base, setting), setting);
      tls.put(setting, c);
    }
    return c;
  }

  /** The plain keep-alive cache for HTTP/1.1 exchanges (WebSocket upgrades use the pool). */
  public Http1Connections http1Connections() {
    return plain.http1Connections;
  }

  /**
   * The keep-alive cache for HTTP/1.1 exchanges over {@code setting} (null = plain TCP). Throws
   * IllegalArgumentException when the setting cannot be turned into client options.
   */
  public Http1Connections http1Connections(@Nullable UpstreamTls setting) {
    return clients(setting).http1Connections;
  }

  public HttpClientAgent client(UpstreamProtocol protocol) {
    return client(protocol, null);
  }

  /** The client for {@code protocol} over {@code setting} (null = plain TCP). */
  public HttpClientAgent client(UpstreamProtocol protocol, @Nullable UpstreamTls setting) {
    Clients c = clients(setting);
    return protocol == UpstreamProtocol.HTTP1 ? c.http1 : c.h2;
  }

  /** Closes idle cached HTTP/1.1 connections of every setting past the idle timeout. */
  public void sweep(long now) {
    plain.http1Connections.sweep(now);
    for (Clients c : tls.values()) {
      c.http1Connections.sweep(now);
    }
  }

  /**
   * Retires the clients of TLS settings no longer in {@code live} (the settings of the current
   * snapshot's backends): idle connections close now, in-flight exchanges get a grace period.
   */
  public void retain(Set<UpstreamTls> live) {
    for (Iterator<Map.Entry<UpstreamTls, Clients>> it = tls.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<UpstreamTls, Clients> e = it.next();
      if (!live.contains(e.getKey())) {
        it.remove();
        retire(e.getValue());
      }
    }
  }

  /**
   * Resets every open upstream connection whose peer has not taken what was written (a graceful
   * close of it would wait on the peer forever); returns how many. For the end of a drain.
   */
  public int resetStuck() {
    int n = plain.http1Connections.resetStuck();
    for (Clients c : tls.values()) {
      n += c.http1Connections.resetStuck();
    }
    for (HttpConnection c : pooled.toArray(new HttpConnection[0])) {
      if (AbortiveClose.ifStuck(c)) {
        n++;
      }
    }
    return n;
  }

  /** How many TLS settings have clients now (for tests and metrics). */
  public int tlsSettings() {
    return tls.size();
  }

  private static void retire(Clients c) {
    c.http1Connections.closeAll();
    c.http1.shutdown(RETIRE_GRACE_SECONDS, TimeUnit.SECONDS);
    c.h2.shutdown(RETIRE_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  public void close() {
    plain.http1Connections.closeAll();
    plain.http1.close();
    plain.h2.close();
    for (Clients c : tls.values()) {
      c.http1Connections.closeAll();
      c.http1.close();
      c.h2.close();
    }
    tls.clear();
  }
}
