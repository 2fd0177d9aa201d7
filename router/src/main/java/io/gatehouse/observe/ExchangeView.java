package io.gatehouse.observe;

import io.gatehouse.endpoint.EndpointsKey;
import io.vertx.core.MultiMap;
import org.jspecify.annotations.Nullable;

/**
 * One request as the node's observers see it. Valid only during an {@link ExchangeObserver}
 * callback, on the request's event loop: it is the exchange itself (no copy per request), so an
 * observer that needs a value later copies it.
 */
public interface ExchangeView {
  /** The request's method, e.g. {@code GET}. */
  String method();

  /**
   * The request's host, lower case without port, as routing saw it; null when the request was
   * refused before its head was accepted (its host is not trusted then).
   */
  @Nullable String host();

  /** The request's path as received (before any rewrite), without the query. */
  String path();

  /** The client's protocol: {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2}. */
  String protocol();

  /** The request came over TLS. */
  boolean tls();

  /**
   * The status the client got or is getting; 0 before any answer started (in {@link
   * ExchangeObserver#started} and {@link ExchangeObserver#attemptSending}).
   */
  int status();

  /** Request body bytes read so far. */
  long bytesIn();

  /** Response body bytes written so far. */
  long bytesOut();

  /** {@link System#nanoTime()} when the exchange began. */
  long startNanos();

  /**
   * {@link System#nanoTime()} when the exchange ended, in {@link ExchangeObserver#ended}: the
   * proxy's own reading, shared so that each observer does not read the clock again (a read costs
   * 25-45 ns on the machines measured). By default, now.
   */
  default long endNanos() {
    return System.nanoTime();
  }

  /**
   * {@link System#nanoTime()} when the attempt being reported ended, in {@link
   * ExchangeObserver#attemptEnded}; by default, now.
   */
  default long attemptEndNanos() {
    return System.nanoTime();
  }

  /** The matched route's id ({@code tenant/name}), or null: no route (default backend, refused). */
  @Nullable String routeId();

  /** The matched route's tenant, or null without a route. */
  @Nullable String tenant();

  /**
   * The endpoints the request was sent to (the picked target's key: a Service port, a named backend
   * or a route's inline endpoints), or null before a pick, for the default backend and for an
   * unresolved backend (Gatehouse answered its fixed status, nothing was sent). A stable key: an
   * observer that labels by backend derives its label once per key.
   */
  @Nullable EndpointsKey backend();

  /** The current attempt's endpoint as {@code host:port}, or null before a pick. */
  @Nullable String endpoint();

  /** The request id (the client's accepted one or a generated one). */
  String requestId();

  /** The client's address (after trusted proxies), or null when unknown. */
  @Nullable String client();

  /** The circuit-breaker limit that refused the request, or null. */
  @Nullable String overflow();

  /** The client's request headers as received (read-only by contract). */
  MultiMap requestHeaders();

  /**
   * The status of the last upstream answer (its head), or 0 when no upstream answered yet. A
   * default, so views made elsewhere (test fakes) need not implement it.
   */
  default int upstreamStatus() {
    return 0;
  }

  /** How many upstream attempts were started so far (retries included). */
  int attempts();

  /**
   * The W3C trace id (32 lower-case hex digits) of the request's trace, or null: set by the tracing
   * observer (continued from {@code traceparent} or started), which runs first, so later observers
   * (the access log) read it.
   */
  @Nullable String traceId();

  void traceId(@Nullable String value);

  /**
   * A slot an observer may keep one object of its own in for the life of the exchange (the tracer
   * keeps its spans); null until set. One owner only: the tracing stage.
   */
  @Nullable Object observation();

  void observation(@Nullable Object value);
}
