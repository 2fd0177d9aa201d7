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
 *
 * <p>A route may allow its backend a larger (or smaller) response head than the node's {@code
 * limits.maxHeaderBytes} ({@code Limits.maxResponseHeaderBytes}, ingress-nginx's {@code
 * proxy-buffer-size}). Such a route gets its own set of clients, keyed by the TLS setting and the
 * head limit like the TLS sets, and made on first use; every other route keeps the node's. A pool
 * per limit rather than one client at the largest limit measuring each head afterwards: Netty's
 * decoder enforces the limit where it reads the bytes (the exact head size, status line included;
 * the header map Vert.x hands over no longer tells it), a head past the limit fails the exchange as
 * before (502), and a backend of a route without its own limit still cannot make the loop buffer
 * more than the node's limit. The cost is separate keep-alive pools for the few routes that set a
 * limit; a route's limit is at most 1 MiB (the validator's ceiling). The sets of a TLS setting
 * retire with it ({@link #retain}); those of plain TCP stay until the verticle stops (one per
 * distinct limit, a handful in practice).
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
  private final int nodeHeadBytes;

  /** The clients of a TLS setting (null = plain TCP) and a response head limit. */
  private record Key(@Nullable UpstreamTls tls, int headBytes) {}

  /** Every set of clients but {@link #plain}: each TLS setting, each route head limit. */
  private final Map<Key, Clients> others = new HashMap<>();

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
    this.nodeHeadBytes = maxResponseHeaderBytes;
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

  private Clients clients(@Nullable UpstreamTls setting, int headBytes) {
    int head = headBytes <= 0 ? nodeHeadBytes : headBytes;
    if (setting == null && head == nodeHeadBytes) {
      return plain;
    }
    Key key = new Key(setting, head);
    Clients c = others.get(key);
    if (c == null) {
      HttpClientOptions options = new HttpClientOptions(base).setMaxHeaderSize(head);
      c = build(setting == null ? options : UpstreamTlsOptions.apply(options, setting), setting);
      others.put(key, c);
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
    return clients(setting, 0).http1Connections;
  }

  /**
   * The keep-alive cache for HTTP/1.1 exchanges over {@code setting} (null = plain TCP) whose
   * response head may be {@code headBytes} long (0 = the node's limit).
   */
  public Http1Connections http1Connections(@Nullable UpstreamTls setting, int headBytes) {
    return clients(setting, headBytes).http1Connections;
  }

  public HttpClientAgent client(UpstreamProtocol protocol) {
    return client(protocol, null);
  }

  /** The client for {@code protocol} over {@code setting} (null = plain TCP). */
  public HttpClientAgent client(UpstreamProtocol protocol, @Nullable UpstreamTls setting) {
    return client(protocol, setting, 0);
  }

  /**
   * The client for {@code protocol} over {@code setting} (null = plain TCP) whose response head may
   * be {@code headBytes} long (0 = the node's limit).
   */
  public HttpClientAgent client(
      UpstreamProtocol protocol, @Nullable UpstreamTls setting, int headBytes) {
    Clients c = clients(setting, headBytes);
    return protocol == UpstreamProtocol.HTTP1 ? c.http1 : c.h2;
  }

  /** Closes idle cached HTTP/1.1 connections of every setting past the idle timeout. */
  public void sweep(long now) {
    plain.http1Connections.sweep(now);
    for (Clients c : others.values()) {
      c.http1Connections.sweep(now);
    }
  }

  /**
   * Retires the clients of TLS settings no longer in {@code live} (the settings of the current
   * snapshot's backends): idle connections close now, in-flight exchanges get a grace period.
   */
  public void retain(Set<UpstreamTls> live) {
    for (Iterator<Map.Entry<Key, Clients>> it = others.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Clients> e = it.next();
      UpstreamTls setting = e.getKey().tls();
      if (setting != null && !live.contains(setting)) {
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
    for (Clients c : others.values()) {
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
    Set<UpstreamTls> settings = new java.util.HashSet<>();
    for (Key k : others.keySet()) {
      if (k.tls() != null) {
        settings.add(k.tls());
      }
    }
    return settings.size();
  }

  /** How many route head limits other than the node's have clients now (for tests). */
  public int headLimits() {
    Set<Integer> limits = new java.util.HashSet<>();
    for (Key k : others.keySet()) {
      if (k.headBytes() != nodeHeadBytes) {
        limits.add(k.headBytes());
      }
    }
    return limits.size();
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
    for (Clients c : others.values()) {
      c.http1Connections.closeAll();
      c.http1.close();
      c.h2.close();
    }
    others.clear();
  }
}
