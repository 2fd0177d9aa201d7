package io.gatehouse.proxy;

import io.gatehouse.edge.ClientAddresses;
import io.gatehouse.edge.GuardResult;
import io.gatehouse.edge.QueryParams;
import io.gatehouse.edge.Refusal;
import io.gatehouse.edge.RequestGuard;
import io.gatehouse.edge.RequestHead;
import io.gatehouse.encoding.BodyEncoder;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.fallback.ErrorPages;
import io.gatehouse.health.OutlierDetector;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.gatehouse.policy.AdmissionFilter;
import io.gatehouse.policy.BodyLimitFilter;
import io.gatehouse.policy.ClientCertificateCheck;
import io.gatehouse.policy.ConnectionMemo;
import io.gatehouse.policy.ErrorPageSet;
import io.gatehouse.policy.HeaderEdits;
import io.gatehouse.policy.IpAccessFilter;
import io.gatehouse.policy.PolicyChain;
import io.gatehouse.policy.PolicyCompiler;
import io.gatehouse.policy.RequestContext;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.ListenerHostnames;
import io.gatehouse.snapshot.Mirror;
import io.gatehouse.snapshot.RequestView;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.Target;
import io.gatehouse.tls.MisdirectedRequests;
import io.gatehouse.tls.TlsPolicy;
import io.gatehouse.upstream.AbortiveClose;
import io.gatehouse.upstream.BackendLimits;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.Http1Connections;
import io.gatehouse.upstream.PickRequest;
import io.gatehouse.upstream.ProxyHeader;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * One request through the proxy: check, route, pick an endpoint, stream the request up and the
 * response down with back-pressure, and map failures to 502/503/504. Lives on one event loop.
 *
 * <p>Timeouts are not timers: the verticle's sweep ({@link #checkDeadlines}) looks at every live
 * exchange a few times a second, which costs nothing per request; the deadlines and their check are
 * {@link SlowClientDeadlines}, the header rules {@link HeaderRules}, the endpoint pick, connect and
 * retry {@link UpstreamAttempt}.
 */
final class ProxyExchange extends UpstreamAttempt
    implements RequestView, RequestContext, HeaderEdits, PickRequest {
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized(ErrorPages.REQUEST_ID);
  private static final CharSequence GRPC_TIMEOUT = HttpHeaders.createOptimized("grpc-timeout");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence OVERFLOW = HttpHeaders.createOptimized("x-gatehouse-overflow");

  /** The largest retried answer drained to keep its HTTP/1 connection; a larger one is closed. */
  private static final long DRAIN_BYTES = 64 * 1024;

  private final HttpServerRequest req;
  private final HttpServerResponse resp;
  private final @Nullable ConnectionState connState;
  private final HttpConnection conn;
  private final boolean tls;

  /** The slot of the listener that accepted the connection: its routes alone are matched. */
  private final int listenerSlot;

  private final long startNanos = System.nanoTime();

  // Set first thing in start(), which the verticle calls right after the constructor.
  @SuppressWarnings("NullAway.Init")
  private LoopState state;

  /** The real client ({@link ClientAddresses}), once resolved; null until asked. */
  private @Nullable String client;

  /** The head the guard accepted; null for a request it refused. */
  private @Nullable RequestHead head;

  private @Nullable CompiledRoute route;

  // Set in start() before anything can read it, the guard's refusal included.
  @SuppressWarnings("NullAway.Init")
  private String requestId;

  private ClientCertificateCheck.@Nullable Result clientCertificate;

  /** A suspended admission filter's place in the chain; null when none is pending. */
  private @Nullable Suspension suspended;

  /** What access filters left for later stages; null until one does (most requests never). */
  private @Nullable AccessEffects access;

  /** The Location of an admission filter's 3xx verdict. */
  private @Nullable String redirectLocation;

  /** A rewrite's request target and host for every upstream attempt; null keeps the client's. */
  private @Nullable String rewrittenTarget;

  private @Nullable String rewrittenHost;

  /** The headers a policy stage edits, while it runs (this exchange is its {@link HeaderEdits}). */
  private @Nullable MultiMap edited;

  /** The proxied response's Content-Length while the response filters run; -1 when none. */
  private long responseLength = -1;

  /**
   * The encoder a compression policy chose for the proxied body, else null; a lease from the loop's
   * pool, given back at the body's end, at finish, or when a local answer replaces the body.
   */
  private @Nullable BodyEncoder encoder;

  /** The route's mirrors the admission filters chose for this request, by position (bits). */
  private int mirrorMask;

  /** This request's copies until they are sent, else null (every request a mirror skipped). */
  private @Nullable Mirroring mirroring;

  /**
   * The headers every upstream request of a mirrored request gets, built once (the proxy's header
   * rules, then the route's upstream filters) before the first attempt: the primary's attempts and
   * the copies each add them to their own request. Null for a request without copies, whose
   * attempts build straight into their request (no map in between).
   */
  private @Nullable MultiMap upstreamHeaders;

  private Timeouts timeouts = Timeouts.DEFAULTS;
  private long maxBody;
  private boolean websocket;
  private @Nullable HttpClientResponse upstreamResponse;
  private boolean requestSent;
  private boolean upstreamEnded;
  private long bytesIn;
  private long bytesOut;
  private boolean finished;
  private boolean closeAfterEnd;
  private boolean answeredLocally;
  private boolean grpc;
  private int status;

  /** The circuit-breaker limit that refused this request (access log), or null. */
  private BackendLimits.@Nullable Limit overflow;

  /** The body pump started: some of the body may have gone to an attempt. */
  private boolean bodyPumped;

  /** Set once an answer's error page was looked up: a page is never replaced, or fetched, twice. */
  private boolean noErrorPage;

  /** The node's observers; {@link ExchangeObserver#NONE} costs one comparison per hook. */
  private final ExchangeObserver observer;

  /** What the observers read; made only when there are observers. */
  private @Nullable View view;

  /** The observer's slot ({@link ExchangeView#observation}). */
  private @Nullable Object observation;

  private @Nullable String traceId;

  /** When {@link #finish} ran (System.nanoTime), for the observers; 0 before. */
  private long endNanos;

  /**
   * When the attempt being reported ended: the caller's clock reading, or read on the first
   * observer's ask (0 until then).
   */
  private long attemptEndNanos;

  /** The last upstream answer's status ({@link ExchangeView#upstreamStatus}); 0 for none. */
  private int lastUpstreamStatus;

  ProxyExchange(
      LoopServices loop,
      HttpServerRequest req,
      @Nullable ConnectionState connState,
      boolean tls,
      int listener) {
    super(loop);
    this.tls = tls;
    this.listenerSlot = listener;
    this.req = req;
    this.resp = req.response();
    this.connState = connState;
    this.conn = req.connection();
    this.observer = loop.settings().observer();
  }

  void start(LoopState state, RequestGuard guard) {
    this.state = state;
    RouteSnapshot snapshot = state.snapshot();
    RouterSettings s = loop.settings();
    s.inFlight().begin();
    loop.live().track(this);
    req.pause();
    // Vert.x also calls the end handler of a response whose stream was reset or closed before it
    // ended (first, before the close handler): that is the client leaving, and the upstream
    // exchange must be reset (a cancelled gRPC call used to stay open upstream).
    resp.endHandler(v -> onDownstreamClosed());
    resp.closeHandler(v -> onDownstreamClosed());

    GuardResult checked = guard.check(req);
    if (checked instanceof Refusal r) {
      requestId = RequestIds.acceptOrGenerate(req.getHeader(ErrorPages.REQUEST_ID));
      observeStart();
      respondLocally(r.status(), true);
      return;
    }
    head = (RequestHead) checked;
    requestId = RequestIds.acceptOrGenerate(head.requestId());
    observeStart();
    IpAccessFilter nodeAccess = s.nodeAccess().filter();
    if (nodeAccess != null && !nodeAccess.admits(clientAddress())) {
      respondLocally(403, false); // the node's own deny or allow list, before any route is read
      return;
    }
    grpc = GrpcReplies.isGrpc(req.getHeader(HttpHeaders.CONTENT_TYPE));
    ListenerHostnames listeners =
        tls && snapshot != null ? snapshot.listenerHostnames(listenerSlot) : ListenerHostnames.NONE;
    if (tls && misdirectedByCertificate(listeners, head.host())) {
      respondLocally(421, false);
      return;
    }
    RouterSettings.TlsListener listener = s.tls();
    if (tls && listener != null && refusedByMinimumVersion(listener.policy(), head.host())) {
      // A host that requires TLS 1.3 reached over TLS 1.2 without its SNI name (no SNI, or HTTP/2
      // coalescing): the handshake could not refuse it, so the request is refused here.
      respondLocally(421, false);
      return;
    }
    if (s.overload().shedding() || snapshot == null) {
      noErrorPage = true; // shedding load: no fetch, Gatehouse's own page
      respondLocally(503, false);
      return;
    }
    if (tls && misdirectedOnSocket(listeners, head.host())) {
      respondLocally(421, false); // its Host belongs to another listener of the socket than its SNI
      return;
    }
    route = snapshot.match(listenerSlot, head.host(), head.path(), this);
    PolicyChain policies;
    if (route == null) {
      policies = PolicyCompiler.defaultBackend();
      maxBody = Limits.DEFAULT_MAX_REQUEST_BODY;
    } else {
      policies = route.policies();
      timeouts = route.spec().timeouts();
      maxBody = route.spec().limits().maxRequestBodyBytes();
    }
    // Admission before any pick: a request answered here (redirect, 403, 421, 413) takes no turn
    // of the split or of the balancer.
    admitFrom(policies, 0);
  }

  /**
   * Runs the admission filters from {@code from}; answers a verdict, waits for a suspended filter's
   * {@link #resume}, or goes on to the pick and the upstream.
   */
  private void admitFrom(PolicyChain policies, int from) {
    int verdict = policies.admitFrom(this, from);
    if (verdict < AdmissionFilter.SUSPEND) {
      suspended = new Suspension(policies, PolicyChain.suspendedAt(verdict) + 1);
      // The route's whole-request limit bounds the wait too (504), whatever the filter does.
      armRequest(startNanos, timeouts.request().toNanos(), false, -1);
      return;
    }
    if (verdict != AdmissionFilter.PROCEED) {
      answerAdmission(verdict);
      return;
    }
    admitted();
  }

  @Override
  public void resume(int verdict) {
    Suspension s = suspended;
    if (s == null || s.resumed) {
      return; // only the first call counts
    }
    if (Thread.currentThread() != s.loopThread) {
      s.context.runOnContext(v -> resume(verdict));
      return;
    }
    s.resumed = true;
    suspended = null;
    disarmRequest(); // armed again, as for any request, once admission is done
    if (finished || answeredLocally) {
      return; // the client left, or the request was answered, while the filter worked
    }
    if (verdict == AdmissionFilter.PROCEED) {
      admitFrom(s.policies, s.next);
    } else {
      answerAdmission(verdict);
    }
  }

  /** After every admission filter let the request through: pick, connect, send. */
  private void admitted() {
    LoopState state = this.state;
    if (!pick(state, route, this)) {
      // no endpoint: 503; a backend that did not resolve answers its own status (Gateway API: 500)
      Target picked = target;
      respondLocally(picked != null && picked.fixed() ? picked.status() : 503, false);
      return;
    }
    websocket = isWebSocketUpgrade();
    if (websocket && connState != null) {
      connState.tunnel = true;
    }
    if (!websocket
        && !admitToBackend(
            route == null ? null : route.policies().retry(), head().contentLength())) {
      return;
    }
    if (mirrorMask != 0 && !websocket) {
      openMirrors(state);
    }
    // The picked backend's own rewrite, after the copies took the route's: they do not go to it.
    int verdict = backendFilters().admit(this);
    if (verdict != AdmissionFilter.PROCEED) {
      answerAdmission(verdict);
      return;
    }
    armRequest(
        startNanos,
        timeouts.request().toNanos(),
        websocket,
        grpc ? GrpcReplies.timeoutNanos(req.getHeader(GRPC_TIMEOUT)) : -1);
    if (req.version() == HttpVersion.HTTP_2) {
      // After the rest of this read: a stream its client resets in the same read (rapid reset,
      // HEADERS then RST_STREAM) has ended by then and opens no upstream connection. Connecting at
      // once cost one upstream connection per reset stream, 200 per attacking connection.
      loop.vertx().getOrCreateContext().runOnContext(v -> connectUnlessFinished());
      return;
    }
    connect();
  }

  /**
   * Answers an admission filter's verdict: a 3xx with the location the filter set, a 2xx without a
   * body (with the headers the filter added), a 413 with the connection closed (its body is
   * unread), any other status as it is.
   */
  private void answerAdmission(int verdict) {
    if (verdict >= 300 && verdict < 400 && redirectLocation != null) {
      answerWithoutBody(verdict, redirectLocation);
    } else if (verdict >= 200 && verdict < 300) {
      answerWithoutBody(verdict, null); // a CORS preflight, with the headers its filter added
    } else {
      respondLocally(verdict, verdict == BodyLimitFilter.PAYLOAD_TOO_LARGE);
    }
  }

  /** Whether the host requires a newer TLS version than this connection negotiated. */
  private boolean refusedByMinimumVersion(TlsPolicy policy, @Nullable String host) {
    if (policy.tls13Hosts().isEmpty()) {
      return false;
    }
    SSLSession session = conn.sslSession();
    return policy.refuses(host, session == null ? null : session.getProtocol());
  }

  /**
   * Whether the request's Host is not covered by the certificate the connection was served. On a
   * Gateway socket shared by listeners, a session whose served names are not known (none read from
   * it) gives no verdict: the listener rule ({@link #misdirectedOnSocket}) decides there.
   */
  private boolean misdirectedByCertificate(ListenerHostnames listeners, @Nullable String host) {
    List<String> served = servedNames();
    if (served.isEmpty() && !listeners.isEmpty()) {
      return false;
    }
    return MisdirectedRequests.misdirected(served, conn.indicatedServerName(), host);
  }

  /**
   * Whether the request's Host belongs to another of the socket's Gateway listeners than the
   * connection's SNI name (the most specific hostname match of each, the listener without a
   * hostname taking the rest). No SNI name: no listener was chosen, nothing to compare. The SNI
   * name's listener is kept with the connection, so an ordinary request allocates nothing.
   */
  private boolean misdirectedOnSocket(ListenerHostnames names, @Nullable String host) {
    if (names.isEmpty() || host == null) {
      return false;
    }
    ConnectionState c = connState;
    int sniListener;
    if (c != null && c.sniHostnames == names) {
      sniListener = c.sniListener;
    } else {
      String sni = MisdirectedRequests.sniHost(conn.indicatedServerName());
      if (sni == null) {
        return false;
      }
      sniListener = names.listenerOf(sni);
      if (c != null) {
        c.sniHostnames = names;
        c.sniListener = sniListener;
      }
    }
    return names.listenerOf(host) != sniListener;
  }

  /**
   * The DNS names of the certificate this connection's handshake got, read once per session: a
   * certificate swapped in since then does not change what the client verified.
   */
  private java.util.List<String> servedNames() {
    SSLSession session = conn.sslSession();
    if (connState == null) {
      return MisdirectedRequests.dnsNames(session);
    }
    if (connState.servedSession != session || connState.servedNames == null) {
      connState.servedNames = MisdirectedRequests.dnsNames(session);
      connState.servedSession = session;
    }
    return connState.servedNames;
  }

  // ---------------------------------------------------------------- mirrors

  /**
   * Makes the copies the admission filters chose: each takes a place of its mirror (else it is
   * dropped as busy), unless its mirror rests (a copy could not connect lately) or its body is
   * declared larger than its limit. They get the headers the primary gets, built once here with the
   * route's upstream filters ({@link #upstreamHeaders}, which the primary's attempts take too), and
   * are sent when the request has gone whole to the primary.
   */
  private void openMirrors(LoopState state) {
    List<Mirror> all = routed().mirrors();
    boolean body = bodyFollows();
    MirrorRequest[] copies = new MirrorRequest[Integer.bitCount(mirrorMask)];
    int n = 0;
    MultiMap headers = null;
    long now = System.nanoTime();
    for (int j = 0; j < all.size(); j++) {
      if ((mirrorMask & (1 << j)) == 0) {
        continue;
      }
      Mirror m = all.get(j);
      if (m.resting(now)) {
        m.record(Mirror.Outcome.DROPPED_DOWN);
        continue;
      }
      boolean withBody = body && m.spec().requestBody();
      if (withBody && head().contentLength() > m.spec().maxBodyBytes()) {
        m.record(Mirror.Outcome.DROPPED_TOO_LARGE);
        continue;
      }
      if (!m.tryAcquire()) {
        m.record(Mirror.Outcome.DROPPED_BUSY);
        continue;
      }
      if (headers == null) {
        headers = buildUpstreamHeaders();
        upstreamHeaders = headers;
      }
      String host = m.spec().hostname() != null ? m.spec().hostname() : rewrittenHost;
      ProxyProtocolVersion sends = m.target().proxyProtocol();
      copies[n++] =
          new MirrorRequest(
              loop,
              m,
              req.method(),
              upstreamUri(),
              headers,
              host != null
                  ? HostAndPort.create(host, -1)
                  : head().authority() != null ? clientAuthority() : null,
              timeouts,
              routed().id(),
              withBody,
              sends == null ? null : proxyHeader(sends));
    }
    if (n > 0) {
      mirroring = new Mirroring(state.balancers(), copies, n, body);
    }
  }

  /**
   * What the primary backend gets: the copied headers, then the route's upstream filters. Shared by
   * the primary and its copies rather than built for each: nothing it is built from changes from
   * one attempt to the next (the request's head, client address, listener, request id and client
   * certificate; the filters read only those and the route), and each request copies it into its
   * own headers, which Vert.x and the proxy then edit (framing, TE, the marker, Host) on that
   * request only.
   */
  private MultiMap buildUpstreamHeaders() {
    MultiMap h = HttpHeaders.headers();
    writeUpstreamHeaders(h, routed().policies());
    return h;
  }

  /** The picked backend's own filters (Gateway API filters on a backendRef); NONE for none. */
  private PolicyChain backendFilters() {
    Target t = target;
    return t == null ? PolicyChain.NONE : t.filters();
  }

  /** The copied request headers into {@code into}, then {@code policies}' upstream filters. */
  private void writeUpstreamHeaders(MultiMap into, @Nullable PolicyChain policies) {
    HeaderRules.copyRequest(
        head(),
        req.headers(),
        into,
        loop.settings().trustedProxies(),
        peer(),
        clientAddress(),
        tls,
        loop.localPortText(tls),
        requestId,
        clientCertificate,
        connState == null ? null : connState.forwarded);
    if (access != null) {
      access.applyUpstream(into);
    }
    if (policies != null && policies.editsUpstreamRequests()) {
      edited = into;
      policies.onUpstreamRequest(this, this);
      edited = null;
    }
  }

  // ---------------------------------------------------------------- deadlines

  /** Called by the loop's sweep ({@link LiveExchanges}); fires whichever deadline has passed. */
  @Override
  void checkDeadlines(long now) {
    if (finished) {
      return;
    }
    Expired expired = check(now, timeouts);
    if (expired == Expired.NONE) {
      return;
    }
    if (expired == Expired.REQUEST) {
      respondLocally(504, true);
    } else if (expired == Expired.BODY_IDLE) {
      respondLocally(408, true);
    } else if (expired == Expired.UPSTREAM_IDLE) {
      onUpstreamFailure(new TimeoutException("upstream response timeout"));
    } else {
      // The client has read nothing for the whole limit: drop it and release the upstream. Over
      // HTTP/1 the connection goes too, reset: a graceful close would wait on that same client.
      abort();
      if (req.version() != HttpVersion.HTTP_2) {
        AbortiveClose.now(conn);
      }
    }
  }

  // ---------------------------------------------------------------- upstream

  private void maybeReleaseAfterSuccess() {
    if (lease != null && finished && upstreamEnded) {
      releaseLease(requestSent && !answeredLocally);
    }
  }

  @Override
  void onConnected(HttpClientRequest up) {
    upstream = up;
    if (upstreamHeaders != null) {
      up.headers().addAll(upstreamHeaders); // built once with the copies' (openMirrors)
    } else {
      writeUpstreamHeaders(up.headers(), route == null ? null : route.policies());
    }
    PolicyChain own = backendFilters();
    if (own.editsUpstreamRequests()) {
      // the backend's own header edits, after the route's, on what this backend alone gets
      edited = up.headers();
      own.onUpstreamRequest(this, this);
      edited = null;
    }
    if (view != null) {
      observer.attemptSending(view, up.headers());
    }
    Trailers.forwardTe(req, up);
    if (rewrittenHost != null) {
      up.authority(HostAndPort.create(rewrittenHost, -1));
    } else if (head().authority() != null) {
      up.authority(clientAuthority());
    }
    // Callbacks of an attempt that was retried must not touch the exchange any more.
    up.exceptionHandler(
        t -> {
          if (upstream == up) {
            onUpstreamFailure(t);
          }
        });
    if (websocket) {
      WebSocketTunnel.open(
          this, req, resp, up, Objects.requireNonNull(head().upgrade(), "a WebSocket upgrade"));
      return;
    }
    armTryTimer();
    up.response()
        .onComplete(
            ar -> {
              if (upstream != up) {
                return;
              }
              if (ar.succeeded()) {
                onUpstreamResponse(ar.result());
              } else {
                onUpstreamFailure(ar.cause());
              }
            });
    long contentLength = head().contentLength();
    Buffer replay = retry != null && bodyPumped ? retry.replayBody() : null;
    if (replay != null) {
      // A retry of a request whose body was read whole: the kept copy, framed by its length.
      up.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(replay.length()));
      up.end(replay);
      requestSent = true;
      upstreamAwaitedSince(System.nanoTime());
      return;
    }
    if (!bodyFollows()) {
      // No body: end without one, so the client does not add Transfer-Encoding. A retry's request
      // has ended already; resuming an ended HTTP/2 request throws.
      if (!req.isEnded()) {
        req.resume();
      }
      up.end();
      requestSent = true;
      upstreamAwaitedSince(System.nanoTime());
      if (mirroring != null) {
        mirroring.requestSent();
      }
      return;
    }
    if (contentLength > 0) {
      up.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(contentLength));
    } else {
      up.setChunked(true);
    }
    if (head().expectContinue()) {
      // Our checks passed: invite the body now rather than make the upstream decide.
      resp.writeContinue();
    }
    pumpRequestBody(up);
  }

  private void pumpRequestBody(HttpClientRequest up) {
    bodyPumped = true;
    RetryState kept = retry;
    up.setWriteQueueMaxSize(loop.settings().limits().writeQueueBytes());
    bodyReadAt(System.nanoTime());
    req.handler(
        buf -> {
          bytesIn += buf.length();
          bodyReadAt(System.nanoTime());
          if (maxBody > 0 && bytesIn > maxBody) {
            respondLocally(413, true);
            return;
          }
          up.write(buf);
          if (mirroring != null) {
            mirroring.body(buf);
          }
          if (kept != null) {
            kept.body(buf);
          }
          if (up.writeQueueFull()) {
            req.pause();
            // Waiting on a slow upstream is not an idle client; an upstream that reads none of the
            // body for its response timeout is an idle upstream (504).
            bodyNotAwaited();
            if (upstreamResponse == null) {
              upstreamAwaitedSince(System.nanoTime());
            }
            up.drainHandler(
                v -> {
                  if (upstreamResponse == null) {
                    upstreamNotAwaited();
                  }
                  bodyReadAt(System.nanoTime());
                  req.resume();
                });
          }
        });
    req.endHandler(
        v -> {
          bodyNotAwaited();
          if (kept != null) {
            kept.bodyEnded();
          }
          up.end();
          requestSent = true;
          if (upstreamResponse == null) {
            upstreamAwaitedSince(System.nanoTime());
          }
          if (mirroring != null) {
            mirroring.requestSent();
          }
        });
    req.exceptionHandler(
        t -> {
          // A body found malformed mid-stream (or a client reset): never let a partial body look
          // complete upstream.
          bodyNotAwaited();
          respondLocally(400, true);
        });
    req.resume();
  }

  void onUpstreamResponse(HttpClientResponse ur) {
    if (finished) {
      return;
    }
    long now = System.nanoTime();
    attemptEnded(AttemptOutcome.RESPONDED, ur.statusCode(), now);
    if (retry != null) {
      cancelRetryTimer(retry);
      if (retry.rule.retriesAnswers() && retryAnswer(ur)) {
        return;
      }
    }
    upstreamResponse = ur;
    upstreamAwaitedSince(now);
    String affinityCookie = responseHead();
    status = ur.statusCode();
    reportOutcome(status);
    if (status >= 400 && replacesUpstreamBody(status)) {
      // An error page replaces the body: the upstream's is discarded (its stream reset), never
      // streamed, and the client gets the same status with the page.
      int code = status;
      status = 0;
      ur.exceptionHandler(t -> {}); // the reset below fails the response: expected, not news
      respondLocally(code, !req.isEnded());
      return;
    }
    resp.setStatusCode(status);
    MultiMap out = resp.headers();
    String contentLength =
        HeaderRules.copyResponse(ur.headers(), out, loop.settings().server().passUpstream());
    if (affinityCookie != null) {
      out.add(HttpHeaders.SET_COOKIE, affinityCookie);
    }
    if (route != null && route.policies().editsResponses()) {
      edited = out;
      responseLength = contentLength == null ? -1 : parseLength(contentLength);
      route.policies().onResponse(this, status, this);
      edited = null;
      if (encoder != null) {
        // The encoded length is known only at its end: streamed (chunked, or framed by HTTP/2).
        contentLength = null;
      }
    }
    PolicyChain own = backendFilters();
    if (own.editsResponses()) {
      // the backend's own header edits, after the route's (they never compress)
      edited = out;
      own.onResponse(this, status, this);
      edited = null;
    }
    boolean bodyless =
        req.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    if (contentLength != null) {
      out.add(HttpHeaders.CONTENT_LENGTH, contentLength);
    } else if (!bodyless) {
      if (req.version() == HttpVersion.HTTP_1_0) {
        out.add(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
      resp.setChunked(true);
    }
    ur.exceptionHandler(this::onUpstreamFailure);
    resp.setWriteQueueMaxSize(loop.settings().limits().writeQueueBytes());
    long expected = contentLength == null || bodyless ? -1 : parseLength(contentLength);
    boolean http2Upstream = ur.version() == HttpVersion.HTTP_2;
    if (encoder != null) {
      pumpEncodedResponse(ur, encoder);
      return;
    }
    ur.handler(
        buf -> {
          bytesOut += buf.length();
          responseFlowedAt(System.nanoTime());
          if (bytesOut == expected && bytesOut == buf.length() && !http2Upstream) {
            // The whole body in one read: one write and flush instead of two (HTTP/2 may still
            // send trailers after it).
            resp.end(buf);
            return;
          }
          resp.write(buf);
          holdBackWhileFull(ur);
        });
    ur.endHandler(
        v -> {
          upstreamNotAwaited();
          upstreamEnded = true;
          if (!finished && !resp.ended()) {
            Trailers.copy(ur.trailers(), resp);
            resp.end();
          }
          maybeReleaseAfterSuccess();
        });
  }

  /**
   * Pauses the upstream while the client's write queue is full: one back-pressure for both pumps.
   */
  private void holdBackWhileFull(HttpClientResponse ur) {
    if (resp.writeQueueFull()) {
      ur.pause();
      sendStalledAt(System.nanoTime());
      resp.drainHandler(
          v -> {
            sendDrainedAt(System.nanoTime());
            ur.resume();
          });
    }
  }

  /**
   * The response pump of a body a compression policy encodes: each read is encoded and written at
   * once, with the same back-pressure as a plain body (the upstream is paused while the client's
   * write queue is full), so the encoder holds no more than its window whatever the length.
   */
  private void pumpEncodedResponse(HttpClientResponse ur, BodyEncoder enc) {
    long whole = responseLength; // the upstream's Content-Length, -1 without one
    boolean http2Upstream = ur.version() == HttpVersion.HTTP_2;
    ur.handler(
        buf -> {
          if (finished || encoder != enc) {
            return; // ended, or a local answer replaced the body: the encoder is no longer ours
          }
          bytesOut += buf.length();
          responseFlowedAt(System.nanoTime());
          boolean last = bytesOut == whole && bytesOut == buf.length() && !http2Upstream;
          byte[] encoded;
          try {
            encoded =
                last
                    ? enc.finish(buf.getBytes(), 0, buf.length())
                    : enc.encode(buf.getBytes(), 0, buf.length());
          } catch (RuntimeException e) {
            abort();
            return;
          }
          if (last) {
            // The whole body in one read: encoded, ended and sent in one write, as the plain pump
            // does (HTTP/2 may still send trailers after it). Was a flushed chunk, then the end.
            resp.end(Buffer.buffer(encoded));
            return;
          }
          if (encoded.length > 0) {
            resp.write(Buffer.buffer(encoded));
          }
          holdBackWhileFull(ur);
        });
    ur.endHandler(
        v -> {
          upstreamNotAwaited();
          upstreamEnded = true;
          if (!finished && !resp.ended() && encoder == enc) {
            byte[] last;
            try {
              last = enc.finish();
            } catch (RuntimeException e) {
              abort();
              maybeReleaseAfterSuccess();
              return;
            }
            Trailers.copy(ur.trailers(), resp);
            resp.end(Buffer.buffer(last));
          }
          maybeReleaseAfterSuccess();
        });
  }

  void onUpstreamFailure(Throwable cause) {
    if (finished || answeredLocally) {
      return;
    }
    attemptEnded(isTimeout(cause) ? AttemptOutcome.TIMED_OUT : AttemptOutcome.RESET, 0);
    if (!resp.headWritten()) {
      // Once the upstream's head came, a close is a broken answer, not a stale keep-alive
      // connection: no retry (nginx's proxy_next_upstream neither). A retry then copied the second
      // head's fields beside the first's, and on HTTP/2 threw resuming the ended request.
      if (upstreamResponse == null && retryAfterClose(cause)) {
        return;
      }
      if (upstreamResponse == null) {
        reportOutcome(OutlierDetector.GATEWAY_ERROR); // reset or timeout before the head
      }
      if (upstreamResponse == null && retry != null && retryAfterFailure(cause)) {
        return;
      }
      respondLocally(isTimeout(cause) ? 504 : 502, false);
    } else {
      // Headers are out: the only honest signal left is to break the downstream response.
      abort();
    }
  }

  // ---------------------------------------------------------------- retry policy

  /**
   * An attempt failed before its answer's head: lets go of it and retries when the route's policy
   * allows (true), else the caller answers.
   */
  private boolean retryAfterFailure(Throwable cause) {
    RetryState r = Objects.requireNonNull(retry, "callers check the policy");
    HttpClientRequest up = upstream;
    upstream = null; // its late callbacks are ignored from here on
    if (up != null) {
      up.reset();
    }
    releaseLease(false);
    if (retryByPolicy(r.rule.retries(RetryState.classify(cause)), false)) {
      return true;
    }
    upstream = up; // not retried: the failure is answered as before
    return false;
  }

  /**
   * The answer's head is one the route's policy retries: it is discarded (an HTTP/1 body of known
   * small length drained so the connection is kept, else the connection or stream let go), and the
   * next attempt scheduled (true). False when it is not retried: the answer goes to the client as
   * it is.
   */
  private boolean retryAnswer(HttpClientResponse ur) {
    RetryState r = Objects.requireNonNull(retry, "callers check the policy");
    String grpcStatus = grpc ? ur.headers().get("grpc-status") : null;
    if (!r.rule.retries(ur.statusCode(), grpcStatus == null ? -1 : parseGrpcStatus(grpcStatus))) {
      return false;
    }
    HttpClientRequest up = upstream;
    Http1Connections.Lease held = lease;
    upstream = null;
    lease = null;
    if (!retryByPolicy(true, false)) {
      upstream = up;
      lease = held;
      return false;
    }
    String length = ur.headers().get(HttpHeaders.CONTENT_LENGTH);
    long n = length == null ? -1 : parseLength(length);
    if (held != null && requestSent && n >= 0 && n <= DRAIN_BYTES) {
      ur.exceptionHandler(t -> held.release(false));
      ur.handler(b -> {});
      ur.endHandler(v -> held.release(true));
    } else {
      ur.exceptionHandler(t -> {});
      if (held != null) {
        held.release(false);
      } else if (up != null) {
        up.reset();
      }
    }
    return true;
  }

  private static int parseGrpcStatus(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  void tryTimedOut() {
    if (upstream == null || upstreamResponse != null) {
      return; // connecting (the connect timeout bounds it), or answered
    }
    RetryState r = Objects.requireNonNull(retry, "only a policy arms the timer");
    if (!r.expired(System.nanoTime())
        && retryAfterFailure(new TimeoutException("upstream per-try timeout"))) {
      return;
    }
    respondLocally(504, false);
  }

  @Override
  boolean bodyRead() {
    return bodyPumped;
  }

  @Override
  void overflowed(BackendLimits.Limit limit) {
    overflow = limit;
    resp.putHeader(OVERFLOW, limit.reason());
    respondLocally(503, false);
  }

  // ---------------------------------------------------------------- WebSocket

  @Override
  boolean isFinished() {
    return finished;
  }

  /** The upstream accepted the upgrade: the tunnel's status for the access log. */
  void switchedProtocols() {
    status = 101;
  }

  /** Closes the client's connection, within the send limit. */
  void closeConnection() {
    loop.connections().close(connState, conn);
  }

  // ---------------------------------------------------------------- local answers and endings

  private void respondLocally(int code, boolean closeConnection) {
    respondLocally(code, closeConnection, GrpcReplies.statusFor(code));
  }

  /** As above; a gRPC client gets {@code grpcStatus} in a Trailers-Only answer instead. */
  private void respondLocally(int code, boolean closeConnection, int grpcStatus) {
    if (finished || answeredLocally) {
      return;
    }
    answeredLocally = true;
    idleClocksOff();
    if (mirroring != null) {
      mirroring.abandon();
    }
    if (upstream != null && (upstreamResponse == null || code >= 400)) {
      upstream.reset();
      releaseLease(false);
    }
    if (resp.headWritten()) {
      abort();
      return;
    }
    status = code;
    if (encoder != null) {
      // The upstream's head was taken but nothing written: the local answer goes as it is.
      dropEncoder();
      resp.headers().remove(HttpHeaders.CONTENT_ENCODING);
    }
    if (closeConnection && req.version() != HttpVersion.HTTP_2) {
      // An unread body may still follow: closing is the only safe way to resynchronise. HTTP/2
      // frames every stream, so answering the stream is enough there.
      resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      closeAfterEnd = true;
    }
    editLocalAnswer(code);
    ErrorPageSet.Page page = grpc || noErrorPage ? null : errorPage(code);
    noErrorPage = true;
    if (page == null) {
      sendBuiltIn(code, grpcStatus);
    } else if (!page.fetched()) {
      sendPage(code, Buffer.buffer(page.body()), page.contentType());
    } else {
      fetchPage(code, page);
    }
    if (!req.isEnded()) {
      // Drain an unread body; an ended HTTP/2 request throws on resume (a deadline that passes
      // after the body, e.g. a gRPC call's, used to throw here, out of the deadline sweep).
      req.resume();
    }
  }

  /** Gatehouse's own page for {@code code} ({@code grpcStatus} in a gRPC client's trailers). */
  private void sendBuiltIn(int code, int grpcStatus) {
    if (grpc) {
      GrpcReplies.send(resp, grpcStatus, code, requestId, req.version() == HttpVersion.HTTP_2);
    } else {
      ErrorPages.send(
          resp,
          code,
          requestId,
          req.getHeader(HttpHeaders.ACCEPT),
          req.method() == HttpMethod.HEAD);
    }
  }

  // ---------------------------------------------------------------- error pages

  /**
   * Whether an upstream's {@code code} answer gets an error page instead of its body: a route's
   * error pages replace its backend's answers; the node's replace only the default backend's (a
   * request that matched no route), never a route's backend.
   */
  private boolean replacesUpstreamBody(int code) {
    if (grpc) {
      return false;
    }
    ErrorPageSet pages =
        route != null ? route.policies().errorPages() : loop.settings().errorPages().pages();
    return pages.forStatus(code) != null;
  }

  /** The page of a {@code code} answer: the route's, else the node's; null for Gatehouse's own. */
  private ErrorPageSet.@Nullable Page errorPage(int code) {
    if (route != null) {
      ErrorPageSet.Page page = route.policies().errorPages().forStatus(code);
      if (page != null) {
        return page;
      }
    }
    return loop.settings().errorPages().pages().forStatus(code);
  }

  /**
   * Ends the response with {@code page}: the status kept, the page's content type, the request id
   * in {@code X-Request-Id} (the page itself is sent as it is, never filled in), no caching; HEAD
   * gets the headers only.
   */
  private void sendPage(int code, Buffer page, @Nullable String contentType) {
    resp.setStatusCode(code).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    if (contentType != null) {
      resp.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    resp.putHeader(REQUEST_ID, requestId);
    if (req.method() == HttpMethod.HEAD) {
      resp.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(page.length())).end();
    } else {
      resp.end(page);
    }
  }

  /**
   * Fetches {@code page} from its error backend (the route's error target, or the node's error
   * upstream), then sends it; when the fetch fails, or there is no endpoint, Gatehouse's own page.
   */
  private void fetchPage(int code, ErrorPageSet.Page page) {
    ErrorPageSet.Page routePage =
        route == null ? null : route.policies().errorPages().forStatus(code);
    Endpoint endpoint;
    UpstreamProtocol protocol;
    UpstreamTls tls;
    if (route != null && routePage == page) {
      Target t = route.errorTargets().get(page.backend());
      Balancer b =
          state.balancers().forSlot(t.slot(), t.key(), loop.settings().endpoints().get(t.slot()));
      // The fetch goes over the node's shared clients, which send no PROXY header: a named
      // backend that needs one (the validator refuses a static one) gets Gatehouse's own page.
      endpoint = t.proxyProtocol() != null ? null : b.next();
      protocol = t.protocol();
      tls = t.tls();
    } else {
      endpoint = loop.errorBalancer().next();
      protocol = UpstreamProtocol.HTTP1;
      tls = null;
    }
    if (endpoint == null) {
      sendBuiltIn(code, GrpcReplies.statusFor(code));
      return;
    }
    ErrorPageFetch.start(
        loop,
        endpoint,
        protocol,
        tls,
        code,
        errorBackendHeaders(code),
        new ErrorPageFetch.Done() {
          @Override
          public void fetched(Buffer body, @Nullable String contentType) {
            if (!finished && !resp.ended() && !resp.closed()) {
              sendPage(code, body, contentType);
            }
          }

          @Override
          public void failed() {
            if (!finished && !resp.ended() && !resp.closed()) {
              sendBuiltIn(code, GrpcReplies.statusFor(code));
            }
          }
        });
  }

  /** What ingress-nginx tells its error backend about the failed request. */
  private MultiMap errorBackendHeaders(int code) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    h.add("X-Code", Integer.toString(code));
    String accept = req.getHeader(HttpHeaders.ACCEPT);
    if (accept != null) {
      h.add("X-Format", accept);
    }
    h.add("X-Original-URI", head != null ? head.target() : req.uri());
    if (route != null) {
      h.add("X-Namespace", route.spec().key().tenant().value());
      h.add("X-Ingress-Name", ErrorPageFetch.ingressName(route.spec().key()));
      if (route.target().key() instanceof EndpointsKey.Service svc) {
        h.add("X-Service-Name", svc.service());
        h.add(
            "X-Service-Port",
            svc.portName() != null ? svc.portName() : Integer.toString(svc.port()));
      }
    }
    h.add("X-Request-ID", requestId);
    return h;
  }

  /**
   * Answers a redirect (with its {@code location}) or a 204 preflight (location null) without a
   * body. A request without a body is answered once it has ended, so a keep-alive connection sees
   * request end before response end, as with a proxied exchange (answering first left the next
   * request on the connection unanswered now and then). A request with an HTTP/1 body is answered
   * at once and its connection closed.
   */
  private void answerWithoutBody(int code, @Nullable String location) {
    answeredLocally = true;
    status = code;
    boolean body = head().contentLength() > 0 || head().chunked();
    if (req.version() != HttpVersion.HTTP_2 && body) {
      resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      closeAfterEnd = true;
    }
    resp.setStatusCode(code).putHeader(REQUEST_ID, requestId);
    if (location != null) {
      resp.putHeader(HttpHeaders.LOCATION, location);
      editLocalAnswer(code); // a redirect; a preflight's 204 has its filter's headers already
    }
    if (code != 204) {
      resp.putHeader(HttpHeaders.CONTENT_LENGTH, "0"); // RFC 9110: never on a 204
    }
    req.resume();
    if (body || req.isEnded()) {
      resp.end();
    } else {
      req.end()
          .onComplete(
              ar -> {
                if (!resp.ended() && !resp.closed()) {
                  resp.end();
                }
              });
    }
  }

  /**
   * Runs the route's local-answer filters (CORS) on an answer of {@code code} Gatehouse makes
   * itself, before it is written; a route without them, or no route, pays one array-length read.
   */
  private void editLocalAnswer(int code) {
    if (route != null && route.policies().editsLocalAnswers()) {
      edited = resp.headers();
      route.policies().onLocalAnswer(this, code, this);
      edited = null;
    }
  }

  private void onDownstreamClosed() {
    if (finished) {
      return;
    }
    if (resp.ended()) {
      // An HTTP/2 stream closes once its response is written: a normal end, not an abort, so the
      // upstream connection stays reusable.
      finish();
      return;
    }
    HttpClientRequest up = upstream;
    releaseLease(false);
    if (status == 0) {
      status = 499;
    }
    // Finished first: resetting the upstream request fails it at once, and the failure must not
    // answer (502) or retry on a stream that is gone. Writing a head on a closed HTTP/2 stream is a
    // connection error in Netty (INTERNAL_ERROR): it cut every other stream of the connection.
    finish();
    if (up != null) {
      up.reset();
    }
  }

  void abort() {
    if (upstream != null) {
      upstream.reset();
    }
    releaseLease(false);
    resp.reset();
    finish();
    if (req.version() != HttpVersion.HTTP_2) {
      // Resetting an HTTP/1 response closes its connection: within the send limit.
      loop.connections().close(connState, conn);
    }
  }

  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    long now = System.nanoTime();
    endNanos = now;
    dropEncoder();
    if (access != null) {
      access.ended();
    }
    if (mirroring != null) {
      mirroring.abandon();
    }
    loop.live().untrack(this);
    attemptsDone();
    uncount();
    if (lease != null) {
      if (upstreamEnded) {
        maybeReleaseAfterSuccess();
      } else if (upstream == null || answeredLocally) {
        releaseLease(upstream == null && !answeredLocally);
      }
    }
    loop.settings().inFlight().end();
    if (connState != null) {
      connState.sendLimitNanos = timeouts.bodyIdle().toNanos();
    }
    loop.connections().exchangeDone(connState, conn, now);
    if (closeAfterEnd) {
      loop.connections().closeAfterAnswer(connState, conn);
    }
    // An attempt still open was cut short: by the request's deadline (504) or the client leaving.
    attemptEnded(status == 504 ? AttemptOutcome.TIMED_OUT : AttemptOutcome.RESET, 0, now);
    if (view != null) {
      observer.ended(view);
    }
  }

  // ---------------------------------------------------------------- observers

  private void observeStart() {
    if (observer != ExchangeObserver.NONE) {
      View v = new View();
      view = v;
      observer.started(v);
    }
  }

  @Override
  void observeAttempt(
      AttemptOutcome outcome, int upstreamStatus, long since, long endNanos, boolean isRetry) {
    if (view != null) {
      if (upstreamStatus != 0) {
        lastUpstreamStatus = upstreamStatus;
      }
      attemptEndNanos = endNanos;
      observer.attemptEnded(view, outcome, upstreamStatus, since, isRetry);
    }
  }

  /** The exchange as its observers read it (a view, not a copy: valid during a callback). */
  private final class View implements ExchangeView {
    @Override
    public String method() {
      return req.method().name();
    }

    @Override
    public @Nullable String host() {
      return head == null ? null : head.host();
    }

    @Override
    public String path() {
      return head == null ? req.path() : head.path();
    }

    @Override
    public String protocol() {
      return switch (req.version()) {
        case HTTP_1_0 -> "HTTP/1.0";
        case HTTP_1_1 -> "HTTP/1.1";
        case HTTP_2 -> "HTTP/2";
        default -> req.version().alpnName();
      };
    }

    @Override
    public boolean tls() {
      return tls;
    }

    @Override
    public int status() {
      if (status != 0) {
        return status;
      }
      return finished || resp.headWritten() ? resp.getStatusCode() : 0;
    }

    @Override
    public long bytesIn() {
      return bytesIn;
    }

    @Override
    public long bytesOut() {
      return bytesOut;
    }

    @Override
    public long startNanos() {
      return startNanos;
    }

    @Override
    public long endNanos() {
      return endNanos != 0 ? endNanos : System.nanoTime();
    }

    @Override
    public long attemptEndNanos() {
      if (attemptEndNanos == 0) {
        attemptEndNanos = System.nanoTime();
      }
      return attemptEndNanos;
    }

    @Override
    public @Nullable String routeId() {
      return route == null ? null : route.id();
    }

    @Override
    public @Nullable String tenant() {
      return route == null ? null : route.spec().key().tenant().value();
    }

    @Override
    public @Nullable EndpointsKey backend() {
      Target t = target;
      // an unresolved backend's answer is Gatehouse's own: no backend, as for a refused request
      return t == null || t.fixed() ? null : t.key();
    }

    @Override
    public @Nullable String endpoint() {
      return endpoint == null ? null : endpoint.authority();
    }

    @Override
    public String requestId() {
      return requestId;
    }

    @Override
    public @Nullable String client() {
      return clientAddress();
    }

    @Override
    public @Nullable String overflow() {
      return overflow == null ? null : overflow.reason();
    }

    @Override
    public MultiMap requestHeaders() {
      return req.headers();
    }

    @Override
    public int upstreamStatus() {
      return lastUpstreamStatus;
    }

    @Override
    public int attempts() {
      return attempts;
    }

    @Override
    public @Nullable String traceId() {
      return traceId;
    }

    @Override
    public void traceId(@Nullable String value) {
      traceId = value;
    }

    @Override
    public @Nullable Object observation() {
      return observation;
    }

    @Override
    public void observation(@Nullable Object value) {
      observation = value;
    }
  }

  // ---------------------------------------------------------------- headers

  private static long parseLength(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The head the guard accepted. Only the steps after the guard ask for it (policies, routing, the
   * upstream request); a refused request is answered before any of them runs.
   */
  private RequestHead head() {
    RequestHead h = head;
    if (h == null) {
      throw new IllegalStateException("no request head: the guard refused the request");
    }
    return h;
  }

  /** The route the request matched; only a route's own stages ask for it (its mirrors). */
  private CompiledRoute routed() {
    CompiledRoute r = route;
    if (r == null) {
      throw new IllegalStateException("no route: the request went to the default backend");
    }
    return r;
  }

  private HostAndPort clientAuthority() {
    String text = Objects.requireNonNull(head().authority(), "callers check the authority");
    if (connState != null
        && text.equals(connState.authorityText)
        && connState.authority != null) { // set with authorityText
      return connState.authority; // the connection's requests almost always share it
    }
    HostAndPort parsed = HostAndPort.parseAuthority(text, -1);
    HostAndPort out = parsed != null ? parsed : HostAndPort.create(head().host(), -1);
    if (connState != null) {
      connState.authorityText = text;
      connState.authority = out;
    }
    return out;
  }

  private boolean isWebSocketUpgrade() {
    return req.method() == HttpMethod.GET
        && req.version() == HttpVersion.HTTP_1_1
        && "websocket".equalsIgnoreCase(head().upgrade())
        && HopByHop.namedIn(head().connection(), "upgrade");
  }

  /**
   * Whether a body follows the head. HTTP/2 frames the body itself; without content-length, methods
   * that carry no body are sent without one and the rest are streamed chunked.
   */
  private boolean bodyFollows() {
    long contentLength = head().contentLength();
    if (req.version() == HttpVersion.HTTP_2) {
      return !(contentLength == 0 || (contentLength < 0 && carriesNoBody()));
    }
    return head().chunked() || contentLength > 0;
  }

  private boolean carriesNoBody() {
    HttpMethod m = req.method();
    return m == HttpMethod.GET
        || m == HttpMethod.HEAD
        || m == HttpMethod.OPTIONS
        || m == HttpMethod.DELETE
        || m == HttpMethod.TRACE;
  }

  @Override
  String routeId() {
    return route == null ? "(default backend)" : route.id();
  }

  // ---------------------------------------------------------------- UpstreamAttempt hooks

  @Override
  HttpMethod upstreamMethod() {
    return req.method();
  }

  @Override
  String upstreamUri() {
    return rewrittenTarget != null ? rewrittenTarget : head().target();
  }

  @Override
  long connectTimeoutMillis() {
    return timeouts.connect().toMillis();
  }

  @Override
  boolean tunnel() {
    return websocket;
  }

  @Override
  boolean requestHasBody() {
    return bytesIn != 0 || head().contentLength() > 0 || head().chunked();
  }

  @Override
  void attemptFailed(int status, int grpcStatus) {
    respondLocally(status, false, grpcStatus);
  }

  @Override
  int canaryChoice(CanaryMatcher canary) {
    // Only a route with a canary rule comes here: the lists below are its cost alone.
    String name = canary.header();
    if (name != null) {
      int byHeader = canary.byHeader(headerValues(name));
      if (byHeader != CanaryMatcher.FALL_THROUGH) {
        return byHeader;
      }
    }
    return canary.cookie() == null
        ? CanaryMatcher.FALL_THROUGH
        : canary.byCookie(req.headers().getAll(HttpHeaders.COOKIE));
  }

  @Override
  public List<String> cookieFields() {
    // Only a sticky split comes here: the list is its cost alone.
    return req.headers().getAll(HttpHeaders.COOKIE);
  }

  @Override
  public @Nullable String splitCookie() {
    return splitCookie;
  }

  // ---------------------------------------------------------------- RequestView

  @Override
  public String method() {
    return req.method().name();
  }

  @Override
  public @Nullable String header(String lowerCaseName) {
    return req.getHeader(lowerCaseName);
  }

  @Override
  public @Nullable String queryParam(String name) {
    return QueryParams.first(head().query(), name);
  }

  // ---------------------------------------------------------------- RequestContext, HeaderEdits

  @Override
  public @Nullable String host() {
    return head().host();
  }

  @Override
  public String path() {
    return head().path();
  }

  @Override
  public @Nullable String query() {
    return head().query();
  }

  @Override
  public @Nullable String authority() {
    return head().authority();
  }

  @Override
  public long contentLength() {
    return head().contentLength();
  }

  @Override
  public boolean tls() {
    return tls;
  }

  @Override
  public boolean httpsListener() {
    return loop.settings().tls() != null;
  }

  @Override
  public @Nullable String forwardedProto() {
    RequestHead h = head;
    if (tls || h == null || !loop.settings().trustedProxies().contains(peer())) {
      return null;
    }
    String[] headers = h.headers();
    // name, value pairs; the array's tail past the last pair is null
    for (int i = 0; i + 1 < headers.length && headers[i] != null; i += 2) {
      if (headers[i].equalsIgnoreCase(ForwardedHeaders.XFP)) {
        String v = headers[i + 1];
        int comma = v.indexOf(',');
        return (comma < 0 ? v : v.substring(0, comma)).trim().toLowerCase(java.util.Locale.ROOT);
      }
    }
    return null;
  }

  @Override
  public @Nullable String httpsPort() {
    return loop.redirectPortText();
  }

  @Override
  public @Nullable String sniName() {
    return tls ? conn.indicatedServerName() : null;
  }

  @Override
  public @Nullable SSLSession sslSession() {
    return tls ? conn.sslSession() : null;
  }

  @Override
  public @Nullable ConnectionMemo connectionMemo() {
    return connState;
  }

  @Override
  public void location(String uri) {
    redirectLocation = uri;
  }

  @Override
  public void upstreamTarget(String target) {
    rewrittenTarget = target;
  }

  @Override
  public void upstreamHost(String host) {
    rewrittenHost = host;
  }

  @Override
  public void mirror(int index) {
    mirrorMask |= 1 << index;
  }

  @Override
  public void answerHeader(String lowerCaseName, String value) {
    resp.headers().add(lowerCaseName, value);
  }

  @Override
  public void upstreamHeader(String lowerCaseName, String value) {
    access().upstreamHeader(lowerCaseName, value);
  }

  @Override
  public void dropUpstreamHeader(String lowerCaseName) {
    access().dropUpstreamHeader(lowerCaseName);
  }

  @Override
  public void onEnd(Runnable release) {
    if (finished) {
      release.run();
      return;
    }
    access().onEnd(release);
  }

  @Override
  public void verifiedClaims(Map<String, Object> claims) {
    access().claims = claims;
  }

  @Override
  public @Nullable Map<String, Object> verifiedClaims() {
    return access == null ? null : access.claims;
  }

  private AccessEffects access() {
    AccessEffects a = access;
    if (a == null) {
      a = new AccessEffects();
      access = a;
    }
    return a;
  }

  @Override
  public void clientCertificate(ClientCertificateCheck.Result verdict) {
    clientCertificate = verdict;
  }

  @Override
  public String clientAddress() {
    String c = client;
    if (c == null) {
      RequestHead h = head;
      // Only a trusted peer's forwarding headers are read: otherwise this is the peer itself.
      c =
          h == null
              ? peer()
              : ClientAddresses.resolve(peer(), loop.settings().trustedProxies(), h.headers());
      client = c;
    }
    return c;
  }

  /**
   * The header names the client every access rule sees ({@link #clientAddress}) with the
   * connection's source port, and the address and port the client connected to (the listener's, or
   * the destination its own PROXY header named).
   */
  @Override
  @Nullable ProxyHeader proxyHeader(ProxyProtocolVersion version) {
    SocketAddress remote = req.remoteAddress();
    SocketAddress local = req.localAddress();
    if (remote == null || local == null) {
      return null;
    }
    return ProxyHeader.of(
        version, clientAddress(), remote.port(), local.hostAddress(), local.port());
  }

  /** The connection's peer: the PROXY protocol's source on a listener that takes one. */
  private String peer() {
    return connState != null ? connState.client : req.remoteAddress().hostAddress();
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public ClientCertificateCheck.@Nullable Result verifiedClientCertificate() {
    ClientCertificateCheck.Result c = clientCertificate;
    return c != null && c.outcome() == ClientCertificateCheck.Outcome.VERIFIED ? c : null;
  }

  @Override
  public @Nullable String headerValues(String lowerCaseName) {
    return joined(req.headers().getAll(lowerCaseName));
  }

  @Override
  public long responseLength() {
    return responseLength;
  }

  @Override
  public void encodeResponse(String coding, int level) {
    dropEncoder();
    encoder = loop.encoders().open(coding, level);
  }

  /** Gives this response's encoder back to the loop's pool (or frees it), once. */
  private void dropEncoder() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }

  @Override
  public @Nullable String get(String name) {
    return joined(edited().getAll(name));
  }

  /** The headers of the policy stage running now; the filters edit them only while it runs. */
  private MultiMap edited() {
    MultiMap e = edited;
    if (e == null) {
      throw new IllegalStateException("no policy stage is running");
    }
    return e;
  }

  private static @Nullable String joined(List<String> values) {
    int n = values.size();
    return n == 0 ? null : n == 1 ? values.get(0) : String.join(", ", values);
  }

  @Override
  public void set(String name, String value) {
    edited().set(name, value);
  }

  @Override
  public void add(String name, String value) {
    edited().add(name, value);
  }

  @Override
  public void remove(String name) {
    edited().remove(name);
  }

  /** Where a suspended admission goes on, and the loop its resume must run on. */
  private static final class Suspension {
    final PolicyChain policies;
    final int next;
    final Thread loopThread = Thread.currentThread();
    final io.vertx.core.Context context;
    boolean resumed;

    Suspension(PolicyChain policies, int next) {
      this.policies = policies;
      this.next = next;
      this.context = java.util.Objects.requireNonNull(Vertx.currentContext(), "event loop");
    }
  }
}
