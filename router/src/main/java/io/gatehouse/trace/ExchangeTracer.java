package io.gatehouse.trace;

import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.common.Clock;
import io.vertx.core.MultiMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces each exchange: continues the client's {@code traceparent} (or starts a trace), keeps a
 * SERVER span for the request and a CLIENT span per upstream attempt, child of the server span,
 * whose {@code traceparent} replaces the client's on the upstream request. An unsampled trace still
 * gets its ids and propagates (sampled flag 0) but records nothing. Attributes follow the HTTP
 * semantic conventions; no header value, query string or client address is ever recorded.
 */
final class ExchangeTracer implements ExchangeObserver {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeTracer.class);

  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> METHOD_ORIGINAL =
      AttributeKey.stringKey("http.request.method_original");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
  static final AttributeKey<String> PROTOCOL_VERSION =
      AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
  static final AttributeKey<String> TENANT = AttributeKey.stringKey("gatehouse.tenant");

  /** The semantic conventions' value for a method or an error outside their known sets. */
  static final String OTHER = "_OTHER";

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private final Tracer tracer;
  private final Clock clock = Clock.getDefault();

  /**
   * Set once a callback failed: logged once, since a tracer bug would otherwise log per request.
   */
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  ExchangeTracer(Tracer tracer) {
    this.tracer = tracer;
  }

  /** One exchange's spans, kept in the view's observation slot. */
  private static final class Spans {
    final Span server;
    final Context context;
    final String method;
    @Nullable Span client;

    Spans(Span server, String method) {
      this.server = server;
      this.context = server.storeInContext(Context.root());
      this.method = method;
    }
  }

  @Override
  public void started(ExchangeView x) {
    try {
      Context parent = W3C.extract(Context.root(), x.requestHeaders(), HEADERS);
      String method = method(x.method());
      Span server =
          tracer
              .spanBuilder(spanName(method))
              .setParent(parent)
              .setSpanKind(SpanKind.SERVER)
              .startSpan();
      x.traceId(server.getSpanContext().getTraceId());
      x.observation(new Spans(server, method));
      if (server.isRecording()) {
        server.setAttribute(METHOD, method);
        if (method.equals(OTHER)) {
          server.setAttribute(METHOD_ORIGINAL, x.method());
        }
        server.setAttribute(URL_PATH, x.path());
        server.setAttribute(URL_SCHEME, x.tls() ? "https" : "http");
        String host = x.host();
        if (host != null) {
          server.setAttribute(SERVER_ADDRESS, host);
        }
        server.setAttribute(PROTOCOL_VERSION, protocolVersion(x.protocol()));
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void attemptSending(ExchangeView x, MultiMap upstreamHeaders) {
    try {
      Spans s = spans(x);
      if (s == null) {
        return;
      }
      Span previous = s.client;
      if (previous != null) {
        previous.end(); // not reported as ended: the proxy let it go
      }
      Span client = clientSpan(s, x, -1);
      s.client = client;
      // The client's own trace headers name its span, not ours: the upstream gets ours alone.
      upstreamHeaders.remove(TRACEPARENT);
      upstreamHeaders.remove(TRACESTATE);
      W3C.inject(client.storeInContext(Context.root()), upstreamHeaders, HEADERS_OUT);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void attemptEnded(
      ExchangeView x, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
    try {
      Spans s = spans(x);
      if (s == null) {
        return;
      }
      Span client = s.client;
      s.client = null;
      if (client == null) {
        // Nothing was sent (a connect failure): the attempt still gets its span, from its start.
        if (!s.server.isRecording()) {
          return;
        }
        client = clientSpan(s, x, startNanos);
      }
      if (client.isRecording()) {
        String error = null;
        if (outcome == AttemptOutcome.RESPONDED) {
          client.setAttribute(STATUS, (long) status);
          if (status >= 400) {
            error = Integer.toString(status);
          }
        } else {
          error = errorType(outcome);
        }
        if (error != null) {
          client.setAttribute(ERROR_TYPE, error);
          client.setStatus(StatusCode.ERROR);
        }
      }
      client.end();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void ended(ExchangeView x) {
    try {
      Spans s = spans(x);
      if (s == null) {
        return;
      }
      x.observation(null);
      Span client = s.client;
      if (client != null) {
        client.end();
      }
      Span server = s.server;
      if (server.isRecording()) {
        int status = x.status();
        if (status > 0) {
          server.setAttribute(STATUS, (long) status);
        }
        if (status >= 500 || status == 0) {
          // 0: the client left before any answer
          server.setAttribute(ERROR_TYPE, status == 0 ? OTHER : Integer.toString(status));
          server.setStatus(StatusCode.ERROR);
        }
        String route = x.routeId();
        if (route != null) {
          server.setAttribute(ROUTE, route);
          server.updateName(spanName(s.method) + " " + route);
        }
        String tenant = x.tenant();
        if (tenant != null) {
          server.setAttribute(TENANT, tenant);
        }
      }
      server.end();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** A client span under {@code s}'s server span; from {@code startNanos} when not negative. */
  private Span clientSpan(Spans s, ExchangeView x, long startNanos) {
    var builder =
        tracer.spanBuilder(spanName(s.method)).setParent(s.context).setSpanKind(SpanKind.CLIENT);
    if (startNanos >= 0) {
      builder.setStartTimestamp(
          clock.now() - (System.nanoTime() - startNanos), TimeUnit.NANOSECONDS);
    }
    Span client = builder.startSpan();
    if (client.isRecording()) {
      client.setAttribute(METHOD, s.method);
      String endpoint = x.endpoint();
      if (endpoint != null) {
        int colon = endpoint.lastIndexOf(':');
        String host = colon > 0 ? endpoint.substring(0, colon) : endpoint;
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        client.setAttribute(SERVER_ADDRESS, host);
        long port = colon > 0 ? parsePort(endpoint.substring(colon + 1)) : -1;
        if (port >= 0) {
          client.setAttribute(SERVER_PORT, port);
        }
        if (isIpLiteral(host)) {
          client.setAttribute(PEER_ADDRESS, host);
          if (port >= 0) {
            client.setAttribute(PEER_PORT, port);
          }
        }
      }
      int resends = x.attempts() - 1;
      if (resends > 0) {
        client.setAttribute(RESEND_COUNT, (long) resends);
      }
    }
    return client;
  }

  private static @Nullable Spans spans(ExchangeView x) {
    return x.observation() instanceof Spans s ? s : null;
  }

  private void failed(RuntimeException e) {
    if (failureLogged.compareAndSet(false, true)) {
      LOG.atError().setMessage("tracing failed; requests are served untraced").setCause(e).log();
    }
  }

  /** The method as the semantic conventions name it: a known method, else {@code _OTHER}. */
  static String method(String m) {
    return switch (m) {
      case "GET" -> "GET";
      case "HEAD" -> "HEAD";
      case "POST" -> "POST";
      case "PUT" -> "PUT";
      case "DELETE" -> "DELETE";
      case "CONNECT" -> "CONNECT";
      case "OPTIONS" -> "OPTIONS";
      case "TRACE" -> "TRACE";
      case "PATCH" -> "PATCH";
      default -> OTHER;
    };
  }

  /** {@code HTTP} for a method outside the known set, as the conventions name such spans. */
  private static String spanName(String method) {
    return method.equals(OTHER) ? "HTTP" : method;
  }

  /** {@code HTTP/1.1} gives {@code 1.1}, {@code HTTP/2} gives {@code 2}. */
  static String protocolVersion(String protocol) {
    return switch (protocol) {
      case "HTTP/1.1" -> "1.1";
      case "HTTP/2" -> "2";
      case "HTTP/1.0" -> "1.0";
      default -> protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol;
    };
  }

  static String errorType(AttemptOutcome outcome) {
    return switch (outcome) {
      case CONNECT_FAILED -> "connect_failed";
      case RESET -> "reset";
      case TIMED_OUT -> "timeout";
      case RESPONDED -> OTHER;
    };
  }

  private static long parsePort(String s) {
    try {
      int p = Integer.parseInt(s);
      return p >= 0 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // only IPv6 literals hold a colon
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c != '.' && (c < '0' || c > '9')) {
        return false;
      }
    }
    return !host.isEmpty();
  }

  /** Reads the client's trace headers (Vert.x's map is case-insensitive). */
  private static final TextMapGetter<MultiMap> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
          return carrier.names();
        }

        @Override
        public @Nullable String get(@Nullable MultiMap carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  /** Writes the upstream's trace headers, replacing any. */
  private static final TextMapSetter<MultiMap> HEADERS_OUT =
      (carrier, key, value) -> {
        if (carrier != null) {
          carrier.set(key, value);
        }
      };
}
