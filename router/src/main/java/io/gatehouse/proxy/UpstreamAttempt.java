package io.gatehouse.proxy;

import io.gatehouse.health.OutlierDetector;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.Split;
import io.gatehouse.snapshot.StickyCookies;
import io.gatehouse.snapshot.Target;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.Http1Connections;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
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
 */
abstract class UpstreamAttempt extends LiveExchanges.Member {
  // The exchange's category, as before this class was carved out of it: log settings keep working.
  private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

  final LoopServices loop;

  @Nullable Balancer balancer;

  /** How the chosen backend is reached: from the route's target, or the default backend's. */
  @Nullable UpstreamProtocol protocol;

  @Nullable UpstreamTls upstreamTls;
  @Nullable Endpoint endpoint;

  /** The route's target the pick chose (its policy, slot); null for the default backend. */
  @Nullable Target target;

  boolean retried;
  @Nullable HttpClientRequest upstream;
  Http1Connections.@Nullable Lease lease;

  /** The {@code Set-Cookie} a sticky split's weighted pick asks for on the answer, or null. */
  @Nullable String splitCookie;

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

  /** The request's {@code Cookie} fields, in order (asked of sticky splits only). */
  abstract List<String> cookieFields();

  /** Whether the request came over TLS (a sticky cookie's default {@code Secure}). */
  public abstract boolean tls();

  // ---------------------------------------------------------------- pick

  /**
   * Picks the backend (the default backend's when {@code route} is null, else the route's target or
   * its split's pick) and its first endpoint; false when it has none.
   */
  final boolean pick(LoopState state, @Nullable CompiledRoute route) {
    RouterSettings s = loop.settings();
    if (route == null) {
      balancer = loop.defaultBalancer();
      protocol = s.defaultBackend().protocol();
      upstreamTls = s.defaultBackend().tls();
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
        int slot = target.slot();
        balancer = state.balancers().forSlot(slot, target.key(), s.endpoints().get(slot));
      }
      protocol = target.protocol();
      upstreamTls = target.tls();
      this.target = target;
    }
    endpoint = balancer.next();
    // health: a minimal skip of unavailable endpoints until lb's balancers filter them (lb's
    // version replaces this block at merge).
    endpoint = AvailableEndpoints.skipUnavailable(balancer, endpoint, s.availability());
    return endpoint != null;
  }

  // ---------------------------------------------------------------- connect

  final void connectUnlessFinished() {
    if (!isFinished()) {
      connect();
    }
  }

  final void connect() {
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
    Http1Connections cache;
    HttpClientAgent client;
    try {
      cache = loop.clients().http1Connections(upstreamTls);
      client = loop.clients().client(protocol, upstreamTls);
    } catch (RuntimeException e) {
      // A setting the validator let through but the TLS stack refused: no key material in e.
      LOG.warn("upstream TLS setting unusable for route {}: {}", routeId(), e.getMessage());
      attemptFailed(502, GrpcReplies.statusFor(502));
      return;
    }
    if (protocol == UpstreamProtocol.HTTP1 && !tunnel) {
      cache
          .acquire(endpoint, connectTimeoutMillis())
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  if (!isFinished()) {
                    onConnectFailure(ar.cause());
                  }
                  return;
                }
                lease = ar.result();
                if (isFinished()) {
                  releaseLease(false);
                  return;
                }
                lease.connection().request(options).onComplete(this::onRequestCreated);
              });
      return;
    }
    client.request(options).onComplete(this::onRequestCreated);
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
    reportOutcome(OutlierDetector.GATEWAY_ERROR);
    Balancer b = balancer; // both set by the pick that preceded the connect
    Endpoint failed = endpoint;
    if (b != null
        && failed != null
        && retriesConnectFailure(
            retried, loop.settings().retryConnectFailures(), upstreamMethod())) {
      Endpoint other = otherEndpoint(b, failed);
      if (other != null) {
        retried = true;
        endpoint = other;
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

  // ---------------------------------------------------------------- retry rules

  /**
   * A failed connect is retried once, on another endpoint, when the node allows it and the method
   * is idempotent.
   */
  static boolean retriesConnectFailure(boolean retried, boolean enabled, HttpMethod method) {
    return !retried && enabled && isIdempotent(method);
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
    return m == HttpMethod.GET
        || m == HttpMethod.HEAD
        || m == HttpMethod.OPTIONS
        || m == HttpMethod.TRACE
        || m == HttpMethod.PUT
        || m == HttpMethod.DELETE;
  }

  static boolean isTimeout(@Nullable Throwable t) {
    return t instanceof TimeoutException
        || t instanceof ConnectTimeoutException
        || (t != null && t.getCause() instanceof ConnectTimeoutException);
  }
}
