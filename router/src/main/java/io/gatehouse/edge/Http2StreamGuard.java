package io.gatehouse.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Resets an HTTP/2 stream whose header block breaks the field rules of RFC 9113 §8.2.1 with
 * PROTOCOL_ERROR, before Vert.x turns it into a request: so nothing is routed, no upstream
 * connection is opened and nothing is logged for it. Netty checks pseudo-header order and
 * connection-specific fields, but lets CR, LF and NUL in values, and colons, spaces and control
 * characters in names, through to Vert.x, which then throws only when the proxy copies the header.
 *
 * <p>It also cuts a connection that floods frames which cost the server work but carry no request
 * (SETTINGS, PING, PRIORITY, RST_STREAM, WINDOW_UPDATE of less than 1 KiB): a token bucket per
 * connection, {@link #CONTROL_BURST} frames at once ({@link #CONTROL_BURST_BEFORE_REQUEST} before
 * the connection's first request) and {@link #CONTROL_PER_SECOND} a second after that, as Envoy and
 * HAProxy bound such frames. Past it, GOAWAY(ENHANCE_YOUR_CALM) and close; one log line a second at
 * most for all such cuts. After any GOAWAY with an error the connection decodes nothing more.
 *
 * <p>And it resets streams that hold a slot while doing nothing: a stream whose request has not
 * ended, that has received no HEADERS or DATA frame for the idle limit (the header-read deadline),
 * and whose response has not started or is complete. {@link #sweep} runs from the router's periodic
 * sweep, not from a timer per stream. Such streams get RST_STREAM(CANCEL); a connection whose open
 * streams are all such streams is closed with GOAWAY. A stream that has sent body bytes and stalls
 * before the response is left to the route's body-inactivity limit, and one whose response is being
 * sent to the exchange's own deadlines. One log line a second at most.
 *
 * <p>The keep-alive idle limit is for a connection without streams (as nginx's keepalive_timeout
 * and Envoy's idle_timeout): {@link KeepAliveGate} holds back Vert.x's idle event while a stream is
 * open, which Vert.x answers by closing the connection whatever its streams are doing.
 *
 * <p>Hand-written: Netty has no switch for these checks on the server decoder that Vert.x builds.
 * Sits in the decoder's frame listener chain (public Netty API), so it sees each header block once,
 * after HPACK decoding; one pass over the bytes, no allocation.
 */
public final class Http2StreamGuard extends Http2FrameListenerDecorator {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(Http2StreamGuard.class);

  /** Control frames a connection may send at once; a browser sends a handful. */
  static final int CONTROL_BURST = 1_000;

  /**
   * Control frames a connection may send at once before it opens its first stream. A client's first
   * flight holds a few (SETTINGS, WINDOW_UPDATE, a browser's PRIORITY tree); a connection that
   * floods before asking for anything costs the event loop, and every other connection on it, the
   * work of each frame it is allowed, so it gets a tenth of the burst.
   */
  static final int CONTROL_BURST_BEFORE_REQUEST = 100;

  /** Control frames a second a connection may send after its burst. */
  static final int CONTROL_PER_SECOND = 100;

  /** A WINDOW_UPDATE smaller than this counts as a control frame. */
  static final int SMALL_WINDOW_UPDATE = 1024;

  private static final long NANOS_PER_TOKEN = 1_000_000_000L / CONTROL_PER_SECOND;

  /** When the next cut may be logged, and how many cuts were not logged since. */
  private static final LogBudget CUT_LOG = new LogBudget();

  private static final AtomicLong UNLOGGED = new AtomicLong();

  private static final LogBudget IDLE_LOG = new LogBudget();
  private static final AtomicLong UNLOGGED_IDLE_STREAMS = new AtomicLong();
  private static final AtomicLong UNLOGGED_IDLE_CONNECTIONS = new AtomicLong();

  /** The token bucket's level, as the time it is full again (System.nanoTime). */
  private long controlFullAt;

  /** The bucket's size in nanoseconds of refill: small until the client opens a stream. */
  private long controlBurstNanos = CONTROL_BURST_BEFORE_REQUEST * NANOS_PER_TOKEN;

  private final Http2ConnectionHandler handler;
  private final ChannelHandlerContext handlerContext;

  /** The stream-state rules ahead of Netty's decoder; null when it could not be placed. */
  private final @Nullable Http2FrameScanner scanner;

  /** Per stream: its {@link RequestClock}. */
  private final Http2Connection.PropertyKey clockKey;

  /** Ids of the streams one sweep resets; grown as needed, reused. */
  private int[] idle = new int[8];

  /** When a stream's request last made progress, and whether it has sent body bytes. */
  private static final class RequestClock {
    long lastFrame;
    boolean body;
  }

  private Http2StreamGuard(
      Http2FrameListener listener,
      Http2ConnectionHandler handler,
      ChannelHandlerContext ctx,
      @Nullable Http2FrameScanner scanner) {
    super(listener);
    this.handler = handler;
    this.handlerContext = ctx;
    this.scanner = scanner;
    this.clockKey = handler.connection().newKey();
    controlFullAt = System.nanoTime();
    handler.connection().addListener(new LingerAtCut(scanner, ctx.channel()));
  }

  /**
   * A GOAWAY with an error code (this guard's cut, the scanner's, Netty's rapid-reset or empty-DATA
   * limits): nothing more the client sent is worth decoding, and the close lingers so the client
   * gets to read the GOAWAY ({@link Http2FrameScanner}). Netty skips the rest of the current read
   * but would go on decoding later reads until its close runs; a flooder's queued bytes now cost
   * only their reading. Every GOAWAY also goes to {@link RepeatOffenders}, which counts the
   * ENHANCE_YOUR_CALM ones against the client's address.
   */
  private static final class LingerAtCut extends Http2ConnectionAdapter {
    private final @Nullable Http2FrameScanner scanner;
    private final Channel channel;

    LingerAtCut(@Nullable Http2FrameScanner scanner, Channel channel) {
      this.scanner = scanner;
      this.channel = channel;
    }

    @Override
    public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
      RepeatOffenders.goAwaySent(channel, errorCode);
      // REFUSED_STREAM: Netty's graceful GOAWAY when the stream ids run out; open streams finish.
      if (scanner != null
          && errorCode != Http2Error.NO_ERROR.code()
          && errorCode != Http2Error.REFUSED_STREAM.code()) {
        scanner.cut();
      }
    }
  }

  /**
   * Node shutdown: a cut connection still draining its input closes now, and later cuts do not
   * linger. Called from any thread.
   */
  public void endLingering() {
    if (scanner == null) {
      return;
    }
    if (handlerContext.executor().inEventLoop()) {
      scanner.endLingering();
    } else {
      handlerContext.executor().execute(scanner::endLingering);
    }
  }

  /**
   * Wraps the frame listener of the channel's HTTP/2 handler and puts an {@link Http2FrameScanner}
   * in front of it; a no-op for an HTTP/1 channel. Vert.x sets its listener when the client's first
   * SETTINGS frame is read and reports the connection right after, so wrapping it in the server's
   * connection handler covers every header block.
   */
  public static @Nullable Http2StreamGuard install(Channel channel) {
    Http2ConnectionHandler handler = channel.pipeline().get(Http2ConnectionHandler.class);
    if (handler == null) {
      return null;
    }
    Http2ConnectionDecoder decoder = handler.decoder();
    Http2FrameListener current = decoder.frameListener();
    if (current instanceof Http2StreamGuard guard) {
      return guard;
    }
    if (current == null) {
      return null;
    }
    ChannelHandlerContext ctx = channel.pipeline().context(handler);
    channel.pipeline().addBefore(ctx.name(), null, new KeepAliveGate(handler.connection()));
    Http2StreamGuard guard =
        new Http2StreamGuard(current, handler, ctx, Http2FrameScanner.install(handler, ctx));
    decoder.frameListener(guard);
    return guard;
  }

  /**
   * Resets the streams idle for {@code idleNanos} (see the class comment) and closes the connection
   * when they are all its open streams. Called from any thread; runs on the channel's event loop.
   */
  public void sweep(long now, long idleNanos) {
    if (!handlerContext.executor().inEventLoop()) {
      handlerContext.executor().execute(() -> sweep(System.nanoTime(), idleNanos));
      return;
    }
    if (handlerContext.isRemoved()) {
      return;
    }
    if (scanner != null) {
      long since = scanner.headerBlockSince();
      if (since != -1 && now - since >= idleNanos) {
        // A header block blocks every other stream of the connection until it completes.
        scanner.cutIncompleteHeaderBlock();
        return;
      }
    }
    Http2Connection connection = handler.connection();
    int active = connection.numActiveStreams();
    if (active == 0) {
      return;
    }
    if (idle.length < active) {
      idle = new int[Math.max(active, idle.length * 2)];
    }
    int[] n = {0};
    try {
      connection.forEachActiveStream(
          stream -> {
            if (isIdle(stream, now, idleNanos) && n[0] < idle.length) {
              idle[n[0]++] = stream.id();
            }
            return true;
          });
    } catch (Http2Exception e) {
      throw new IllegalStateException(e); // the visitor throws nothing
    }
    if (n[0] == 0) {
      return;
    }
    for (int i = 0; i < n[0]; i++) {
      handler.resetStream(
          handlerContext, idle[i], Http2Error.CANCEL.code(), handlerContext.newPromise());
    }
    boolean closeConnection = n[0] == active;
    Channel channel = handlerContext.channel();
    if (closeConnection) {
      // Through the whole pipeline: Netty's handler answers close with GOAWAY(NO_ERROR).
      channel.close();
    } else {
      channel.flush();
    }
    logIdle(channel, n[0], closeConnection);
  }

  /**
   * Passes Vert.x's keep-alive idle event (from the {@code IdleStateHandler} ahead of it) on to the
   * HTTP/2 handler, which closes the connection on it, only when the connection has no open stream.
   * Vert.x's handler closes regardless, so a slow upstream within the route's timeout, a paused
   * request body, a server-sent event stream or a download the client paused lost its connection
   * after the keep-alive idle limit of silence, and every other stream on it with it. An open
   * stream is bounded instead by the idle rule above and by its exchange's deadlines (response
   * timeout, body inactivity, whole request). The idle handler fires again a keep-alive limit later
   * while the connection stays silent, so it still closes once the last stream is gone.
   */
  static final class KeepAliveGate extends ChannelInboundHandlerAdapter {
    private final Http2Connection connection;

    KeepAliveGate(Http2Connection connection) {
      this.connection = connection;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent && connection.numActiveStreams() > 0) {
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  private boolean isIdle(Http2Stream stream, long now, long idleNanos) {
    Http2Stream.State state = stream.state();
    if (state != Http2Stream.State.OPEN && state != Http2Stream.State.HALF_CLOSED_LOCAL) {
      return false; // the request has ended
    }
    RequestClock clock = stream.getProperty(clockKey);
    if (clock == null || now - clock.lastFrame < idleNanos) {
      return false;
    }
    if (state == Http2Stream.State.HALF_CLOSED_LOCAL) {
      return true; // the response is complete: nothing left for the stream to do
    }
    // Response under way: the exchange's deadlines. Body started: the body-inactivity limit.
    return !stream.isHeadersSent() && !clock.body;
  }

  private void touch(int streamId, boolean body) {
    Http2Stream stream = handler.connection().stream(streamId);
    if (stream == null) {
      return;
    }
    RequestClock clock = stream.getProperty(clockKey);
    if (clock == null) {
      clock = new RequestClock();
      stream.setProperty(clockKey, clock);
    }
    clock.lastFrame = System.nanoTime();
    clock.body |= body;
  }

  private static void logIdle(Channel channel, int streams, boolean closed) {
    if (IDLE_LOG.due()) {
      LOG.info(
          "HTTP/2 streams idle past the header-read deadline reset: {} on the connection from {}"
              + "{}; {} more streams reset and {} more connections closed since the last line",
          streams,
          channel.remoteAddress(),
          closed ? ", which was closed" : "",
          UNLOGGED_IDLE_STREAMS.getAndSet(0),
          UNLOGGED_IDLE_CONNECTIONS.getAndSet(0));
    } else {
      UNLOGGED_IDLE_STREAMS.addAndGet(streams);
      if (closed) {
        UNLOGGED_IDLE_CONNECTIONS.incrementAndGet();
      }
    }
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end)
      throws Http2Exception {
    check(streamId, headers);
    touch(streamId, false);
    super.onHeadersRead(ctx, streamId, headers, padding, end);
    requestSeen();
    delivered(streamId);
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean end)
      throws Http2Exception {
    check(streamId, headers);
    touch(streamId, false);
    super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, end);
    requestSeen();
    delivered(streamId);
  }

  /** A well-formed header block: from now on the full burst applies. */
  private void requestSeen() {
    controlBurstNanos = CONTROL_BURST * NANOS_PER_TOKEN;
  }

  /** Vert.x has the stream now, unless it refused the request (see {@link Http2FrameScanner}). */
  private void delivered(int streamId) {
    if (scanner != null) {
      scanner.delivered(streamId);
    }
  }

  @Override
  public int onDataRead(
      ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
      throws Http2Exception {
    touch(streamId, true);
    return super.onDataRead(ctx, streamId, data, padding, endOfStream);
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings)
      throws Http2Exception {
    spendControl(ctx, "SETTINGS");
    super.onSettingsRead(ctx, settings);
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    spendControl(ctx, "PING");
    super.onPingRead(ctx, data);
  }

  @Override
  public void onPriorityRead(
      ChannelHandlerContext ctx, int streamId, int dependency, short weight, boolean exclusive)
      throws Http2Exception {
    spendControl(ctx, "PRIORITY");
    super.onPriorityRead(ctx, streamId, dependency, weight, exclusive);
  }

  @Override
  public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int increment)
      throws Http2Exception {
    if (increment < SMALL_WINDOW_UPDATE) {
      // A reader that consumes a large body sends many updates, each worth a DATA frame or more;
      // only the tiny ones that buy nothing count.
      spendControl(ctx, "WINDOW_UPDATE");
    }
    super.onWindowUpdateRead(ctx, streamId, increment);
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode)
      throws Http2Exception {
    spendControl(ctx, "RST_STREAM");
    super.onRstStreamRead(ctx, streamId, errorCode);
  }

  /**
   * Takes one token; an empty bucket is a connection error. The bucket is kept as the time it is
   * full again, so a frame costs one subtraction and no timer.
   */
  private void spendControl(ChannelHandlerContext ctx, String frame) throws Http2Exception {
    long now = System.nanoTime();
    long fullAt = Math.max(controlFullAt, now) + NANOS_PER_TOKEN;
    if (fullAt - now > controlBurstNanos) {
      logCut(ctx, frame);
      throw Http2Exception.connectionError(
          Http2Error.ENHANCE_YOUR_CALM, "too many %s frames", frame);
    }
    controlFullAt = fullAt;
  }

  private static void logCut(ChannelHandlerContext ctx, String frame) {
    if (CUT_LOG.due()) {
      LOG.warn(
          "HTTP/2 connection from {} cut: more than {} control frames at once or {} a second"
              + " (last {}); {} more cut since the last line",
          ctx.channel().remoteAddress(),
          CONTROL_BURST,
          CONTROL_PER_SECOND,
          frame,
          UNLOGGED.getAndSet(0));
    } else {
      UNLOGGED.incrementAndGet();
    }
  }

  private static void check(int streamId, Http2Headers headers) throws Http2Exception {
    String problem = malformed(headers);
    if (problem != null) {
      // A stream error: Netty answers RST_STREAM(PROTOCOL_ERROR) and Vert.x never sees the stream.
      throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "%s", problem);
    }
  }

  /** Why the header block is malformed under RFC 9113 §8.2.1, or null when it is not. */
  static @Nullable String malformed(Http2Headers headers) {
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence name = field.getKey();
      int n = name.length();
      if (n == 0) {
        return "empty field name";
      }
      // A pseudo-header starts with one colon; Netty has checked which ones exist.
      for (int i = name.charAt(0) == ':' ? 1 : 0; i < n; i++) {
        char c = name.charAt(i);
        if (c <= 0x20 || c >= 0x7f || c == ':' || (c >= 'A' && c <= 'Z')) {
          return "field name with a character RFC 9113 forbids";
        }
      }
      CharSequence value = field.getValue();
      int m = value.length();
      if (m > 0 && (isWhitespace(value.charAt(0)) || isWhitespace(value.charAt(m - 1)))) {
        return "field value with leading or trailing whitespace";
      }
      for (int i = 0; i < m; i++) {
        char c = value.charAt(i);
        if (c == 0 || c == '\r' || c == '\n') {
          return "field value with CR, LF or NUL";
        }
      }
    }
    return null;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
