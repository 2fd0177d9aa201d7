package io.gatehouse.proxy;

import io.gatehouse.health.OutlierDetector;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.policy.RetryRule;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.Split;
import io.gatehouse.snapshot.StickyCookies;
import io.gatehouse.snapshot.Target;
import io.gatehouse.upstream.BackendLimits;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.EndpointLoad;
import io.gatehouse.upstream.Http1Connections;
import io.gatehouse.upstream.PickRequest;
import io.gatehouse.upstream.ProxyHeader;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream attempt of one exchange: the endpoint pick from the chosen target's balancer, the
 * lease of a pooled HTTP/1 connection, the connect, one retry (on another endpoint of the same
 * balancer after a connect failure; on the same endpoint, or another, after a pooled keep-alive
 * connection closed under us) and the log line of a failed upstream TLS handshake.
 *
 * <p>A superclass of {@link ProxyExchange} rather than an object of its own: an exchange stays one
 * object, so the attempt allocates nothing per request, and it owns the state only it changes
 * (balancer, endpoint, lease, the upstream request, whether it retried). It reports to the exchange
 * through the abstract hooks below (the design's {@code Attempt.Listener}); {@code ProxyExchange}
 * is their one implementation, so the calls stay monomorphic and inline. The retry rules are static
 * and pure, for {@code UpstreamAttemptTest}.
 *
 * <p>The picked backend's circuit breaker ({@code BackendLimits}) gives each request a place among
 * its requests in flight and each pooled connection a slot; a route with a {@code Retry} policy
 * replaces the node's one connect-failure retry with the policy ({@link RetryState} holds the
 * request's progress, {@code RetryRule} decides; the retry budget is the backend's). WebSocket
 * tunnels, mirror copies and the default backend are outside the breaker.
 */
abstract class UpstreamAttempt extends LiveExchanges.Member {
  // The exchange's category, as before this class was carved out of it: log settings keep working.
  private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

  final LoopServices loop;

  @Nullable Balancer balancer;

  /** How the chosen backend is reached: from the route's target, or the default backend's. */
  @Nullable UpstreamProtocol protocol;

  @Nullable UpstreamTls upstreamTls;

  /** The PROXY header the chosen backend's connections start with, or null for none. */
  @Nullable ProxyProtocolVersion proxyProtocol;

  @Nullable Endpoint endpoint;

  boolean retried;
  @Nullable HttpClientRequest upstream;

  /** The current attempt's request options, for the connection it waits for. */
  private @Nullable RequestOptions requestOptions;

  Http1Connections.@Nullable Lease lease;

  /** The {@code Set-Cookie} a sticky split's weighted pick asks for on the answer, or null. */
  @Nullable String splitCookie;

  /** The picked target (its backend's policy and key); null for the default backend. */
  @Nullable Target target;

  /** The circuit breaker's counters this request holds a place of; null when none. */
  BackendLimits.@Nullable Backend backend;

  /** The route's retry policy at work on this request; null without the policy. */
  @Nullable RetryState retry;

  /**
   * The endpoint this attempt counts in flight against ({@link Balancer#started}) until it ends, or
   * null: {@link #uncount} gives it back exactly once.
   */
  private @Nullable EndpointLoad load;

  /** When the attempt started, for the latency a peak-EWMA balancer learns (0 for others). */
  private long loadSince;

  /** The endpoint the request's affinity cookie named, for the answer's cookie. */
  private @Nullable EndpointLoad cookiePinned;

  /** The route of the pick (the affinity cookie's default path). */
  private @Nullable CompiledRoute pickedRoute;

  /** Attempts started ({@link #connect} calls), for the observers. */
  int attempts;

  /** When the current attempt started; its end is reported once ({@link #attemptEnded}). */
  private long attemptStartNanos;

  private boolean attemptOpen;

  UpstreamAttempt(LoopServices loop) {
    this.loop = loop;
  }

  // ---------------------------------------------------------------- hooks (ProxyExchange)

  /** The exchange has ended: an attempt's late callbacks must not touch it. */
  abstract boolean isFinished();

  /** The request's method, as sent upstream. */
  abstract HttpMethod upstreamMethod();

  /** The request target, as sent upstream. */
  abstract String upstreamUri();

  abstract long connectTimeoutMillis();

  /** A WebSocket upgrade: always HTTP/1 and never a pooled connection. */
  abstract boolean tunnel();

  /** Body bytes were read or are announced: such a request is not retried after a close. */
  abstract boolean requestHasBody();

  abstract String routeId();

  /** The upstream request is open: send the head and the body. */
  abstract void onConnected(HttpClientRequest up);

  /** No attempt is left: answer {@code status} ({@code grpcStatus} to a gRPC client). */
  abstract void attemptFailed(int status, int grpcStatus);

  /** The verdict of a split's canary rule on this request ({@link CanaryMatcher}). */
  abstract int canaryChoice(CanaryMatcher canary);

  /**
   * The PROXY protocol header naming this request's client, in {@code version}; null when the
   * addresses are not IP ones (then nothing is sent: such a backend never gets a connection without
   * the header).
   */
  abstract @Nullable ProxyHeader proxyHeader(ProxyProtocolVersion version);

  /** The request's {@code Cookie} fields, in order (asked of sticky splits only). */
  abstract List<String> cookieFields();

  /**
   * Tells the node's observers an attempt ended ({@link #attemptEnded} calls it once each); a
   * mirror's copy tells nobody (it is not a client's request).
   */
  void observeAttempt(
      AttemptOutcome outcome, int status, long startNanos, long endNanos, boolean retry) {}

  /** The current attempt ended; reported to the observers once, whoever notices first. */
  final void attemptEnded(AttemptOutcome outcome, int status) {
    attemptEnded(outcome, status, 0);
  }

  /**
   * As {@link #attemptEnded(AttemptOutcome, int)}, at {@code nowNanos} when the caller has read the
   * clock (0: not read).
   */
  final void attemptEnded(AttemptOutcome outcome, int status, long nowNanos) {
    if (attemptOpen) {
      attemptOpen = false;
      observeAttempt(outcome, status, attemptStartNanos, nowNanos, attempts > 1);
    }
  }

  /** Whether the request came over TLS (a sticky cookie's default {@code Secure}). */
  public abstract boolean tls();

  /** A circuit breaker refused the request: answers 503 naming {@code limit}. */
  void overflowed(BackendLimits.Limit limit) {
    attemptFailed(503, GrpcReplies.UNAVAILABLE);
  }

  /** Whether some of the request's body was read and sent to an attempt. */
  boolean bodyRead() {
    return false;
  }

  /** The per-try timeout, or the deadline of all attempts, passed before the answer's head. */
  void tryTimedOut() {}

  // ---------------------------------------------------------------- pick

  /**
   * Picks the backend (the default backend's when {@code route} is null, else the route's target or
   * its split's pick) and its first endpoint, which {@code request}'s hash key or affinity cookie
   * may choose; false when it has none.
   */
  final boolean pick(LoopState state, @Nullable CompiledRoute route, PickRequest request) {
    RouterSettings s = loop.settings();
    if (route == null) {
      balancer = loop.defaultBalancer();
      protocol = s.defaultBackend().protocol();
      upstreamTls = s.defaultBackend().tls();
      proxyProtocol = null;
    } else {
      Target target = route.target();
      if (route.split() != null) {
        // A weighted split: the backend is picked once; a retry stays on it.
        Split split = route.split();
        CanaryMatcher canary = split.canary();
        int choice = canary == null ? CanaryMatcher.FALL_THROUGH : canaryChoice(canary);
        // A sticky cookie fixes only the weight draw: a canary rule's verdict comes first.
        StickyCookies sticky = choice == CanaryMatcher.FALL_THROUGH ? split.sticky() : null;
        int pinned = sticky == null ? -1 : sticky.find(cookieFields());
        Target picked =
            state.splits().pick(route, state.balancers(), s.endpoints(), choice, pinned);
        if (sticky != null && picked != null && state.splits().pickedIndex() != pinned) {
          splitCookie = sticky.setCookie(state.splits().pickedIndex(), tls());
        }
        target = picked != null ? picked : target;
        // The picker already holds the picked target's balancer; none left answers 503.
        balancer = picked != null ? state.splits().picked() : Balancer.EMPTY;
      }
      if (balancer == null) {
        balancer = state.balancers().forTarget(target, s.endpoints());
      }
      protocol = target.protocol();
      upstreamTls = target.tls();
      proxyProtocol = target.proxyProtocol();
      this.target = target;
    }
    pickedRoute = route;
    if (target != null && target.fixed()) {
      return false; // an unresolved backend: answered with its status, nothing sent upstream
    }
    EndpointLoad picked = balancer.pick(request);
    if (picked == null) {
      return false;
    }
    cookiePinned = balancer.pinned();
    count(balancer, picked);
    return true;
  }

  // ---------------------------------------------------------------- endpoint accounting

  /** This attempt now goes to {@code picked}: one more in flight there. */
  private void count(Balancer b, EndpointLoad picked) {
    endpoint = picked.endpoint();
    load = picked;
    loadSince = b.started(picked);
  }

  /**
   * A retry moved the attempt to {@code endpoint}: its count moves along (by host and port). An
   * attempt that was never counted (a mirror's copy) stays uncounted.
   */
  private void recount(Balancer b) {
    EndpointLoad now = endpoint == null || load == null ? null : b.loadOf(endpoint);
    if (now != null && now != load) {
      uncount();
      count(b, now);
    }
  }

  /** The attempt ended (every path: answer, failure, reset, client gone): once, then no more. */
  final void uncount() {
    EndpointLoad l = load;
    Balancer b = balancer;
    if (l != null && b != null) {
      load = null;
      b.finished(l);
    }
  }

  /**
   * The upstream's response head came: the balancer learns the latency; returns the affinity cookie
   * the answer hands out, or null.
   */
  final @Nullable String responseHead() {
    EndpointLoad l = load;
    Balancer b = balancer;
    if (l == null || b == null) {
      return null;
    }
    b.responded(l, loadSince);
    return b.setCookie(cookiePinned, l, tls(), pickedRoute);
  }

  // ---------------------------------------------------------------- connect

  final void connectUnlessFinished() {
    if (!isFinished()) {
      connect();
    }
  }

  final void connect() {
    attemptEnded(AttemptOutcome.RESET, 0); // a previous attempt nobody reported: it was let go
    attempts++;
    attemptStartNanos = System.nanoTime();
    attemptOpen = true;
    Endpoint endpoint = this.endpoint;
    UpstreamProtocol picked = this.protocol;
    if (endpoint == null || picked == null) {
      throw new IllegalStateException("connect before a pick");
    }
    boolean tunnel = tunnel();
    UpstreamProtocol protocol = tunnel ? UpstreamProtocol.HTTP1 : picked;
    RequestOptions options =
        new RequestOptions()
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setMethod(upstreamMethod())
            .setURI(upstreamUri())
            .setConnectTimeout(connectTimeoutMillis());
    if (upstreamTls != null && upstreamTls.serverName() != null) {
      // Connect to the endpoint, but send and verify the configured name.
      options
          .setServer(SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host()))
          .setHost(upstreamTls.serverName());
    }
    requestOptions = options;
    Http1Connections cache;
    HttpClientAgent client;
    try {
      // A route's own response head limit (proxy-buffer-size) has its own pools; 0 = the node's.
      CompiledRoute route = pickedRoute;
      int head = route == null ? 0 : route.spec().limits().maxResponseHeaderBytes();
      cache = loop.clients().http1Connections(upstreamTls, head);
      client = loop.clients().client(protocol, upstreamTls, head);
    } catch (RuntimeException e) {
      // A setting the validator let through but the TLS stack refused: no key material in e.
      LOG.warn("upstream TLS setting unusable for route {}: {}", routeId(), e.getMessage());
      attemptFailed(502, GrpcReplies.statusFor(502));
      return;
    }
    ProxyProtocolVersion sends = proxyProtocol;
    ProxyHeader header = sends == null ? null : proxyHeader(sends);
    if (sends != null && (header == null || protocol != UpstreamProtocol.HTTP1)) {
      // Validation allows the header on HTTP/1 only; an address that is no IP gets no connection.
      LOG.debug("no PROXY protocol header for route {}: not sent upstream", routeId());
      attemptFailed(502, GrpcReplies.statusFor(502));
      return;
    }
    if (header != null && tunnel) {
      // A WebSocket takes its connection over: a new one with the header, closed at the end.
      cache.acquireExclusive(endpoint, connectTimeoutMillis(), header).onComplete(this::onLease);
      return;
    }
    if (protocol == UpstreamProtocol.HTTP1 && !tunnel) {
      BackendLimits.Backend limits = backend;
      Target t = target;
      (limits == null || t == null
              ? cache.acquire(endpoint, connectTimeoutMillis(), header)
              : cache.acquire(
                  endpoint, connectTimeoutMillis(), limits, t.policy().circuitBreaker(), header))
          .onComplete(this::onLease);
      return;
    }
    client.request(options).onComplete(this::onRequestCreated);
  }

  /** A connection from the keep-alive cache, or why there is none: the request goes on it. */
  private void onLease(AsyncResult<Http1Connections.Lease> ar) {
    if (ar.failed()) {
      if (isFinished()) {
        return;
      }
      if (ar.cause() instanceof BackendLimits.Overflow o) {
        overflowed(o.limit());
      } else {
        onConnectFailure(ar.cause());
      }
      return;
    }
    Http1Connections.Lease l = ar.result();
    lease = l;
    if (isFinished()) {
      releaseLease(false);
      return;
    }
    RequestOptions options = Objects.requireNonNull(requestOptions, "set by connect");
    l.connection().request(options).onComplete(this::onRequestCreated);
  }

  private void onRequestCreated(AsyncResult<HttpClientRequest> ar) {
    if (isFinished()) {
      if (ar.succeeded()) {
        ar.result().reset();
      }
      releaseLease(false);
      return;
    }
    if (ar.succeeded()) {
      onConnected(ar.result());
    } else if (lease != null) {
      // The cached connection went away between the pick and the request: open a fresh one.
      boolean stale = lease.reused();
      releaseLease(false);
      if (stale && !retried) {
        retried = true;
        connect();
      } else {
        onConnectFailure(ar.cause());
      }
    } else {
      onConnectFailure(ar.cause());
    }
  }

  /** Gives the connection back: reusable only after a clean, complete exchange. */
  final void releaseLease(boolean reusable) {
    Http1Connections.Lease l = lease;
    if (l != null) {
      lease = null;
      l.release(reusable);
    }
  }

  /** Reports this attempt's outcome (a status or a gateway error) to outlier detection. */
  final void reportOutcome(int outcome) {
    Target t = target;
    Endpoint e = endpoint;
    Balancer b = balancer;
    if (t != null && e != null && b != null) {
      loop.settings().outcomes().report(t, b.set(), e, outcome);
    }
  }

  private void onConnectFailure(Throwable cause) {
    attemptEnded(AttemptOutcome.CONNECT_FAILED, 0);
    reportOutcome(OutlierDetector.GATEWAY_ERROR);
    Balancer b = balancer; // both set by the pick that preceded the connect
    Endpoint failed = endpoint;
    if (retry != null) {
      // The route's policy replaces the node's one connect-failure retry.
      if (retryByPolicy(retry.rule.retries(RetryRule.Failure.CONNECT_FAILURE), true)) {
        return;
      }
    } else if (b != null
        && failed != null
        && retriesConnectFailure(retried, loop.settings().retryConnectFailures())) {
      Endpoint other = otherEndpoint(b, failed);
      if (other != null) {
        retried = true;
        endpoint = other;
        recount(b);
        connect();
        return;
      }
    }
    logTlsFailure(cause);
    // A connect timeout is an unreachable upstream, not a slow answer: UNAVAILABLE for gRPC.
    attemptFailed(isTimeout(cause) ? 504 : 502, GrpcReplies.UNAVAILABLE);
  }

  /**
   * The upstream request failed before the response head went out: retries when {@link
   * #retriesAfterClose} allows (true), else the caller answers.
   */
  final boolean retryAfterClose(Throwable cause) {
    if (!retriesAfterClose(
        retried, cause, lease == null || lease.reused(), upstreamMethod(), requestHasBody())) {
      return false;
    }
    releaseLease(false);
    retried = true;
    Endpoint other = balancer != null ? balancer.next(endpoint) : null; // set by the pick
    endpoint = other != null ? other : endpoint;
    if (balancer != null) {
      recount(balancer);
    }
    upstream = null;
    upstreamNotAwaited();
    connect();
    return true;
  }

  /**
   * A failed upstream handshake is only a 502 to the client; the log says why (the JDK's reason
   * names certificates and host names, never a key).
   */
  private void logTlsFailure(Throwable cause) {
    boolean tlsFailure = false;
    Throwable root = cause;
    for (Throwable t = cause; t != null; t = t.getCause()) {
      tlsFailure |= t instanceof SSLException;
      root = t;
    }
    if (tlsFailure && endpoint != null) {
      LOG.warn(
          "upstream TLS handshake with {} for route {} failed: {}",
          endpoint.authority(),
          routeId(),
          root.getMessage());
    }
  }

  // ---------------------------------------------------------------- circuit breaker, retry policy

  /**
   * Takes a place among the picked backend's requests in flight (its circuit breaker's {@code
   * maxRequests}), and starts the route's retry policy on this request; false, answered 503, when
   * the backend is full. The default backend has no breaker.
   *
   * @param rule the route's retry policy, or null
   * @param declaredLength the request's Content-Length, -1 for none
   */
  final boolean admitToBackend(@Nullable RetryRule rule, long declaredLength) {
    Target t = target;
    if (t == null) {
      return true;
    }
    BackendLimits.Backend b = loop.backendLimits().forSlot(t.slot(), t.key());
    if (!b.tryBeginRequest(t.policy().circuitBreaker())) {
      overflowed(BackendLimits.Limit.MAX_REQUESTS);
      return false;
    }
    backend = b;
    if (rule != null) {
      retry = new RetryState(rule, System.nanoTime(), declaredLength);
    }
    return true;
  }

  /** The exchange has ended: its places in the backend's counters go back, its timer stops. */
  final void attemptsDone() {
    BackendLimits.Backend b = backend;
    if (b != null) {
      backend = null;
      b.endRequest();
      RetryState r = retry;
      if (r != null && r.holdsRetry) {
        r.holdsRetry = false;
        b.endRetry();
      }
    }
    if (retry != null) {
      cancelRetryTimer(retry);
    }
  }

  /**
   * The route's retry policy on a failed attempt (whose lease and request the caller has let go):
   * when {@code conditionHolds} (the rule's condition for the failure), the method, the body, the
   * attempts left, the deadline and the backend's retry budget all allow it, schedules the next
   * attempt on another endpoint of the same backend after the back-off and returns true; else
   * false, and the caller answers with the failure.
   *
   * @param nothingSent the attempt failed to connect, so the upstream saw nothing of the request:
   *     any method may go again, as nginx passes a request nothing of which was sent
   */
  final boolean retryByPolicy(boolean conditionHolds, boolean nothingSent) {
    RetryState r = retry;
    Balancer b = balancer;
    Endpoint failed = endpoint;
    if (r == null || !conditionHolds || b == null || failed == null) {
      return false;
    }
    if (!(nothingSent || r.rule.allowsMethod(upstreamMethod().name()))
        || !r.bodyReplayable(requestHasBody(), bodyRead())) {
      return false;
    }
    long now = System.nanoTime();
    long wait = r.rule.backoffNanos(r.retries + 1, ThreadLocalRandom.current());
    if (!r.anotherAllowed(now, wait)) {
      return false;
    }
    BackendLimits.Backend limits = backend;
    Target t = target;
    if (limits != null && t != null) {
      if (r.holdsRetry) {
        r.holdsRetry = false; // the failed attempt's place: the next one needs a place of its own
        limits.endRetry();
      }
      if (!limits.tryBeginRetry(
          r.rule.budgetPercent(),
          r.rule.minRetryConcurrency(),
          t.policy().circuitBreaker().maxRetries())) {
        return false;
      }
      r.holdsRetry = true;
    }
    r.retries++;
    retried = true;
    Endpoint other = otherEndpoint(b, failed);
    endpoint = other != null ? other : failed;
    recount(b);
    upstream = null;
    upstreamNotAwaited();
    cancelRetryTimer(r);
    r.timer =
        loop.vertx()
            .setTimer(
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)),
                id -> {
                  r.timer = -1;
                  connectUnlessFinished();
                });
    return true;
  }

  /**
   * Arms the attempt's limit to the answer's head: the rule's per-try timeout, or what is left of
   * the deadline of all attempts when that is sooner; none when the rule sets neither.
   */
  final void armTryTimer() {
    RetryState r = retry;
    if (r == null) {
      return;
    }
    long ms = r.rule.perTryTimeoutMillis();
    if (r.deadline != 0) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(r.deadline - System.nanoTime()));
      ms = ms == 0 ? left : Math.min(ms, left);
    }
    cancelRetryTimer(r);
    if (ms > 0) {
      r.timer =
          loop.vertx()
              .setTimer(
                  ms,
                  id -> {
                    r.timer = -1;
                    if (!isFinished()) {
                      tryTimedOut();
                    }
                  });
    }
  }

  final void cancelRetryTimer(RetryState r) {
    if (r.timer >= 0) {
      loop.vertx().cancelTimer(r.timer);
      r.timer = -1;
    }
  }

  // ---------------------------------------------------------------- retry rules

  /**
   * A failed connect is retried once, on another endpoint, when the node allows it, whatever the
   * method: nothing of the request reached the upstream (its body is not read before the connect),
   * so a POST is as safe to send again as a GET, which is what nginx does with a request nothing of
   * which was sent. Measured (bench/kill-test.sh, docs/benchmarks.md): with idempotent methods
   * only, a quarter of POSTs to a backend of 4 failed with 502 while one endpoint was down and not
   * yet ejected.
   */
  static boolean retriesConnectFailure(boolean retried, boolean enabled) {
    return !retried && enabled;
  }

  /**
   * The endpoint a retry after a connect failure goes to: another of the same balancer (a split's
   * retry stays on its picked backend), or null when it has no other.
   */
  static @Nullable Endpoint otherEndpoint(Balancer balancer, Endpoint failed) {
    Endpoint other = balancer.next(failed);
    return other != null && other != failed ? other : null;
  }

  /**
   * A pooled keep-alive connection that the upstream closed just as we reused it: an idempotent
   * request without a body is retried once, as nginx's proxy_next_upstream does.
   *
   * @param reusedOrNoLease the lease was a reused pooled connection, or there was none (HTTP/2)
   */
  static boolean retriesAfterClose(
      boolean retried,
      Throwable cause,
      boolean reusedOrNoLease,
      HttpMethod method,
      boolean requestHasBody) {
    return !retried
        && cause instanceof HttpClosedException
        && reusedOrNoLease
        && isIdempotent(method)
        && !requestHasBody;
  }

  static boolean isIdempotent(HttpMethod m) {
    return RetryRule.isIdempotent(m.name());
  }

  static boolean isTimeout(@Nullable Throwable t) {
    return t instanceof TimeoutException
        || t instanceof ConnectTimeoutException
        || (t != null && t.getCause() instanceof ConnectTimeoutException);
  }
}
