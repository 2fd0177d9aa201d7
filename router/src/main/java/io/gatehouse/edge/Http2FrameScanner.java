package io.gatehouse.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Enforces the stream-state rules of RFC 9113 §5.1 and §5.1.1 on the frames a client sends, ahead
 * of Netty's HTTP/2 decoder, which drops closed streams from its map and then answers a frame on
 * one with RST_STREAM (or ignores it) before any frame listener sees it:
 *
 * <ul>
 *   <li>HEADERS or DATA on a stream the client has ended (END_STREAM after its header block, or its
 *       own RST_STREAM) is a connection error STREAM_CLOSED (§5.1: a stream error that §5.4.1 lets
 *       us escalate). A CONTINUATION outside a header block stays Netty's PROTOCOL_ERROR (§6.10);
 *   <li>HEADERS on a stream id at or below the highest the client opened, that it never opened (a
 *       skipped id, implicitly closed by §5.1.1), is a connection error PROTOCOL_ERROR. Trailers on
 *       an open lower stream pass, and so do frames on streams the server reset (Netty ignores
 *       those, as §5.1 asks);
 *   <li>after an h2c Upgrade, stream 1 starts half-closed (remote) (§3.2 of RFC 7540);
 *   <li>frames the client had in flight on a stream the server reset are ignored (§5.1, "closed";
 *       §5.4.2): DATA on a stream the client opened and has not ended, that Netty no longer has,
 *       and WINDOW_UPDATE or RST_STREAM on one Netty never created. Netty answers the first kind
 *       with RST_STREAM(STREAM_CLOSED) per frame (which counts towards its limit of server resets)
 *       and the second with a connection error, GOAWAY(PROTOCOL_ERROR) "Stream 1 does not exist":
 *       when it refuses a header block while decoding it (HPACK validation, the concurrent stream
 *       limit) it resets the stream without creating it, so one malformed request ended every
 *       stream of its connection. Such a frame's type byte is rewritten to an unknown type, which
 *       Netty discards (§5.5); a DATA frame's bytes are first counted and given back on the
 *       connection window through Netty's flow controller, as Netty does for the DATA it ignores.
 *       Ignored is not free ({@link #chargeIgnored}): such frames have a budget of their own, the
 *       size of Netty's reset limit, and DATA beyond a stream's window is a FLOW_CONTROL_ERROR
 *       reset, so a client that keeps sending on reset streams is cut. A frame header split between
 *       two reads is held back until it is whole. HEADERS are left to Netty: its HPACK state must
 *       see every header block.
 * </ul>
 *
 * <p>It also notes when a header block (HEADERS or PUSH_PROMISE without END_HEADERS) began, so
 * {@link Http2StreamGuard#sweep} can cut a client that never finishes one: Netty holds such a
 * connection, all of whose other streams are blocked, until the keep-alive idle limit.
 *
 * <p>And it closes a connection the server cut (a GOAWAY with an error code, from Netty, {@link
 * Http2StreamGuard} or this scanner) the way nginx's {@code lingering_close} does: closing a socket
 * with client bytes still unread makes the kernel send a TCP reset, which discards on the client
 * the GOAWAY (and the RST_STREAMs before it) it has not read yet, so a legitimate client never
 * learns why it was cut. From the cut on, the client's input is dropped undecoded; the close waits
 * until what was written has left, half-closes the output (close_notify on TLS, then FIN), and
 * reads and drops the client's input until the client closes, {@link #LINGER_MILLIS} pass or a
 * window's worth of bytes came ({@link #lingerBytes}); then it closes. Node shutdown ends it at
 * once ({@link #endLingering}).
 *
 * <p>Hand-written because Netty has no hook between its frame reader and its stream-state checks.
 * It reads only the 9-byte frame headers of the inbound bytes and passes every buffer on unchanged:
 * no copy, no allocation per frame, O(1) per frame. State per connection is bounded: the highest
 * stream id and two bit rings of the last {@link #WINDOW} client stream ids (opened, ended); a
 * frame on an older id keeps Netty's behaviour. On a violation the bytes before the bad frame go
 * on, then an {@link Http2Exception#connectionError} makes Netty's handler write GOAWAY with the
 * code and close. One log line a second at most.
 *
 * <p>And it works around a Vert.x 5.0.10 bug (the same code is in the newer {@code
 * http2.codec.Http2ConnectionImpl} of Vert.x's main branch, so no upgrade fixes it): {@code
 * Http2ConnectionBase.onConnectionError} takes the Vert.x stream of every active Netty stream and
 * throws a NullPointerException on one Vert.x was never handed (a stream reset by Netty, by {@link
 * Http2StreamGuard} or by Vert.x's own malformed-request check, whose RST_STREAM is not yet flushed
 * and which so is still active), before Netty writes GOAWAY: a connection cut with streams like
 * that (the 201st server reset of a read, a GOAWAY-worthy frame behind a malformed request) closed
 * without GOAWAY and logged a ~4 KB stack trace. When the server writes RST_STREAM on a stream
 * Vert.x was not handed ({@link #delivered}), the stream is closed at once, as Netty would once the
 * frame is flushed; so every active stream has its Vert.x stream.
 *
 * <p>Whether Netty created or refused a stream is known only once it has decoded the stream's
 * header block; for a frame on a stream opened in the same read (a POST with its body), the bytes
 * before that frame are handed to Netty first (a slice, no copy), then the frame is judged. Frames
 * in the read that carried the client's first SETTINGS frame are in Netty's buffer before the
 * scanner is placed: they keep Netty's behaviour.
 *
 * <p>Cost: h2load -n 200000 -c 8 -m 8 over h2c (after 50,000 to warm up) against a node on one
 * event loop pinned to one core, routing to its built-in echo upstream, h2load on the other core;
 * three interleaved rounds on a shared 2-core machine (December 2026): without the scanner 12.7k,
 * 13.5k, 12.5k req/s (mean latency 4.7-5.0 ms), with it 13.1k, 16.1k, 16.1k req/s (3.9-4.9 ms). No
 * cost shows above the run-to-run noise of that machine.
 */
public final class Http2FrameScanner extends ChannelDuplexHandler {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(Http2FrameScanner.class);

  /** Client stream ids (odd) tracked below the highest one opened; a power of two. */
  static final int WINDOW = 1024;

  private static final int MASK = WINDOW - 1;
  private static final int PREFACE_LENGTH = 24;

  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int WINDOW_UPDATE = 0x8;

  /** The type an in-flight frame on a reset stream is rewritten to: none, so Netty discards it. */
  static final int DISCARDED = 0xff;

  /** Frames ignored on streams the server reset that a connection may send in 30 s. */
  static final int IGNORED_PER_WINDOW = 200;

  private static final long IGNORED_WINDOW_NANOS = 30_000_000_000L;

  static final int PUSH_PROMISE = 0x5;
  static final int CONTINUATION = 0x9;
  static final int END_STREAM = 0x1;
  static final int END_HEADERS = 0x4;

  /** The unread bytes of Netty's HTTP/2 handler; null when this Netty has no such method. */
  private static final @Nullable MethodHandle UNREAD = unreadHandle();

  /** One line a second for all connections this cuts, with the count of those not logged. */
  private static final LogBudget CUT_LOG = new LogBudget();

  private static final AtomicLong UNLOGGED = new AtomicLong();

  /** Preface bytes still to pass unread (an h2c Upgrade sends it after the 101). */
  private int skip;

  /** Bytes of the current frame header read so far, when it spans reads. */
  private int headerFill;

  private int length;
  private int type;
  private int flags;
  private int streamId;

  /** Payload bytes of the current frame still to pass. */
  private int payloadLeft;

  /** The highest stream id the client opened. */
  private int highest;

  /** Per client stream id in the window: opened by the client, and ended by it. */
  private final long[] opened = new long[WINDOW / 64];

  private final long[] ended = new long[WINDOW / 64];

  /** The stream of the header block in progress, or 0. */
  private int blockStream;

  private boolean blockEndsStream;

  /** When the header block in progress began (System.nanoTime). */
  private long blockSince;

  /** Netty fails the connection for what came: nothing more to judge. */
  private boolean passive;

  /** A verdict was reached: the rest of the input is dropped. */
  private boolean failed;

  private @Nullable Http2Error error;
  private @Nullable String reason;

  /** This handler's place in the pipeline, once added. */
  private @Nullable ChannelHandlerContext ctx;

  /**
   * How long a cut connection's input is drained at most. What an honest client had in flight when
   * the GOAWAY left arrives within a round trip; nginx waits 5 s between reads (lingering_timeout)
   * for HTTP/1 clients that may still be sending a body, but a cut client has nothing more to say,
   * and an attacker holds the connection, and its slot, for this long.
   */
  static final long LINGER_MILLIS = 1_000;

  /**
   * Bytes drained beyond the connection's receive window: HEADERS, WINDOW_UPDATE and other frames
   * flow control does not count.
   */
  static final int LINGER_SLACK_BYTES = 64 * 1024;

  /** The HTTP/2 handler, whose connection window bounds the drain; null in unit tests. */
  private final @Nullable Http2ConnectionHandler handler;

  /** The server sent GOAWAY with an error code: its close lingers. */
  private boolean lingerAtClose;

  /** Node shutdown: closes at once. */
  private boolean noLinger;

  /** The input goes nowhere: the connection is cut. */
  private boolean discarding;

  /** The close held back while the input drains ({@link #LINGER_MILLIS}, but for tests). */
  private final LingeringClose linger;

  /** Marks the streams whose request Vert.x was handed; null on its own. */
  private final Http2Connection.@Nullable PropertyKey deliveredKey;

  /** The highest client stream whose opening header block Netty has decoded (or refused). */
  private int settled;

  /** While a read is scanned: where it goes, the buffer, and its first byte not yet passed on. */
  private @Nullable ChannelHandlerContext reading;

  private @Nullable ByteBuf readBuf;
  private int forwardFrom;

  /** Netty's handler's own context (RST_STREAM is written from there); null on its own. */
  private @Nullable ChannelHandlerContext handlerCtx;

  /** Frames ignored on streams the server reset in the current budget window, and its start. */
  private int ignoredFrames;

  private long ignoredSince;

  /** The last bytes of the previous read: a frame header it did not complete; or null. */
  private @Nullable ByteBuf heldHeader;

  /** Where in the buffer being scanned the frame header in progress began; -1: an earlier one. */
  private int headerFrom;

  /**
   * DATA bytes ignored per stream the server reset, by stream slot (the id, then its bytes);
   * allocated at the first such DATA frame, as a connection that never has one needs none.
   */
  private int @Nullable [] ignoredIds;

  private int @Nullable [] ignoredBytes;

  /** Netty's limit of server resets cut the connection while a frame was judged. */
  private boolean cutByNetty;

  Http2FrameScanner(boolean upgraded) {
    this(upgraded, null, LINGER_MILLIS);
  }

  Http2FrameScanner(boolean upgraded, @Nullable Http2ConnectionHandler handler, long lingerMillis) {
    this.handler = handler;
    this.linger = new LingeringClose(lingerMillis, lingerMillis);
    this.deliveredKey = handler == null ? null : handler.connection().newKey();
    this.ignoredSince = System.nanoTime();
    if (upgraded) {
      skip = PREFACE_LENGTH;
      highest = 1;
      setBit(opened, 1);
      setBit(ended, 1);
    }
  }

  /**
   * Puts a scanner in front of the channel's HTTP/2 handler. Called from the connection handler,
   * which Vert.x runs while Netty decodes the client's first SETTINGS frame (or, after an h2c
   * Upgrade, before the client's preface): the bytes Netty has read but not yet decoded are scanned
   * here first, so no frame escapes. Returns null, leaving the connection to Netty alone, when they
   * cannot be reached.
   */
  static @Nullable Http2FrameScanner install(
      Http2ConnectionHandler handler, ChannelHandlerContext ctx) {
    boolean upgraded = !handler.decoder().prefaceReceived();
    ByteBuf unread = upgraded ? null : unread(handler);
    if (!upgraded && unread == null) {
      return null;
    }
    Http2FrameScanner scanner = new Http2FrameScanner(upgraded, handler, LINGER_MILLIS);
    scanner.handlerCtx = ctx;
    ctx.pipeline().addBefore(ctx.name(), null, scanner);
    if (unread != null && unread.isReadable()) {
      int bad = scanner.scan(unread);
      if (bad >= 0) {
        // Netty decodes up to the bad frame when this returns, then gets the error.
        unread.writerIndex(unread.readerIndex() + bad);
        // Set by handlerAdded, which addBefore ran at once (on the channel's event loop).
        ChannelHandlerContext own = Objects.requireNonNull(scanner.ctx);
        own.executor().execute(() -> scanner.fail(own));
      }
    }
    return scanner;
  }

  /** Notes that Vert.x took stream {@code id}'s request (called once its HEADERS reached it). */
  void delivered(int id) {
    if (handler == null) {
      return; // on its own: no stream is marked
    }
    Http2Stream stream = handler.connection().stream(id);
    if (stream != null && !stream.isResetSent()) {
      stream.setProperty(deliveredKey, Boolean.TRUE);
    }
  }

  /**
   * Closes a stream Vert.x was not handed as soon as the server writes its RST_STREAM (one 13-byte
   * buffer from Netty's frame writer), not once the frame is flushed: see the class comment.
   */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (deliveredKey != null
        && handler != null
        && msg instanceof ByteBuf buf
        && buf.readableBytes() == 13) {
      int at = buf.readerIndex();
      if (buf.getUnsignedMedium(at) == 4 && buf.getUnsignedByte(at + 3) == RST_STREAM) {
        Http2Stream stream = handler.connection().stream(buf.getInt(at + 5) & 0x7fffffff);
        if (stream != null
            && stream.isResetSent()
            && stream.getProperty(deliveredKey) == null
            && stream.state() != Http2Stream.State.CLOSED) {
          stream.close();
        }
      }
    }
    ctx.write(msg, promise);
  }

  /** When the header block in progress began (System.nanoTime), or -1 when there is none. */
  long headerBlockSince() {
    return blockStream != 0 && !failed ? blockSince : -1;
  }

  /** The verdict: the error code of the connection error, or null. */
  @Nullable Http2Error error() {
    return error;
  }

  @Nullable String reason() {
    return reason;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding) {
      linger.discard(ctx, msg);
      return;
    }
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg); // the h2c Upgrade's request, as frames
      return;
    }
    if (heldHeader != null) {
      buf = joinHeldHeader(ctx, buf);
    }
    if (headerFill == 0 && payloadLeft == 0 && blockStream == 0) {
      settled = highest; // Netty has decoded every frame passed on so far
    }
    int from = buf.readerIndex();
    int bad;
    reading = ctx;
    readBuf = buf;
    forwardFrom = from;
    try {
      bad = scan(buf);
    } finally {
      reading = null;
      readBuf = null;
    }
    int end = bad < 0 ? holdHeader(buf) : from + bad;
    if (bad < 0 && forwardFrom == from && end == buf.writerIndex()) {
      ctx.fireChannelRead(buf);
      return;
    }
    if (end > forwardFrom) {
      ctx.fireChannelRead(buf.retainedSlice(forwardFrom, end - forwardFrom));
    }
    buf.release();
    if (bad >= 0 && !cutByNetty) {
      fail(ctx);
    }
  }

  /**
   * Keeps a frame header the read ended in the middle of (up to 8 bytes, a slice of the read, no
   * copy) instead of passing it on, so that the whole header is judged, and can be rewritten, with
   * the next read: a frame on a reset stream whose header straddles two reads would otherwise reach
   * Netty, which ends the connection for it ("Stream N does not exist"). Returns where the bytes to
   * pass on end.
   */
  private int holdHeader(ByteBuf buf) {
    int end = buf.writerIndex();
    if (handler == null || headerFill == 0 || headerFrom < 0) {
      return end;
    }
    heldHeader = buf.retainedSlice(headerFrom, end - headerFrom);
    headerFill = 0; // read again, whole, at the start of the next read
    return headerFrom;
  }

  /** The held header bytes followed by the new read, as one buffer (no copy). */
  private ByteBuf joinHeldHeader(ChannelHandlerContext ctx, ByteBuf buf) {
    ByteBuf held = heldHeader;
    heldHeader = null;
    return ctx.alloc().compositeBuffer(2).addComponents(true, held, buf);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (heldHeader != null) {
      heldHeader.release();
      heldHeader = null;
    }
  }

  /** Hands the verdict to Netty's handler: GOAWAY with the code, then close. */
  private void fail(ChannelHandlerContext ctx) {
    log(ctx, reason);
    ctx.fireExceptionCaught(Http2Exception.connectionError(error, "%s", reason));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Cuts a connection whose header block has been open too long (the router's sweep). */
  void cutIncompleteHeaderBlock() {
    if (failed || ctx == null || ctx.isRemoved()) {
      return;
    }
    failed = true;
    error = Http2Error.ENHANCE_YOUR_CALM;
    reason = "header block on stream " + blockStream + " not completed in time";
    fail(ctx);
  }

  /**
   * The server sent GOAWAY with an error code: nothing the client sends from the next read on is
   * decoded (Netty would go on decoding until its close runs, which the linger holds back), and the
   * close lingers.
   */
  void cut() {
    lingerAtClose = true;
    discarding = true;
  }

  /**
   * Node shutdown: a lingering close completes now and later closes do not linger, so a drain is
   * not held up. Runs on the channel's event loop.
   */
  void endLingering() {
    noLinger = true;
    if (linger.holding() && ctx != null) {
      linger.end(ctx);
    }
  }

  /** Bytes dropped since the cut (tests). */
  long discarded() {
    return linger.discarded();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (linger.holding()) {
      // Netty's handler closes twice after a GOAWAY with an error: all end with the real close.
      linger.alsoClose(ctx, promise);
      return;
    }
    if (!lingerAtClose || noLinger || !LingeringClose.possible(ctx.channel())) {
      ctx.close(promise);
      return;
    }
    linger(ctx, promise);
  }

  /**
   * Holds {@code promise} back: once everything written has left (GOAWAY included), half-closes the
   * output and drains the input until the client closes or the bounds are reached.
   */
  private void linger(ChannelHandlerContext ctx, ChannelPromise promise) {
    discarding = true;
    if (handler != null) {
      // Streams end now, as they did when the close was not held back: no request goes on (or
      // starts upstream) on a cut connection. After the current read, which Netty may still be
      // decoding.
      // The void promise: Netty closes the connection again with it at channelInactive, and
      // cascading an earlier non-void close promise onto it throws there, which skipped Vert.x's
      // close handling (the connection's per-client slot was never given back).
      ctx.executor().execute(() -> handler.connection().close(ctx.voidPromise()));
    }
    linger.hold(ctx, promise, lingerBytes());
  }

  /** The connection's receive window (what an honest client may have in flight) plus slack. */
  private long lingerBytes() {
    long window = 0;
    if (handler != null) {
      window =
          handler
              .decoder()
              .flowController()
              .initialWindowSize(handler.connection().connectionStream());
    }
    return window + LINGER_SLACK_BYTES;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!linger.holding()) {
      ctx.fireChannelReadComplete();
    } else {
      linger.readComplete(ctx); // Vert.x may pause reading; the drain goes on
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (linger.holding() && linger.event(ctx, evt)) {
      return; // the client's half-close ends the linger; the output shutdown is ours
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    linger.end(ctx); // completes the held close, cancels the timer
    ctx.fireChannelInactive();
  }

  /**
   * Reads the frame headers in the buffer's readable bytes. Returns -1, or, when a frame breaks a
   * rule, the offset from the reader index where that frame starts (0 when its header began in an
   * earlier buffer); then {@link #error()} holds the verdict and the scanner reads no more.
   */
  int scan(ByteBuf buf) {
    int from = buf.readerIndex();
    int to = buf.writerIndex();
    int i = from;
    if (failed) {
      return 0;
    }
    if (skip > 0) {
      int n = Math.min(skip, to - i);
      skip -= n;
      i += n;
    }
    while (i < to) {
      if (payloadLeft > 0) {
        int n = Math.min(payloadLeft, to - i);
        payloadLeft -= n;
        i += n;
        continue;
      }
      int start;
      boolean whole = headerFill == 0;
      headerFrom = whole ? i : -1;
      if (whole && to - i >= 9) {
        start = i;
        length = buf.getUnsignedMedium(i);
        type = buf.getUnsignedByte(i + 3);
        flags = buf.getUnsignedByte(i + 4);
        streamId = buf.getInt(i + 5) & 0x7fffffff;
        i += 9;
      } else {
        start = headerFill == 0 ? i : from;
        while (headerFill < 9 && i < to) {
          headerByte(buf.getUnsignedByte(i++));
        }
        if (headerFill < 9) {
          return -1;
        }
        headerFill = 0;
      }
      if (!frame() || (whole && !passOrDiscard(start))) {
        failed = true;
        return start - from;
      }
      payloadLeft = length;
    }
    return -1;
  }

  private void headerByte(int b) {
    switch (headerFill++) {
      case 0 -> length = b;
      case 1, 2 -> length = length << 8 | b;
      case 3 -> type = b;
      case 4 -> flags = b;
      case 5 -> streamId = b & 0x7f;
      default -> streamId = streamId << 8 | b;
    }
  }

  /** Judges one frame by its header; false when it breaks a rule. */
  private boolean frame() {
    if (passive) {
      return true;
    }
    if (blockStream != 0) {
      if (type != CONTINUATION || streamId != blockStream) {
        passive = true; // Netty answers PROTOCOL_ERROR: a header block must not be interrupted
      } else if ((flags & END_HEADERS) != 0) {
        if (blockEndsStream) {
          markEnded(blockStream);
        }
        blockStream = 0;
      }
      return true;
    }
    boolean client = (streamId & 1) == 1;
    boolean end = (flags & END_STREAM) != 0;
    switch (type) {
      case HEADERS -> {
        if (client && !headersAllowed()) {
          return false;
        }
        if ((flags & END_HEADERS) == 0) {
          startBlock(end);
        } else if (end) {
          markEnded(streamId);
        }
      }
      case DATA -> {
        if (client && isEnded(streamId)) {
          return violation(Http2Error.STREAM_CLOSED, "DATA");
        }
        if (end) {
          markEnded(streamId);
        }
      }
      case RST_STREAM -> markEnded(streamId);
      case PUSH_PROMISE -> {
        if ((flags & END_HEADERS) == 0) {
          startBlock(false);
        }
      }
      default -> {
        // SETTINGS, PING, PRIORITY, WINDOW_UPDATE, GOAWAY and unknown types change no stream. A
        // CONTINUATION outside a header block is Netty's PROTOCOL_ERROR, as §6.10 asks.
      }
    }
    return true;
  }

  /**
   * Rewrites a frame the client had in flight on a stream the server reset so that Netty discards
   * it (see the class comment); false on a connection error (the connection window overrun). {@code
   * start} is where the frame's header starts in the buffer being read.
   */
  private boolean passOrDiscard(int start) {
    int id = streamId;
    if (reading == null
        || readBuf == null
        || handler == null
        || passive
        || (type != DATA && type != WINDOW_UPDATE && type != RST_STREAM)
        || (id & 1) == 0
        || id > highest
        || !inWindow(id)
        || !bit(opened, id)) {
      return true;
    }
    if (id > settled) {
      // Netty has not decoded the stream's header block yet: hand it what comes before this frame.
      if (start > forwardFrom) {
        reading.fireChannelRead(readBuf.retainedSlice(forwardFrom, start - forwardFrom));
        forwardFrom = start;
      }
      settled = highest;
    }
    Http2Connection connection = handler.connection();
    if (connection.stream(id) != null || (type != DATA && connection.streamMayHaveExisted(id))) {
      return true; // Netty's own rules: it ignores frames on a stream it has reset
    }
    if (type == DATA) {
      try {
        // Counted on the connection window and given back at once, as Netty does for ignored DATA.
        handler
            .decoder()
            .flowController()
            .receiveFlowControlledFrame(null, Unpooled.EMPTY_BUFFER, length, false);
      } catch (Http2Exception e) {
        error = e.error();
        reason = "DATA on stream " + id + ": " + e.getMessage();
        return false;
      }
    }
    if (!chargeIgnored(id, start)) {
      return false;
    }
    readBuf.setByte(start + 3, DISCARDED);
    return true;
  }

  /**
   * What a frame ignored on a stream the server reset costs, so that ignoring it does not make it
   * free. Netty answered each such frame with a RST_STREAM counted against its limit of server
   * resets (Vert.x's rapid-reset window: {@link #IGNORED_PER_WINDOW} in 30 s), which bounded a
   * client that keeps sending on refused streams, and its empty-DATA limit saw them; the frame now
   * counts against a budget of the same size, past which the connection is cut with
   * GOAWAY(ENHANCE_YOUR_CALM). A client with an occasional refused request has a few frames in
   * flight. And a client may have sent up to a stream's window before it saw the reset (at most
   * Netty's initial stream window: Netty never grants a stream more), so more DATA than that on one
   * stream is a stream error FLOW_CONTROL_ERROR (RFC 9113 §6.9.1): RST_STREAM through Netty's
   * encoder, which counts it against its reset limit. False on a connection error.
   */
  private boolean chargeIgnored(int id, int start) {
    long now = System.nanoTime();
    if (now - ignoredSince >= IGNORED_WINDOW_NANOS) {
      ignoredSince = now;
      ignoredFrames = 0;
    }
    if (++ignoredFrames > IGNORED_PER_WINDOW) {
      error = Http2Error.ENHANCE_YOUR_CALM;
      reason =
          "more than "
              + IGNORED_PER_WINDOW
              + " frames in 30 s on streams the server reset (last on stream "
              + id
              + ")";
      return false;
    }
    if (type != DATA
        || handlerCtx == null
        || handler == null
        || reading == null
        || readBuf == null) {
      return true; // handler and handlerCtx go together, as reading and readBuf do
    }
    if (ignoredIds == null || ignoredBytes == null) {
      ignoredIds = new int[WINDOW];
      ignoredBytes = new int[WINDOW];
    }
    int slot = slotIndex(id) & MASK;
    if (ignoredIds[slot] != id) {
      ignoredIds[slot] = id;
      ignoredBytes[slot] = 0;
    }
    int bytes = (int) Math.min(Integer.MAX_VALUE, (long) ignoredBytes[slot] + length);
    ignoredBytes[slot] = bytes;
    if (bytes <= handler.decoder().flowController().initialWindowSize()) {
      return true;
    }
    // Netty sees the frames before this one first, so its answers keep the client's order.
    if (start > forwardFrom) {
      reading.fireChannelRead(readBuf.retainedSlice(forwardFrom, start - forwardFrom));
      forwardFrom = start;
    }
    handler
        .encoder()
        .writeRstStream(
            handlerCtx, id, Http2Error.FLOW_CONTROL_ERROR.code(), handlerCtx.newPromise());
    if (handler.connection().goAwaySent()) {
      cutByNetty = true; // its reset limit: GOAWAY(ENHANCE_YOUR_CALM) written, channel closing
      return false;
    }
    return true;
  }

  private boolean headersAllowed() {
    int id = streamId;
    if (id > highest) {
      open(id);
      return true;
    }
    if (!inWindow(id)) {
      return true;
    }
    if (!bit(opened, id)) {
      error = Http2Error.PROTOCOL_ERROR;
      reason = "HEADERS on stream " + id + ", never opened and below stream " + highest;
      return false;
    }
    if (bit(ended, id)) {
      return violation(Http2Error.STREAM_CLOSED, "HEADERS");
    }
    return true; // trailers
  }

  private boolean violation(Http2Error code, String frame) {
    error = code;
    reason = frame + " on stream " + streamId + ", which the client has ended";
    return false;
  }

  private void startBlock(boolean endsStream) {
    if (streamId == 0) {
      return; // Netty refuses it at once
    }
    blockStream = streamId;
    blockEndsStream = endsStream;
    blockSince = System.nanoTime();
  }

  /** Opens {@code id} above the highest: the ids skipped on the way are closed, never opened. */
  private void open(int id) {
    int from = slotIndex(highest) + 1;
    int to = slotIndex(id);
    if (to - from + 1 >= WINDOW) {
      Arrays.fill(opened, 0);
      Arrays.fill(ended, 0);
    } else {
      // Clears the slots the window slides over, a word at a time.
      for (int i = from; i <= to; ) {
        int slot = i & MASK;
        int bit = slot & 63;
        int span = Math.min(64 - bit, to - i + 1);
        long mask = span == 64 ? -1L : ((1L << span) - 1) << bit;
        opened[slot >>> 6] &= ~mask;
        ended[slot >>> 6] &= ~mask;
        i += span;
      }
    }
    highest = id;
    setBit(opened, id);
  }

  private void markEnded(int id) {
    if ((id & 1) == 1 && id <= highest && inWindow(id) && bit(opened, id)) {
      setBit(ended, id);
    }
  }

  private boolean isEnded(int id) {
    return id <= highest && inWindow(id) && bit(ended, id);
  }

  private boolean inWindow(int id) {
    return slotIndex(highest) - slotIndex(id) < WINDOW;
  }

  /** Odd ids 1, 3, 5... map to 1, 2, 3...; 0 stands for "none opened". */
  private static int slotIndex(int id) {
    return (id + 1) >>> 1;
  }

  private static boolean bit(long[] bits, int id) {
    int slot = slotIndex(id) & MASK;
    return (bits[slot >>> 6] & (1L << (slot & 63))) != 0;
  }

  private static void setBit(long[] bits, int id) {
    int slot = slotIndex(id) & MASK;
    bits[slot >>> 6] |= 1L << (slot & 63);
  }

  /**
   * The bytes Netty's handler holds and has not decoded yet: the rest of the read that carried the
   * client's first SETTINGS frame. {@code internalBuffer()} is protected; there is no public view.
   */
  private static @Nullable ByteBuf unread(Http2ConnectionHandler handler) {
    if (UNREAD == null) {
      return null;
    }
    try {
      return (ByteBuf) UNREAD.invoke((ByteToMessageDecoder) handler);
    } catch (Throwable t) {
      return null;
    }
  }

  private static @Nullable MethodHandle unreadHandle() {
    try {
      MethodHandles.Lookup lookup =
          MethodHandles.privateLookupIn(ByteToMessageDecoder.class, MethodHandles.lookup());
      return lookup.findVirtual(
          ByteToMessageDecoder.class, "internalBuffer", MethodType.methodType(ByteBuf.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "HTTP/2 stream-state checks off: this Netty hides its decoder's buffer ({})",
          e.toString());
      return null;
    }
  }

  private static void log(ChannelHandlerContext ctx, @Nullable String reason) {
    if (CUT_LOG.due()) {
      LOG.info(
          "HTTP/2 connection from {} cut: {}; {} more cut since the last line",
          ctx.channel().remoteAddress(),
          reason,
          UNLOGGED.getAndSet(0));
    } else {
      UNLOGGED.incrementAndGet();
    }
  }
}
