package io.gatehouse.proxy;

import io.gatehouse.edge.RequestGuard;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.BalancerSet;
import io.gatehouse.upstream.UpstreamClients;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One router: an HTTP server on the node's shared port and the upstream clients of its event loop.
 * A node deploys one instance per event loop; Vert.x spreads accepted connections over them.
 */
public final class RouterVerticle extends VerticleBase {
  private static final byte[] REQUEST_TIMEOUT =
      ("HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
  private static final long LAG_PROBE_MS = 100;

  private final RouterSettings settings;
  private final Map<HttpConnection, ConnectionState> connections = new IdentityHashMap<>();
  private HttpServer server;
  private UpstreamClients clients;
  private RequestGuard guard;
  private BalancerSet balancers = BalancerSet.empty();
  private Balancer defaultBalancer;
  private long lagTimer = -1;
  private long lagExpected;
  private boolean lagging;

  public RouterVerticle(RouterSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    clients = new UpstreamClients(vertx, settings.limits().maxHeaderBytes());
    guard = new RequestGuard(settings.limits());
    defaultBalancer = new Balancer(settings.defaultBackend());
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(settings.host())
            .setPort(settings.port())
            .setMaxHeaderSize(settings.limits().maxHeaderBytes())
            .setMaxInitialLineLength(settings.limits().maxRequestLineBytes())
            .setIdleTimeout((int) settings.limits().keepAliveIdleTimeout().toSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setTcpNoDelay(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            .setHandle100ContinueAutomatically(false)
            .setHttp2ClearTextEnabled(false)
            .setAcceptBacklog(4096);
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(this::onConnection)
            .requestHandler(this::onRequest);
    lagExpected = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LAG_PROBE_MS);
    lagTimer = vertx.setPeriodic(LAG_PROBE_MS, id -> probeLag());
    return server.listen();
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Stops accepting, lets in-flight requests finish up to {@code timeoutMs}, then closes. */
  public Future<Void> drain(long timeoutMs) {
    return server.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> stop() {
    if (lagTimer >= 0) {
      vertx.cancelTimer(lagTimer);
    }
    clients.close();
    return server.close();
  }

  private void probeLag() {
    long now = System.nanoTime();
    lagging = settings.overload().reportLag(lagging, now - lagExpected);
    lagExpected = now + TimeUnit.MILLISECONDS.toNanos(LAG_PROBE_MS);
  }

  private void onConnection(HttpConnection conn) {
    String client = conn.remoteAddress().hostAddress();
    if (!settings.connections().tryAcquire(client)) {
      conn.close();
      return;
    }
    ConnectionState state = new ConnectionState(client);
    connections.put(conn, state);
    armHeaderDeadline(conn, state, settings.limits().headerReadTimeout().toMillis());
    conn.closeHandler(
        v -> {
          connections.remove(conn);
          state.cancelTimer(vertx);
          settings.connections().release(client);
        });
  }

  /**
   * Slowloris defence: the first request head must be complete within the header-read timeout of
   * the accept; a later one within the keep-alive idle time plus that timeout after the previous
   * response, since Vert.x does not report when a head's first byte arrives.
   */
  private void armHeaderDeadline(HttpConnection conn, ConnectionState state, long delayMs) {
    state.cancelTimer(vertx);
    state.timer = vertx.setTimer(delayMs, id -> onHeaderDeadline(conn, state));
  }

  private void onHeaderDeadline(HttpConnection conn, ConnectionState state) {
    state.timer = -1;
    if (state.active > 0) {
      return;
    }
    if (conn instanceof io.vertx.core.net.impl.ConnectionBase base) {
      Channel ch = base.channel();
      ch.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      conn.close();
    }
  }

  private void onRequest(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    ConnectionState state = connections.get(conn);
    if (state != null) {
      state.active++;
      state.cancelTimer(vertx);
    }
    RouteSnapshot snapshot = settings.snapshots().get();
    if (snapshot != null && balancers.snapshot() != snapshot) {
      balancers = balancers.forSnapshot(snapshot);
    }
    new ProxyExchange(this, req, state).start(snapshot, guard);
  }

  void exchangeDone(ConnectionState state, HttpConnection conn) {
    if (state != null && --state.active == 0 && connections.containsKey(conn)) {
      long idle =
          settings.limits().keepAliveIdleTimeout().toMillis()
              + settings.limits().headerReadTimeout().toMillis();
      armHeaderDeadline(conn, state, idle);
    }
  }

  RouterSettings settings() {
    return settings;
  }

  UpstreamClients clients() {
    return clients;
  }

  BalancerSet balancers() {
    return balancers;
  }

  Balancer defaultBalancer() {
    return defaultBalancer;
  }

  io.vertx.core.Vertx vertxInstance() {
    return vertx;
  }

  /** Per-connection bookkeeping, touched only on this verticle's event loop. */
  static final class ConnectionState {
    final String client;
    long timer = -1;
    int active;

    ConnectionState(String client) {
      this.client = client;
    }

    void cancelTimer(io.vertx.core.Vertx vertx) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
