package io.gatehouse.proxy;

import io.gatehouse.edge.CleartextPreface;
import io.gatehouse.edge.Http1KeepAliveGate;
import io.gatehouse.edge.Http2StreamGuard;
import io.gatehouse.edge.RequestGuard;
import io.gatehouse.edge.StrictRequestDecoder;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.tls.KeyMaterialCache;
import io.gatehouse.tls.TlsServerOptions;
import io.gatehouse.upstream.AbortiveClose;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.Balancers;
import io.gatehouse.upstream.SplitPicker;
import io.gatehouse.upstream.UpstreamClients;
import io.gatehouse.vertxinternals.VertxChannels;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One router: an HTTP server on the node's shared port (and, when configured, an HTTPS server on
 * the shared HTTPS port) and the upstream clients of its event loop. A node deploys one instance
 * per event loop; Vert.x spreads accepted connections over them. Both listeners run the same
 * handler; each exchange knows which one it came in on, for the forwarding headers and the 421
 * check.
 */
public final class RouterVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(RouterVerticle.class);

  /** How often deadlines are checked and the event loop's lag is probed. */
  private static final long SWEEP_MS = 100;

  private final RouterSettings settings;
  private final Map<HttpConnection, ConnectionState> connections = new IdentityHashMap<>();

  /** HTTP/2 guards one sweep visits once it has left the connection map; reused. */
  private final ArrayList<Http2StreamGuard> h2Sweep = new ArrayList<>();

  /** Connections one sweep resets once it has left the connection map; reused. */
  private final ArrayList<HttpConnection> closingSweep = new ArrayList<>();

  private HttpServer server;
  private HttpServer httpsServer;
  private HttpServerOptions httpsOptions;
  private KeyMaterialCache keyMaterial;
  private HttpServerOptions options;
  private UpstreamClients clients;
  private RequestGuard guard;
  private final Balancers balancers = new Balancers();
  private final SplitPicker splits = new SplitPicker();
  private Balancer defaultBalancer;

  /** The upstream TLS settings the clients were last retained for (a snapshot's, by identity). */
  private Set<UpstreamTls> upstreamTls;

  private long sweepTimer = -1;
  private long lagExpected;
  private io.gatehouse.edge.OverloadGuard.LoopProbe lagProbe;
  private ProxyExchange live;
  private String localPortText;
  private String httpsPortText;

  public RouterVerticle(RouterSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    clients = new UpstreamClients(vertx, settings.limits().maxHeaderBytes());
    guard = new RequestGuard(settings.limits());
    defaultBalancer = new Balancer(settings.defaultBackend().endpoints());
    options =
        new HttpServerOptions()
            .setHost(settings.host())
            .setPort(settings.port())
            .setMaxHeaderSize(settings.limits().maxHeaderBytes())
            .setMaxInitialLineLength(settings.limits().maxRequestLineBytes())
            .setIdleTimeout((int) settings.limits().keepAliveIdleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setTcpNoDelay(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            .setHandle100ContinueAutomatically(false)
            .setHttp2ClearTextEnabled(settings.http2().cleartext())
            .setInitialSettings(
                new io.vertx.core.http.Http2Settings()
                    .setMaxConcurrentStreams(settings.http2().maxConcurrentStreams())
                    .setInitialWindowSize(settings.http2().streamWindowBytes()))
            .setHttp2ConnectionWindowSize(settings.http2().connectionWindowBytes())
            .setAcceptBacklog(4096)
            .setStrictThreadMode(true);
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(this::onConnection)
            .invalidRequestHandler(this::onInvalidRequest)
            .requestHandler(req -> onRequest(req, false));
    lagProbe = settings.overload().newLoopProbe();
    lagExpected = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SWEEP_MS);
    sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> sweep());
    Future<?> plain =
        server
            .listen()
            .recover(t -> Future.failedFuture(listenFailure(settings.host(), settings.port(), t)))
            .onSuccess(s -> localPortText = Integer.toString(s.actualPort()));
    RouterSettings.TlsListener tls = settings.tls();
    if (tls == null) {
      return plain;
    }
    HttpServerOptions https =
        TlsServerOptions.https(
            new HttpServerOptions(options).setHost(tls.host()).setPort(tls.port()),
            tls.keyManager(),
            tls.engine(),
            name -> {
              RouteSnapshot s = settings.snapshots().get();
              return s != null && s.asksForClientCertificate(name);
            },
            name -> {
              RouteSnapshot s = settings.snapshots().get();
              return s != null && s.asksByWildcardOnly(name);
            });
    httpsOptions = https;
    keyMaterial = tls.engine() == TlsServerOptions.Engine.OPENSSL ? new KeyMaterialCache() : null;
    httpsServer =
        vertx
            .createHttpServer(https)
            .connectionHandler(this::onConnection)
            .invalidRequestHandler(this::onInvalidRequest)
            .requestHandler(req -> onRequest(req, true));
    return plain.compose(
        v ->
            httpsServer
                .listen()
                .recover(t -> Future.failedFuture(listenFailure(tls.host(), tls.port(), t)))
                .onSuccess(s -> httpsPortText = Integer.toString(s.actualPort())));
  }

  /**
   * A bind failure that names the address, and for a port below 1024 the capability it needs (a
   * non-root user gets it only as a file capability on the java binary, as k8s/Dockerfile sets).
   */
  static IllegalStateException listenFailure(String host, int port, Throwable t) {
    String reason = t.getMessage() == null ? t.toString() : t.getMessage();
    String hint =
        port > 0 && port < 1024 && reason.contains("Permission denied")
            ? " (a port below 1024 needs root or the NET_BIND_SERVICE capability, which reaches a"
                + " non-root JVM only as a file capability on the java binary: see k8s/Dockerfile;"
                + " or use a port of 1024 or more)"
            : "";
    return new IllegalStateException(
        "cannot listen on " + host + ":" + port + ": " + reason + hint, t);
  }

  /**
   * Fresh SSL contexts for new HTTPS connections, so OpenSSL's key material cache sheds retired
   * certificates ({@link KeyMaterialCache}); open connections keep their context.
   */
  private Future<Boolean> renewTlsContexts() {
    return httpsServer
        .updateSSLOptions(httpsOptions.getSslOptions(), true)
        .onSuccess(v -> LOG.debug("renewed TLS contexts"))
        .onFailure(t -> LOG.warn("could not renew TLS contexts: {}", t.toString()));
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** The HTTPS port actually bound, or -1 without an HTTPS listener. */
  public int actualHttpsPort() {
    return httpsServer == null ? -1 : httpsServer.actualPort();
  }

  /**
   * Stops accepting, lets in-flight requests finish up to {@code timeoutMs}, then closes. Vert.x
   * closes what is left gracefully, which never ends for a connection whose peer reads nothing, so
   * at the end of the drain those connections (downstream and upstream) are reset; the answer is
   * how many.
   */
  public Future<Integer> drain(long timeoutMs) {
    // A connection cut for misbehaving may be draining its input (lingering close): not for long.
    context.runOnContext(v -> connections.values().forEach(ConnectionState::endLingering));
    Future<Void> plain = server.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
    Future<?> graceful =
        httpsServer == null
            ? plain
            : Future.join(plain, httpsServer.shutdown(timeoutMs, TimeUnit.MILLISECONDS));
    Promise<Integer> reset = Promise.promise();
    graceful.onComplete(ar -> context.runOnContext(v -> reset.complete(resetStuck())));
    return reset.future();
  }

  /** Resets every connection, downstream or upstream, whose peer has not taken our writes. */
  private int resetStuck() {
    int n = 0;
    for (HttpConnection c : connections.keySet().toArray(new HttpConnection[0])) {
      if (AbortiveClose.ifStuck(c)) {
        n++;
      }
    }
    return n + clients.resetStuck();
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    clients.close();
    // Closing waits on each connection's last write: reset any whose peer never takes it.
    resetStuck();
    if (httpsServer == null) {
      return server.close();
    }
    return Future.join(server.close(), httpsServer.close());
  }

  /** Fires passed deadlines of live exchanges and idle connections, and probes loop lag. */
  private void sweep() {
    long now = System.nanoTime();
    long headerReadNanos = settings.limits().headerReadTimeout().toNanos();
    lagProbe.record(now - lagExpected);
    if (keyMaterial != null && keyMaterial.due()) {
      renewTlsContexts();
    }
    lagExpected = now + TimeUnit.MILLISECONDS.toNanos(SWEEP_MS);
    clients.sweep(now);
    for (ProxyExchange e = live; e != null; ) {
      ProxyExchange next = e.next;
      e.checkDeadlines(now);
      e = next;
    }
    if (!connections.isEmpty()) {
      HttpConnection[] expired = null;
      int n = 0;
      for (Map.Entry<HttpConnection, ConnectionState> c : connections.entrySet()) {
        ConnectionState st = c.getValue();
        if (st.h2 != null) {
          // After the loop: a reset or close may close the connection (closeHandler edits the map).
          h2Sweep.add(st.h2);
        }
        if (st.closingSince != 0 && now - st.closingSince >= st.sendLimitNanos) {
          // Closed by us, and the peer has not taken the last bytes for the whole send limit.
          st.closingSince = 0;
          closingSweep.add(c.getKey());
        }
        if (st.active == 0 && !st.timedOut && st.headTimedOut(now, headerReadNanos)) {
          st.headDeadline = 0;
          st.timedOut = true;
          if (expired == null) {
            expired = new HttpConnection[connections.size()];
          }
          expired[n++] = c.getKey();
        }
      }
      for (int i = 0; i < n; i++) {
        requestTimeout(expired[i]);
      }
      for (int i = 0; i < closingSweep.size(); i++) {
        AbortiveClose.now(closingSweep.get(i));
      }
      closingSweep.clear();
      for (int i = 0; i < h2Sweep.size(); i++) {
        h2Sweep.get(i).sweep(now, headerReadNanos);
      }
      h2Sweep.clear();
    }
  }

  void track(ProxyExchange e) {
    e.next = live;
    if (live != null) {
      live.prev = e;
    }
    live = e;
  }

  void untrack(ProxyExchange e) {
    if (e.prev != null) {
      e.prev.next = e.next;
    } else if (live == e) {
      live = e.next;
    }
    if (e.next != null) {
      e.next.prev = e.prev;
    }
    e.prev = null;
    e.next = null;
  }

  /** The HTTPS port redirects name: the configured public one, else the bound one. */
  String redirectPortText() {
    int configured = settings.tls() == null ? 0 : settings.tls().redirectPort();
    return configured > 0 ? Integer.toString(configured) : httpsPortText;
  }

  /** The bound port of the listener an exchange came in on, as X-Forwarded-Port text. */
  String localPortText(boolean tls) {
    return tls ? httpsPortText : localPortText;
  }

  private void onConnection(HttpConnection conn) {
    Channel channel = VertxChannels.channel(conn);
    if (channel != null) {
      // From here on the router's own deadlines apply.
      CleartextPreface.connected(channel);
    }
    String client = conn.remoteAddress().hostAddress();
    if (!settings.connections().tryAcquire(client)) {
      conn.close();
      return;
    }
    ConnectionState state = new ConnectionState(client);
    if (channel != null) {
      // Keeps Content-Length next to Transfer-Encoding so that RequestGuard refuses the pair, and
      // reports when each request head starts.
      state.decoder = StrictRequestDecoder.install(channel, options);
      // HTTP/2: reset streams with malformed fields before they become requests, and idle ones.
      state.h2 = Http2StreamGuard.install(channel);
      if (state.h2 == null && state.decoder != null) {
        // HTTP/1.x: keep-alive idle between requests only (Vert.x closes whatever is in flight).
        Http1KeepAliveGate.install(channel, state);
      }
      if (conn.isSsl()) {
        // A client that leaves Nagle on writes its request right behind its Finished and holds it
        // until that is acknowledged. BoringSSL sends nothing then (its session tickets wait for
        // our first write), so the ACK would be the kernel's delayed one, 40 ms later; quick ACK
        // sends it now. Epoll only; other transports ignore the option.
        channel.config().setOption(io.netty.channel.epoll.EpollChannelOption.TCP_QUICKACK, true);
      }
    }
    // Slowloris defence: the first request head must be complete within the header-read timeout.
    state.headDeadline = System.nanoTime() + settings.limits().headerReadTimeout().toNanos();
    connections.put(conn, state);
    Runnable closed =
        () -> {
          connections.remove(conn);
          settings.connections().release(client);
        };
    if (channel != null) {
      // The channel's own close, not Vert.x's close handler: Vert.x skips that handler when a
      // handler throws at channelInactive (Netty's HTTP/2 handler did, after a lingering close),
      // and a slot that is never given back locks the client's address out.
      channel.closeFuture().addListener(f -> closed.run());
    } else {
      conn.closeHandler(v -> closed.run());
    }
  }

  /**
   * Answers 408 on the channel (there is no request to answer on) and closes. The answer is a Netty
   * response, not raw bytes: the HTTP encoder in the pipeline refuses a bare buffer before a head,
   * and the connection was then closed without the 408.
   */
  private void requestTimeout(HttpConnection conn) {
    ConnectionState state = connections.get(conn);
    if (state != null && state.closingSince == 0) {
      state.closingSince = System.nanoTime();
    }
    Channel ch = VertxChannels.channel(conn);
    if (ch != null) {
      DefaultFullHttpResponse timeout =
          new DefaultFullHttpResponse(
              io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
              HttpResponseStatus.REQUEST_TIMEOUT,
              Unpooled.EMPTY_BUFFER);
      timeout
          .headers()
          .set(HttpHeaderNames.CONTENT_LENGTH, 0)
          .set(HttpHeaderNames.CONNECTION, "close");
      if (settings.server().value() != null) {
        timeout.headers().set(HttpHeaderNames.SERVER, settings.server().value());
      }
      ch.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
    } else {
      conn.close();
    }
  }

  /** Vert.x refused the head itself (431, 414, 400): answer as Vert.x does, and log it. */
  private void onInvalidRequest(HttpServerRequest req) {
    CharSequence server = settings.server().value();
    if (server != null) {
      req.response().headers().set(RouterSettings.ServerHeader.NAME, server);
    }
    HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(req);
    if (settings.accessLog()) {
      Throwable cause = req.decoderResult().cause();
      AccessLog.refused(
          req.response().getStatusCode(),
          cause == null ? "invalid request" : cause.getClass().getSimpleName(),
          req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
    }
  }

  private void onRequest(HttpServerRequest req, boolean tls) {
    HttpConnection conn = req.connection();
    ConnectionState state = connections.get(conn);
    if (state != null) {
      state.active++;
      state.headDeadline = 0;
    }
    CharSequence server = settings.server().value();
    if (server != null) {
      // first, so every answer carries it: proxied, default backend, guard refusals, redirects
      req.response().headers().set(RouterSettings.ServerHeader.NAME, server);
    }
    RouteSnapshot snapshot = settings.snapshots().get();
    if (snapshot != null && snapshot.upstreamTlsSettings() != upstreamTls) {
      // The set keeps its identity while unchanged: clients of a setting no route uses any more go.
      upstreamTls = snapshot.upstreamTlsSettings();
      clients.retain(upstreamTls);
    }
    new ProxyExchange(this, req, state, tls).start(snapshot, guard);
  }

  /**
   * After a response, the next head on a keep-alive connection must be complete within the idle
   * time plus the header-read timeout: Vert.x does not report when a head's first byte arrives.
   */
  void exchangeDone(ConnectionState state, HttpConnection conn) {
    if (state != null && --state.active == 0) {
      state.headDeadline =
          System.nanoTime()
              + settings.limits().keepAliveIdleTimeout().toNanos()
              + settings.limits().headerReadTimeout().toNanos();
    }
  }

  /**
   * Closes a downstream connection the node is done with. Vert.x's close waits for the last bytes
   * to be taken: one whose client takes nothing is reset after the connection's send limit (as
   * nginx's send_timeout, which applies to the last write too).
   */
  void closeConnection(ConnectionState state, HttpConnection conn) {
    if (state != null && state.closingSince == 0) {
      state.closingSince = System.nanoTime();
    }
    conn.close();
  }

  RouterSettings settings() {
    return settings;
  }

  UpstreamClients clients() {
    return clients;
  }

  Balancers balancers() {
    return balancers;
  }

  SplitPicker splits() {
    return splits;
  }

  Balancer defaultBalancer() {
    return defaultBalancer;
  }

  io.vertx.core.Vertx vertxInstance() {
    return vertx;
  }

  /** Per-connection bookkeeping, touched only on this verticle's event loop. */
  static final class ConnectionState implements Http1KeepAliveGate.Exchange {
    final String client;
    long headDeadline;
    int active;
    StrictRequestDecoder decoder;

    /** A WebSocket: the keep-alive idle limit stays its idle limit. */
    boolean tunnel;

    /** The last exchange's limit for a client that reads nothing (its route's bodyIdle). */
    long sendLimitNanos = Timeouts.DEFAULTS.bodyIdle().toNanos();

    /** HTTP/2 only: resets streams that stay idle (null for HTTP/1). */
    Http2StreamGuard h2;

    void endLingering() {
      if (h2 != null) {
        h2.endLingering();
      }
    }

    boolean timedOut;

    /** Since when the node has been closing this connection (0: not closing). */
    long closingSince;

    /** The last client-certificate check on this connection and its verdict (same session). */
    io.gatehouse.snapshot.ClientCertificateCheck certCheck;

    io.gatehouse.snapshot.ClientCertificateCheck.Result certResult;

    /** The session the verdict was made on: a renegotiation makes a new one. */
    javax.net.ssl.SSLSession certSession;

    /** The DNS names of the certificate {@link #servedSession} presented (for 421). */
    java.util.List<String> servedNames;

    javax.net.ssl.SSLSession servedSession;

    /**
     * Whether the head being read is late: from the head's first byte when the decoder reports it,
     * otherwise from the connection's fallback deadline.
     */
    boolean headTimedOut(long now, long headerReadNanos) {
      long started = decoder == null ? 0 : decoder.headStartedNanos();
      if (started != 0 && now - started >= headerReadNanos) {
        return true;
      }
      return headDeadline != 0 && now - headDeadline >= 0;
    }

    ConnectionState(String client) {
      this.client = client;
    }

    @Override
    public boolean requestInFlight() {
      return (active > 0 && !tunnel) || (decoder != null && decoder.headStartedNanos() != 0);
    }

    @Override
    public long sendLimitNanos() {
      return sendLimitNanos;
    }
  }
}
