package io.gatehouse.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A span of a sampled exchange as the event loop records it: ids, {@code System.nanoTime()} stamps
 * and the few values its attributes need, in plain fields. The SDK's batch processor queues it when
 * it ends (a {@link ReadableSpan}); its export thread reads it (a {@link SpanData}), and only there
 * are the attributes, name and status made. Once ended it is never written again, and the queue
 * hands it from the event loop to the export thread.
 *
 * <p>Why not the SDK's own spans (hand-written on purpose, for the event loop's time): through the
 * SDK every sampled exchange ran its builders, attribute maps, locks and clock on the event loop.
 * Measured with every exchange sampled, in one interleaved run against the SDK-span build (issue
 * #18, docs/benchmarks.md "Eighth run"): 39.7 against 43.2 µs of CPU per request, throughput 0.724
 * against 0.702 of an untraced node. The SDK still batches and exports.
 */
abstract sealed class RecordedSpan implements ReadableSpan, SpanData
    permits RecordedSpan.Server, RecordedSpan.Client {

  /** What every span of the node shares. */
  record Scope(Resource resource, InstrumentationScopeInfo info) {}

  final Scope scope;
  final Server exchange;
  final String spanId;
  final long startNanos;
  long endNanos;
  boolean ended;
  private @Nullable SpanContext context;
  private @Nullable Attributes attributes;

  RecordedSpan(Scope scope, @Nullable Server exchange, String spanId, long startNanos) {
    this.scope = scope;
    this.exchange = exchange == null ? (Server) this : exchange;
    this.spanId = spanId;
    this.startNanos = startNanos;
  }

  /** Ends the span now. */
  final void end() {
    endNanos = System.nanoTime();
    ended = true;
  }

  /** The attributes, made on the first read (the export thread's). */
  abstract void attributes(AttributesBuilder b);

  @Override
  public final SpanContext getSpanContext() {
    SpanContext c = context;
    if (c == null) {
      Server x = exchange;
      c = SpanContext.create(x.traceId, spanId, TraceFlags.fromByte(x.flags), x.state);
      context = c;
    }
    return c;
  }

  @Override
  public final Attributes getAttributes() {
    Attributes a = attributes;
    if (a == null) {
      AttributesBuilder b = Attributes.builder();
      attributes(b);
      a = b.build();
      attributes = a;
    }
    return a;
  }

  @Override
  public final <T> @Nullable T getAttribute(AttributeKey<T> key) {
    return getAttributes().get(key);
  }

  @Override
  public final long getStartEpochNanos() {
    return exchange.epochNanos(startNanos);
  }

  @Override
  public final long getEndEpochNanos() {
    return exchange.epochNanos(endNanos);
  }

  @Override
  public final long getLatencyNanos() {
    return (ended ? endNanos : System.nanoTime()) - startNanos;
  }

  @Override
  public final boolean hasEnded() {
    return ended;
  }

  @Override
  public final SpanData toSpanData() {
    return this; // ended spans are not written again
  }

  @Override
  public final List<EventData> getEvents() {
    return List.of();
  }

  @Override
  public final List<LinkData> getLinks() {
    return List.of();
  }

  @Override
  public final int getTotalRecordedEvents() {
    return 0;
  }

  @Override
  public final int getTotalRecordedLinks() {
    return 0;
  }

  @Override
  public final int getTotalAttributeCount() {
    return getAttributes().size();
  }

  @Override
  public final InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope.info();
  }

  @Override
  @Deprecated
  public final InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    InstrumentationScopeInfo info = scope.info();
    return InstrumentationLibraryInfo.create(info.getName(), info.getVersion());
  }

  @Override
  public final Resource getResource() {
    return scope.resource();
  }

  /** The SERVER span: the exchange as the client sent it and as it was answered. */
  static final class Server extends RecordedSpan {
    final String traceId;
    final byte flags;
    final TraceState state;
    final @Nullable String parentSpanId;
    final byte parentFlags;
    private final long epochAtStart;
    final String method;
    final @Nullable String methodOriginal;
    final String path;
    final boolean tls;
    final @Nullable String host;
    final String protocolVersion;
    int status;
    @Nullable String route;
    @Nullable String tenant;

    /** The attempt in flight, if any. */
    @Nullable Client attempt;

    Server(
        Scope scope,
        String traceId,
        String spanId,
        byte flags,
        TraceState state,
        @Nullable String parentSpanId,
        byte parentFlags,
        long epochAtStart,
        long startNanos,
        String method,
        @Nullable String methodOriginal,
        String path,
        boolean tls,
        @Nullable String host,
        String protocolVersion) {
      super(scope, null, spanId, startNanos);
      this.traceId = traceId;
      this.flags = flags;
      this.state = state;
      this.parentSpanId = parentSpanId;
      this.parentFlags = parentFlags;
      this.epochAtStart = epochAtStart;
      this.method = method;
      this.methodOriginal = methodOriginal;
      this.path = path;
      this.tls = tls;
      this.host = host;
      this.protocolVersion = protocolVersion;
    }

    /** The wall-clock time of a {@code System.nanoTime()} stamp, anchored at the span's start. */
    long epochNanos(long nanos) {
      return epochAtStart + (nanos - startNanos);
    }

    @Override
    public String getName() {
      String name = ExchangeTracer.spanName(method);
      return route == null ? name : name + " " + route;
    }

    @Override
    public SpanKind getKind() {
      return SpanKind.SERVER;
    }

    private @Nullable SpanContext parent;

    @Override
    public SpanContext getParentSpanContext() {
      SpanContext p = parent;
      if (p == null) {
        // made once, on the export thread: the exporter may read it more than once
        p =
            parentSpanId == null
                ? SpanContext.getInvalid()
                : SpanContext.createFromRemoteParent(
                    traceId, parentSpanId, TraceFlags.fromByte(parentFlags), state);
        parent = p;
      }
      return p;
    }

    @Override
    public StatusData getStatus() {
      return status >= 500 || status == 0 ? StatusData.error() : StatusData.unset();
    }

    @Override
    void attributes(AttributesBuilder b) {
      b.put(ExchangeTracer.METHOD, method);
      if (methodOriginal != null) {
        b.put(ExchangeTracer.METHOD_ORIGINAL, methodOriginal);
      }
      b.put(ExchangeTracer.URL_PATH, path);
      b.put(ExchangeTracer.URL_SCHEME, tls ? "https" : "http");
      if (host != null) {
        b.put(ExchangeTracer.SERVER_ADDRESS, host);
      }
      b.put(ExchangeTracer.PROTOCOL_VERSION, protocolVersion);
      if (status > 0) {
        b.put(ExchangeTracer.STATUS, (long) status);
      }
      if (status >= 500 || status == 0) {
        // 0: the client left before any answer
        b.put(
            ExchangeTracer.ERROR_TYPE,
            status == 0 ? ExchangeTracer.OTHER : Integer.toString(status));
      }
      if (route != null) {
        b.put(ExchangeTracer.ROUTE, route);
      }
      if (tenant != null) {
        b.put(ExchangeTracer.TENANT, tenant);
      }
    }
  }

  /** A CLIENT span: one upstream attempt, child of its exchange's SERVER span. */
  static final class Client extends RecordedSpan {
    final @Nullable String endpoint;
    final int resends;

    /** The upstream's status, or -1 when it did not answer. */
    int status = -1;

    /** {@code error.type}, or null. */
    @Nullable String error;

    Client(
        Scope scope,
        Server exchange,
        String spanId,
        long startNanos,
        @Nullable String endpoint,
        int resends) {
      super(scope, exchange, spanId, startNanos);
      this.endpoint = endpoint;
      this.resends = resends;
    }

    @Override
    public String getName() {
      return ExchangeTracer.spanName(exchange.method);
    }

    @Override
    public SpanKind getKind() {
      return SpanKind.CLIENT;
    }

    @Override
    public SpanContext getParentSpanContext() {
      return exchange.getSpanContext();
    }

    @Override
    public StatusData getStatus() {
      return error == null ? StatusData.unset() : StatusData.error();
    }

    @Override
    void attributes(AttributesBuilder b) {
      b.put(ExchangeTracer.METHOD, exchange.method);
      String e = endpoint;
      if (e != null) {
        int colon = e.lastIndexOf(':');
        String host = colon > 0 ? e.substring(0, colon) : e;
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        b.put(ExchangeTracer.SERVER_ADDRESS, host);
        long port = colon > 0 ? ExchangeTracer.parsePort(e.substring(colon + 1)) : -1;
        if (port >= 0) {
          b.put(ExchangeTracer.SERVER_PORT, port);
        }
        if (ExchangeTracer.isIpLiteral(host)) {
          b.put(ExchangeTracer.PEER_ADDRESS, host);
          if (port >= 0) {
            b.put(ExchangeTracer.PEER_PORT, port);
          }
        }
      }
      if (resends > 0) {
        b.put(ExchangeTracer.RESEND_COUNT, (long) resends);
      }
      if (status >= 0) {
        b.put(ExchangeTracer.STATUS, (long) status);
      }
      if (error != null) {
        b.put(ExchangeTracer.ERROR_TYPE, error);
      }
    }
  }
}
