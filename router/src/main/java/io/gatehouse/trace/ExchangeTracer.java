package io.gatehouse.trace;

import io.gatehouse.observe.AttemptOutcome;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 *
 * <p>The sampling decision is made here, before the SDK is asked for anything: a request that is
 * not sampled (99 in 100 at the default ratio) never reaches the SDK, whose tracer then samples
 * everything it is given. Why: through the SDK an unsampled request cost 460 ns and 960 bytes
 * (builders, non-recording spans, span contexts, contexts, id strings; {@code TracingBenchmark},
 * continuedUnsampled at 0.01); here it costs its trace id and one {@code traceparent} string. The
 * decision is the SDK's own: parent-based (a valid {@code traceparent}'s sampled flag), else the
 * trace-id ratio for a continued trace, else a draw at the ratio for a trace we start (its id is
 * random, so the SDK's ratio test on it is that draw). A sampled exchange is recorded as plain
 * fields ({@link RecordedSpan}) and handed to the SDK's batch processor as it ends; its span data
 * is made on the export thread.
 */
final class ExchangeTracer implements ExchangeObserver {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeTracer.class);

  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";

  /** The same names for header maps: their case-insensitive hash is computed once, not per call. */
  private static final CharSequence TRACEPARENT_NAME = HttpHeaders.createOptimized(TRACEPARENT);

  private static final CharSequence TRACESTATE_NAME = HttpHeaders.createOptimized(TRACESTATE);

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

  private final SpanProcessor processor;
  private final RecordedSpan.Scope scope;
  private final double ratio;
  private final boolean parentBased;
  private final Sampler traceIdRatio;
  private final Clock clock = Clock.getDefault();

  /**
   * Set once a callback failed: logged once, since a tracer bug would otherwise log per request.
   */
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  /**
   * @param processor takes each recorded span when it ends (the batch processor: a queue and its
   *     export thread)
   */
  ExchangeTracer(
      SpanProcessor processor, RecordedSpan.Scope scope, double ratio, boolean parentBased) {
    this.processor = processor;
    this.scope = scope;
    this.ratio = ratio;
    this.parentBased = parentBased;
    this.traceIdRatio = Sampler.traceIdRatioBased(ratio);
  }

  /**
   * An exchange not sampled: its trace id, and what its upstream {@code traceparent} carries
   * besides a new span id: the trace-flags byte (sampled clear; W3C level 2's random-id flag kept)
   * and the client's {@code tracestate}, parsed by the SDK only when there is one.
   */
  private record Unsampled(String traceId, byte flags, @Nullable TraceState state) {}

  @Override
  public void started(ExchangeView x) {
    try {
      MultiMap headers = x.requestHeaders();
      String traceparent = headers.get(TRACEPARENT_NAME);
      if (traceparent != null && !validTraceparent(traceparent)) {
        traceparent = null; // as the SDK: a new trace, the client's tracestate dropped
      }
      if (!sampled(traceparent)) {
        unsampled(x, headers, traceparent);
        return;
      }
      long now = System.nanoTime();
      String traceId;
      String parentSpanId = null;
      byte parentFlags = 0;
      byte flags;
      TraceState state = TraceState.getDefault();
      if (traceparent == null) {
        traceId = newTraceId();
        flags = SAMPLED_FLAG | RANDOM_FLAG;
      } else {
        traceId = traceparent.substring(3, 35);
        parentSpanId = traceparent.substring(36, 52);
        parentFlags =
            (byte) (hexValue(traceparent.charAt(53)) << 4 | hexValue(traceparent.charAt(54)));
        flags = (byte) (SAMPLED_FLAG | (parentFlags & RANDOM_FLAG));
        TraceState client = clientState(headers);
        if (client != null) {
          state = client;
        }
      }
      String method = method(x.method());
      RecordedSpan.Server server =
          new RecordedSpan.Server(
              scope,
              traceId,
              hex(nonZero()),
              flags,
              state,
              parentSpanId,
              parentFlags,
              clock.now(),
              now,
              method,
              method.equals(OTHER) ? x.method() : null,
              x.path(),
              x.tls(),
              x.host(),
              protocolVersion(x.protocol()));
      x.traceId(traceId);
      x.observation(server);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void attemptSending(ExchangeView x, MultiMap upstreamHeaders) {
    try {
      Object observation = x.observation();
      if (observation instanceof Unsampled u) {
        upstreamHeaders.remove(TRACEPARENT_NAME);
        upstreamHeaders.remove(TRACESTATE_NAME);
        if (u.state() == null) {
          upstreamHeaders.set(
              TRACEPARENT_NAME, traceparent(u.traceId(), hex(nonZero()), u.flags()));
        } else {
          SpanContext child =
              SpanContext.create(
                  u.traceId(), hex(nonZero()), TraceFlags.fromByte(u.flags()), u.state());
          W3C.inject(Span.wrap(child).storeInContext(Context.root()), upstreamHeaders, HEADERS_OUT);
        }
        return;
      }
      if (!(observation instanceof RecordedSpan.Server s)) {
        return;
      }
      RecordedSpan.Client previous = s.attempt;
      if (previous != null) {
        end(previous); // without an outcome: the proxy let it go
      }
      RecordedSpan.Client client =
          new RecordedSpan.Client(
              scope, s, hex(nonZero()), System.nanoTime(), x.endpoint(), x.attempts() - 1);
      s.attempt = client;
      // The client's own trace headers name its span, not ours: the upstream gets ours alone.
      upstreamHeaders.remove(TRACEPARENT_NAME);
      upstreamHeaders.remove(TRACESTATE_NAME);
      if (s.state.isEmpty()) {
        upstreamHeaders.set(TRACEPARENT_NAME, traceparent(s.traceId, client.spanId, s.flags));
      } else {
        W3C.inject(
            Span.wrap(client.getSpanContext()).storeInContext(Context.root()),
            upstreamHeaders,
            HEADERS_OUT);
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void attemptEnded(
      ExchangeView x, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
    try {
      if (!(x.observation() instanceof RecordedSpan.Server s)) {
        return;
      }
      RecordedSpan.Client client = s.attempt;
      s.attempt = null;
      if (client == null) {
        // Nothing was sent (a connect failure): the attempt still gets its span, from its start.
        client =
            new RecordedSpan.Client(
                scope, s, hex(nonZero()), startNanos, x.endpoint(), x.attempts() - 1);
      }
      if (outcome == AttemptOutcome.RESPONDED) {
        client.status = status;
        if (status >= 400) {
          client.error = Integer.toString(status);
        }
      } else {
        client.error = errorType(outcome);
      }
      end(client);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void ended(ExchangeView x) {
    try {
      Object observation = x.observation();
      if (observation instanceof Unsampled) {
        x.observation(null);
        return;
      }
      if (!(observation instanceof RecordedSpan.Server s)) {
        return;
      }
      x.observation(null);
      RecordedSpan.Client client = s.attempt;
      if (client != null) {
        s.attempt = null;
        end(client);
      }
      s.status = x.status();
      s.route = x.routeId();
      s.tenant = x.tenant();
      end(s);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Ends {@code span} and hands it to the batch processor; it is not written again. */
  private void end(RecordedSpan span) {
    span.end();
    processor.onEnd(span);
  }

  /** The client's valid {@code tracestate}, parsed by the SDK (rare), or null. */
  private static @Nullable TraceState clientState(MultiMap headers) {
    if (!headers.contains(TRACESTATE_NAME)) {
      return null;
    }
    TraceState state =
        Span.fromContext(W3C.extract(Context.root(), headers, HEADERS))
            .getSpanContext()
            .getTraceState();
    return state.isEmpty() ? null : state;
  }

  /**
   * Whether to sample an exchange whose valid {@code traceparent} is {@code parent} (null: none or
   * malformed), as {@code parentBased(traceIdRatioBased(ratio))} or {@code
   * traceIdRatioBased(ratio)} would.
   */
  private boolean sampled(@Nullable String parent) {
    if (parent == null) {
      return ratio >= 1 || (ratio > 0 && ThreadLocalRandom.current().nextDouble() < ratio);
    }
    if (parentBased) {
      return (hexValue(parent.charAt(54)) & 1) != 0;
    }
    return traceIdRatio
            .shouldSample(
                Context.root(),
                parent.substring(3, 35),
                "",
                SpanKind.SERVER,
                Attributes.empty(),
                List.of())
            .getDecision()
        == SamplingDecision.RECORD_AND_SAMPLE;
  }

  /** Keeps an unsampled exchange's ids; the SDK is not asked. */
  private static void unsampled(ExchangeView x, MultiMap headers, @Nullable String parent) {
    String traceId;
    byte flags;
    TraceState state = null;
    if (parent == null) {
      traceId = newTraceId();
      flags = RANDOM_FLAG; // our id is random (W3C Trace Context level 2), as the SDK marks it
    } else {
      traceId = parent.substring(3, 35);
      flags = (byte) (hexValue(parent.charAt(54)) & RANDOM_FLAG);
      state = clientState(headers); // rare: the SDK parses (and drops when invalid) the client's
    }
    x.traceId(traceId);
    x.observation(new Unsampled(traceId, flags, state));
  }

  /** A new random trace id. */
  private static String newTraceId() {
    byte[] id = new byte[32];
    hex(ThreadLocalRandom.current().nextLong(), id, 0);
    hex(nonZero(), id, 16);
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  private static final byte SAMPLED_FLAG = 0x01;

  /** W3C Trace Context level 2's random-trace-id flag. */
  private static final byte RANDOM_FLAG = 0x02;

  /**
   * Whether {@code value} is a {@code traceparent} the SDK's propagator accepts: version (not
   * {@code ff}; exactly 55 characters for {@code 00}, a dash after them for later versions), a
   * trace id and a parent id in lower-case hex and not all zeros, two hex digits of flags.
   */
  static boolean validTraceparent(String value) {
    int length = value.length();
    if (length < 55
        || value.charAt(2) != '-'
        || value.charAt(35) != '-'
        || value.charAt(52) != '-'
        || !lowerHex(value, 0, 2)
        || value.startsWith("ff")
        || (value.startsWith("00") ? length != 55 : length > 55 && value.charAt(55) != '-')) {
      return false;
    }
    return lowerHex(value, 3, 35)
        && !zeros(value, 3, 35)
        && lowerHex(value, 36, 52)
        && !zeros(value, 36, 52)
        && lowerHex(value, 53, 55);
  }

  private static boolean lowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static int hexValue(char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  }

  private static long nonZero() {
    long v;
    do {
      v = ThreadLocalRandom.current().nextLong();
    } while (v == 0);
    return v;
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  /** {@code value} as 16 lower-case hex digits into {@code out} from {@code at}. */
  private static void hex(long value, byte[] out, int at) {
    for (int i = at + 15; i >= at; i--) {
      out[i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  /** {@code value} as 16 lower-case hex digits. */
  private static String hex(long value) {
    byte[] out = new byte[16];
    hex(value, out, 0);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** {@code 00-<trace id>-<span id>-<flags>}, built in one array. */
  private static String traceparent(String traceId, String spanId, byte flags) {
    byte[] out = new byte[55];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    for (int i = 0; i < 32; i++) {
      out[3 + i] = (byte) traceId.charAt(i);
    }
    out[35] = '-';
    for (int i = 0; i < 16; i++) {
      out[36 + i] = (byte) spanId.charAt(i);
    }
    out[52] = '-';
    out[53] = HEX[(flags >> 4) & 0xf];
    out[54] = HEX[flags & 0xf];
    return new String(out, StandardCharsets.ISO_8859_1);
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
  static String spanName(String method) {
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

  static long parsePort(String s) {
    try {
      int p = Integer.parseInt(s);
      return p >= 0 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static boolean isIpLiteral(String host) {
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
