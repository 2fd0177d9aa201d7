package io.gatehouse.proxy;

import io.gatehouse.acme.HttpChallenges;
import io.gatehouse.edge.CleartextPreface;
import io.gatehouse.edge.Http1KeepAliveGate;
import io.gatehouse.edge.Http2StreamGuard;
import io.gatehouse.edge.RequestGuard;
import io.gatehouse.edge.StrictRequestDecoder;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.FrontendValidation;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.tls.ClientCertificateRequests;
import io.gatehouse.tls.KeyMaterialCache;
import io.gatehouse.tls.SniKeyManager;
import io.gatehouse.tls.TlsServerOptions;
import io.gatehouse.upstream.Balancers;
import io.gatehouse.upstream.SplitPicker;
import io.gatehouse.upstream.UpstreamClients;
import io.gatehouse.vertxinternals.NettyTlsSessions;
import io.gatehouse.vertxinternals.VertxChannels;
import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

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
  private final Connections connections;
  private final LiveExchanges live = new LiveExchanges();

  // The fields marked NullAway.Init are set in start(), on every path and before either listener
  // accepts a connection; Vert.x calls no other method of a verticle before start().
  @SuppressWarnings("NullAway.Init")
  private HttpServer server;

  private @Nullable HttpServer httpsServer;
  private @Nullable HttpServerOptions httpsOptions;
  private @Nullable KeyMaterialCache keyMaterial;

  @SuppressWarnings("NullAway.Init")
  private HttpServerOptions options;

  @SuppressWarnings("NullAway.Init")
  private UpstreamClients clients;

  @SuppressWarnings("NullAway.Init")
  private RequestGuard guard;

  /** What this loop's exchanges get; made at start, once the upstream clients exist. */
  @SuppressWarnings("NullAway.Init")
  private LoopServices loop;

  /** The snapshot this loop serves and the state derived from it; read and written on the loop. */
  @SuppressWarnings("NullAway.Init")
  private LoopState serving;

  /** Hands this loop each published snapshot; closed when the verticle stops. */
  @SuppressWarnings("NullAway.Init")
  private SnapshotHolder.Subscription adoption;

  /** This loop's servers of Gateway listeners ({@link #listenGateway}); touched on its context. */
  private final Set<HttpServer> gatewayServers = new HashSet<>();

  private long sweepTimer = -1;
  private long lagExpected;

  @SuppressWarnings("NullAway.Init")
  private io.gatehouse.edge.OverloadGuard.LoopProbe lagProbe;

  /** Vert.x shares a random port among servers listening on the same negative port. */
  private static final int SHARED_RANDOM_HTTP = -1;

  private static final int SHARED_RANDOM_HTTPS = -2;

  public RouterVerticle(RouterSettings settings) {
    this.settings = settings;
    this.connections = new Connections(settings);
  }

  @Override
  public Future<?> start() {
    clients = new UpstreamClients(vertx, settings.limits().maxHeaderBytes());
    guard = new RequestGuard(settings.edgeLimits());
    loop = new LoopServices(settings, vertx, clients, live, connections);
    serving =
        new LoopState(new SplitPicker(), new Balancers(settings.balancing()), clients::retain);
    // Subscribe, then adopt the newest: a snapshot published in between comes again (kept once).
    SnapshotHolder snapshots = settings.snapshots();
    adoption = snapshots.subscribe(task -> context.runOnContext(v -> task.run()), this::adopt);
    adopt(snapshots.latest());
    options =
        new HttpServerOptions()
            .setHost(settings.host())
            .setPort(listenPort(settings.port(), SHARED_RANDOM_HTTP))
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
            .setStrictThreadMode(true)
            // PROXY protocol (off by default): a connection without a valid header in time is
            // closed by Vert.x; edge.ProxyProtocolGate checks who sent it.
            .setUseProxyProtocol(settings.proxyProtocol().http())
            .setProxyProtocolTimeout(settings.proxyProtocol().headerTimeoutMillis())
            .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
    server = newServer(options, false, RouteSnapshot.OWN_LISTENERS);
    lagProbe = settings.overload().newLoopProbe();
    lagExpected = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SWEEP_MS);
    sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> sweep());
    Future<?> plain =
        server
            .listen()
            .onFailure(t -> adoption.close())
            .recover(t -> Future.failedFuture(listenFailure(settings.host(), settings.port(), t)))
            .onSuccess(s -> loop.listening(false, s.actualPort()));
    RouterSettings.TlsListener tls = settings.tls();
    if (tls == null) {
      return plain;
    }
    HttpServerOptions https =
        TlsServerOptions.https(
            new HttpServerOptions(options)
                .setHost(tls.host())
                .setPort(listenPort(tls.port(), SHARED_RANDOM_HTTPS))
                .setUseProxyProtocol(settings.proxyProtocol().https()),
            tls.keyManager(),
            tls.engine(),
            tls.policy(),
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
    HttpServer secure = newServer(https, true, RouteSnapshot.OWN_LISTENERS);
    httpsServer = secure;
    return plain.compose(
        v ->
            secure
                .listen()
                .onFailure(t -> adoption.close())
                .recover(t -> Future.failedFuture(listenFailure(tls.host(), tls.port(), t)))
                .onSuccess(s -> loop.listening(true, s.actualPort())));
  }

  /**
   * A server with the router's handlers: the node's own listeners and every Gateway listener alike;
   * {@code listener} is the snapshot slot whose routes its requests are matched against.
   */
  private HttpServer newServer(HttpServerOptions opts, boolean tls, int listener) {
    return vertx
        .createHttpServer(opts)
        .connectionHandler(this::onConnection)
        .invalidRequestHandler(this::onInvalidRequest)
        .requestHandler(req -> onRequest(req, tls, listener));
  }

  /**
   * Binds a Gateway listener on this loop: the node's own plain (or, for {@code https}, TLS)
   * listener's options and handlers at {@code host:port}, serving the routes of snapshot slot
   * {@code listener}. Every router binds the same address, so Vert.x spreads its connections over
   * the event loops as on the node's own ports. Fails for HTTPS on a node without a TLS listener
   * (there is no certificate to serve).
   *
   * @param defaultCertificate HTTPS: the table certificate a handshake gets where the node's
   *     listener would serve its default ({@link SniKeyManager#withFallback}); null for the node's
   * @param clientValidation HTTPS: the client certificates every handshake checks (Gateway API
   *     {@code spec.tls.frontend}); null for none
   */
  public Future<HttpServer> listenGateway(
      String host,
      int port,
      boolean https,
      int listener,
      @Nullable CertificateKey defaultCertificate,
      @Nullable FrontendValidation clientValidation) {
    Promise<HttpServer> bound = Promise.promise();
    context.runOnContext(
        v -> {
          HttpServerOptions base = https ? httpsOptions : options;
          if (base == null) {
            bound.fail(
                new IllegalStateException(
                    "an HTTPS listener needs the node's TLS listener (tls.enabled)"));
            return;
          }
          HttpServerOptions opts = new HttpServerOptions(base).setHost(host).setPort(port);
          RouterSettings.TlsListener tls = settings.tls();
          if (https && defaultCertificate != null && tls != null) {
            // its own key manager object: Vert.x keeps one SSL context per distinct key options
            opts.setKeyCertOptions(
                KeyCertOptions.wrap(tls.keyManager().withFallback(defaultCertificate)));
          }
          if (https && clientValidation != null) {
            ClientCertificateRequests.SocketTrust trust =
                ClientCertificateRequests.socketTrust(clientValidation);
            if (trust == null) {
              // validated before it reached the table; never serve the socket without the check
              bound.fail(
                  new IllegalStateException("clientValidation: the CA bundle does not parse"));
              return;
            }
            opts.setTrustOptions(trust);
            opts.setClientAuth(trust.clientAuth());
            opts.setSslEngineOptions(
                ClientCertificateRequests.forSocketTrust(
                    Objects.requireNonNull(opts.getSslEngineOptions(), "sslEngineOptions")));
          }
          HttpServer s = newServer(opts, https, listener);
          s.listen()
              .onSuccess(
                  x -> {
                    gatewayServers.add(s);
                    bound.complete(s);
                  })
              .onFailure(t -> bound.fail(listenFailure(host, port, t)));
        });
    return bound.future();
  }

  /**
   * Stops accepting on a Gateway listener's server of this loop and lets its connections finish
   * within {@code timeoutMs} (the node drain's rule), then closes it.
   */
  public Future<Void> closeGateway(HttpServer s, long timeoutMs) {
    Promise<Void> closed = Promise.promise();
    context.runOnContext(
        v -> {
          gatewayServers.remove(s);
          s.shutdown(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> closed.complete());
        });
    return closed.future();
  }

  /**
   * The port to listen on: a configured port 0 becomes a negative one, which Vert.x binds once to a
   * random port shared by every router (one per event loop). With 0 each router bound a random port
   * of its own: N listeners nobody asked for, of which the node reported one, so only one event
   * loop ever served.
   */
  static int listenPort(int configured, int sharedRandom) {
    return configured == 0 ? sharedRandom : configured;
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
    // Only with key material, which start() sets with the HTTPS server and its options.
    return Objects.requireNonNull(httpsServer, "httpsServer")
        .updateSSLOptions(
            Objects.requireNonNull(httpsOptions, "httpsOptions").getSslOptions(), true)
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
    context.runOnContext(v -> connections.endLingering());
    List<Future<?>> shutdowns = new ArrayList<>();
    shutdowns.add(server.shutdown(timeoutMs, TimeUnit.MILLISECONDS));
    if (httpsServer != null) {
      shutdowns.add(httpsServer.shutdown(timeoutMs, TimeUnit.MILLISECONDS));
    }
    Promise<Void> gateways = Promise.promise();
    context.runOnContext(
        v -> {
          List<Future<?>> g = new ArrayList<>();
          for (HttpServer s : gatewayServers) {
            g.add(s.shutdown(timeoutMs, TimeUnit.MILLISECONDS));
          }
          Future.join(g).onComplete(ar -> gateways.complete());
        });
    shutdowns.add(gateways.future());
    Future<?> graceful = Future.join(shutdowns);
    Promise<Integer> reset = Promise.promise();
    graceful.onComplete(ar -> context.runOnContext(v -> reset.complete(resetStuck())));
    return reset.future();
  }

  /** Resets every connection, downstream or upstream, whose peer has not taken our writes. */
  private int resetStuck() {
    return connections.resetStuck() + clients.resetStuck();
  }

  @Override
  public Future<?> stop() {
    if (adoption != null) {
      // A loop that is gone must not hold up "served".
      adoption.close();
    }
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    clients.close();
    loop.encoders().close();
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
    live.sweep(now);
    connections.sweep(now, headerReadNanos);
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
    connections.opened(conn, state);
    boolean tls = conn.isSsl();
    ExchangeObserver observer = settings.observer();
    observer.connectionOpened(tls);
    if (tls && channel != null && observer != ExchangeObserver.NONE) {
      // Vert.x hands over a TLS connection once its handshake is done.
      String version = NettyTlsSessions.version(channel);
      if (version != null) {
        observer.tlsHandshake(version, NettyTlsSessions.resumed(channel));
      }
    }
    Runnable closed =
        () -> {
          connections.closed(conn);
          settings.connections().release(client);
          observer.connectionClosed(tls);
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

  /** Vert.x refused the head itself (431, 414, 400): answer as Vert.x does, and log it. */
  private void onInvalidRequest(HttpServerRequest req) {
    CharSequence server = settings.server().value();
    if (server != null) {
      req.response().headers().set(RouterSettings.ServerHeader.NAME, server);
    }
    HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(req);
    // On the gatehouse.access logger, whose level follows log.access (and its reloads).
    if (AccessLog.enabled()) {
      Throwable cause = req.decoderResult().cause();
      AccessLog.refused(
          req.response().getStatusCode(),
          cause == null ? "invalid request" : cause.getClass().getSimpleName(),
          req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
    }
  }

  /** On this loop: serve {@code snapshot} from the next request on. */
  private void adopt(@Nullable RouteSnapshot snapshot) {
    serving = serving.adopt(snapshot);
  }

  private void onRequest(HttpServerRequest req, boolean tls, int listener) {
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
    if (!tls && req.method() == HttpMethod.GET) {
      // ACME HTTP-01 before route matching; one prefix check for every other path
      String keyAuthorization = HttpChallenges.answer(settings.challenges(), req.path());
      if (keyAuthorization != null) {
        answerChallenge(req, state, keyAuthorization);
        return;
      }
    }
    new ProxyExchange(loop, req, state, tls, listener).start(serving, guard);
  }

  /**
   * 200 text/plain with the key authorization (RFC 8555 section 8.3); the connection stays open.
   */
  private void answerChallenge(
      HttpServerRequest req, @Nullable ConnectionState state, String keyAuthorization) {
    HttpConnection conn = req.connection();
    req.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
        .end(keyAuthorization)
        .onComplete(ar -> connections.exchangeDone(state, conn, System.nanoTime()));
  }
}
