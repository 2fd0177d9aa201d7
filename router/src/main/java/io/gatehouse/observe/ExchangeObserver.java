package io.gatehouse.observe;

import io.vertx.core.MultiMap;
import java.util.List;

/**
 * What the proxy tells the node's observers (metrics, tracing, access log), on the request's event
 * loop. Each callback must be cheap and must not block: anything slow (writing a log line,
 * exporting a span) is handed to another thread. An observer that throws breaks the request, so
 * none may.
 *
 * <p>Order per exchange: {@link #started} once; per upstream attempt {@link #attemptSending} then
 * {@link #attemptEnded}; {@link #ended} exactly once, last (also for requests refused before
 * routing, where {@link ExchangeView#host()} is null).
 */
public interface ExchangeObserver {
  /** Observes nothing: what the proxy calls when nothing is configured. */
  ExchangeObserver NONE = new ExchangeObserver() {};

  /** The request's head was read (and accepted, unless {@link ExchangeView#host()} is null). */
  default void started(ExchangeView exchange) {}

  /**
   * An upstream attempt is about to send its head: {@code upstreamHeaders} are that attempt's own
   * request headers, which the observer may add to (the tracer's {@code traceparent}).
   */
  default void attemptSending(ExchangeView exchange, MultiMap upstreamHeaders) {}

  /**
   * An upstream attempt ended: answered ({@code status} is the upstream's) or failed ({@code
   * status} 0). {@code startNanos} is when the attempt began connecting; {@code retry} is true for
   * every attempt after the first.
   */
  default void attemptEnded(
      ExchangeView exchange, AttemptOutcome outcome, int status, long startNanos, boolean retry) {}

  /** The exchange ended: answered, reset or abandoned by the client. */
  default void ended(ExchangeView exchange) {}

  /**
   * A client connection was accepted (and admitted by the connection limits) on the plain ({@code
   * tls} false) or the HTTPS listener; over TLS, after its handshake. Called on its event loop.
   */
  default void connectionOpened(boolean tls) {}

  /** A connection {@link #connectionOpened} reported has closed. */
  default void connectionClosed(boolean tls) {}

  /**
   * A client's TLS handshake completed: {@code version} as the engine names it ({@code TLSv1.3}),
   * {@code resumed} 1 for a resumed session, 0 for a full handshake, -1 when the engine cannot
   * tell.
   */
  default void tlsHandshake(String version, int resumed) {}

  /** One observer calling each of {@code observers} in order; {@link #NONE} for none. */
  static ExchangeObserver of(List<ExchangeObserver> observers) {
    List<ExchangeObserver> list = observers.stream().filter(o -> o != NONE).toList();
    if (list.isEmpty()) {
      return NONE;
    }
    if (list.size() == 1) {
      return list.get(0);
    }
    if (list.size() == 2) {
      return new Two(list.get(0), list.get(1));
    }
    ExchangeObserver[] all = list.toArray(ExchangeObserver[]::new);
    return new ExchangeObserver() {
      @Override
      public void started(ExchangeView exchange) {
        for (ExchangeObserver o : all) {
          o.started(exchange);
        }
      }

      @Override
      public void attemptSending(ExchangeView exchange, MultiMap upstreamHeaders) {
        for (ExchangeObserver o : all) {
          o.attemptSending(exchange, upstreamHeaders);
        }
      }

      @Override
      public void attemptEnded(
          ExchangeView exchange,
          AttemptOutcome outcome,
          int status,
          long startNanos,
          boolean retry) {
        for (ExchangeObserver o : all) {
          o.attemptEnded(exchange, outcome, status, startNanos, retry);
        }
      }

      @Override
      public void ended(ExchangeView exchange) {
        for (ExchangeObserver o : all) {
          o.ended(exchange);
        }
      }

      @Override
      public void connectionOpened(boolean tls) {
        for (ExchangeObserver o : all) {
          o.connectionOpened(tls);
        }
      }

      @Override
      public void connectionClosed(boolean tls) {
        for (ExchangeObserver o : all) {
          o.connectionClosed(tls);
        }
      }

      @Override
      public void tlsHandshake(String version, int resumed) {
        for (ExchangeObserver o : all) {
          o.tlsHandshake(version, resumed);
        }
      }
    };
  }

  /**
   * Two observers (metrics or tracing beside the access log, the common case): a call site per
   * observer, so that each sees one class and the JIT inlines it; the array loop's one call site
   * sees them all and dispatches through the interface table.
   */
  final class Two implements ExchangeObserver {
    private final ExchangeObserver a;
    private final ExchangeObserver b;

    Two(ExchangeObserver a, ExchangeObserver b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void started(ExchangeView exchange) {
      a.started(exchange);
      b.started(exchange);
    }

    @Override
    public void attemptSending(ExchangeView exchange, MultiMap upstreamHeaders) {
      a.attemptSending(exchange, upstreamHeaders);
      b.attemptSending(exchange, upstreamHeaders);
    }

    @Override
    public void attemptEnded(
        ExchangeView exchange, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
      a.attemptEnded(exchange, outcome, status, startNanos, retry);
      b.attemptEnded(exchange, outcome, status, startNanos, retry);
    }

    @Override
    public void ended(ExchangeView exchange) {
      a.ended(exchange);
      b.ended(exchange);
    }

    @Override
    public void connectionOpened(boolean tls) {
      a.connectionOpened(tls);
      b.connectionOpened(tls);
    }

    @Override
    public void connectionClosed(boolean tls) {
      a.connectionClosed(tls);
      b.connectionClosed(tls);
    }

    @Override
    public void tlsHandshake(String version, int resumed) {
      a.tlsHandshake(version, resumed);
      b.tlsHandshake(version, resumed);
    }
  }
}
