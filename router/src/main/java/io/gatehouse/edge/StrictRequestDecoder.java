package io.gatehouse.edge;

import io.gatehouse.vertxinternals.VertxRequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Vert.x's HTTP/1.x request decoder, except that a request with both {@code Transfer-Encoding:
 * chunked} and {@code Content-Length} keeps both headers. Netty's default silently removes the
 * Content-Length (RFC 9112 allows that only if the connection is then closed, which Vert.x does not
 * do), which hides the conflict from {@link RequestGuard}; kept, the guard refuses it with 400.
 *
 * <p>It also notes when the first byte of each request head arrives, which Vert.x does not report,
 * so the header-read deadline runs from that byte on keep-alive connections too (slowloris after a
 * first, honest request).
 *
 * <p>Every byte is first checked by {@link Http1FramingValidator} (RFC 9112's grammar, stricter
 * than Netty). It runs ahead of Netty over all bytes received so far: when a request's head and a
 * malformed body arrive together, the head is handed over already failed, so Vert.x answers 400 and
 * closes and no upstream request is ever opened. A violation found after the head was handed over
 * fails the body, as Netty does for a bad chunk, and the proxy resets the upstream request.
 *
 * <p>{@code HTTP/1.x} with a minor version above 1 is read as HTTP/1.1 (RFC 9110 2.5: the highest
 * minor version we implement); Vert.x would answer 501.
 */
public final class StrictRequestDecoder extends VertxRequestDecoder {
  /** The name Vert.x gives its decoder in the connection's pipeline. */
  private static final String NAME = "httpDecoder";

  public StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /**
   * Replaces Vert.x's decoder on a new connection, from the server's connection handler; a no-op
   * when the pipeline has none (HTTP/2).
   *
   * <p>On a plain port that also accepts h2c, Vert.x creates the connection only once its own
   * decoder has decoded the first request head, and calls the handler while that head is being
   * passed on. Replaced then, the rest of the first request (its body) would reach this decoder as
   * if it began a new request: the body was lost and the request never answered. There the
   * replacement waits until Vert.x's decoder has finished that first request; the bytes it has
   * buffered beyond it are handed to this decoder (Netty forwards a removed decoder's buffer to its
   * replacement). In a node, {@link CleartextPreface} has normally put one in before the first
   * byte; that one is returned.
   */
  public static @Nullable StrictRequestDecoder install(Channel channel, HttpServerOptions options) {
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(NAME) instanceof StrictRequestDecoder installed) {
      // CleartextPreface put it there before the first byte.
      return installed;
    }
    if (VertxRequestDecoder.isVertxDecoder(pipeline.get(NAME))) {
      ChannelHandler current = pipeline.get(NAME);
      StrictRequestDecoder decoder = new StrictRequestDecoder(options);
      if (pipeline.get(H2C_UPGRADE) == null) {
        pipeline.replace(NAME, NAME, decoder);
      } else {
        pipeline.addAfter(NAME, null, new ReplaceAfterMessage(current, decoder));
      }
      return decoder;
    }
    return null;
  }

  /**
   * The name of Vert.x's h2c upgrade handler, in the pipeline only while the first request of a
   * plain connection with h2c enabled is being read.
   */
  private static final String H2C_UPGRADE = "h2c";

  /**
   * Passes messages on, and once the first request has ended, replaces Vert.x's decoder unless an
   * h2c upgrade has removed it.
   */
  private static final class ReplaceAfterMessage extends ChannelInboundHandlerAdapter {
    private final ChannelHandler current;
    private final StrictRequestDecoder replacement;

    ReplaceAfterMessage(ChannelHandler current, StrictRequestDecoder replacement) {
      this.current = current;
      this.replacement = replacement;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean last = msg instanceof LastHttpContent;
      ctx.fireChannelRead(msg);
      if (!last || ctx.isRemoved()) {
        return;
      }
      ChannelPipeline pipeline = ctx.pipeline();
      pipeline.remove(this);
      if (pipeline.get(NAME) == current && ctx.channel().isActive()) {
        pipeline.replace(NAME, NAME, replacement);
      }
    }
  }

  private boolean awaitingHead = true;
  private long headStartedNanos;

  private final Http1FramingValidator framing = new Http1FramingValidator();

  /** Bytes from the buffer's reader index on that {@link #framing} has already checked. */
  private int checkedAhead;

  /** Set once a violation was reported: every further byte is discarded. */
  private boolean refused;

  /**
   * When the first byte of the request head being read arrived (System.nanoTime), or 0 when no head
   * is being read. Read on the connection's event loop only.
   */
  public long headStartedNanos() {
    return headStartedNanos;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    if (refused) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    if (awaitingHead && headStartedNanos == 0 && buffer.isReadable()) {
      headStartedNanos = System.nanoTime();
    }
    int before = out.size();
    if (checkAhead(buffer, out, before)) {
      return;
    }
    int start = buffer.readerIndex();
    super.decode(ctx, buffer, out);
    checkedAhead = Math.max(0, checkedAhead - (buffer.readerIndex() - start));
    for (int i = before; i < out.size(); i++) {
      Object m = out.get(i);
      if (m instanceof HttpMessage message) {
        awaitingHead = false;
        headStartedNanos = 0;
        if (framing.awaitingFraming()) {
          if (message.decoderResult().isSuccess()) {
            framing.framing(
                HttpUtil.isTransferEncodingChunked(message),
                HttpUtil.getContentLength(message, -1L));
          } else {
            // Netty refused the head and discards the rest of the connection.
            refused = true;
          }
        }
      }
      if (m instanceof LastHttpContent) {
        awaitingHead = true;
        framing.nextMessage();
      }
    }
    if (!refused) {
      // The body that arrived with this head, or the next request behind this one.
      checkAhead(buffer, out, before);
    }
  }

  /**
   * Checks the bytes received and not yet checked. On a violation, reports it (see the class
   * comment), discards the buffer and returns true.
   */
  private boolean checkAhead(ByteBuf buffer, List<Object> out, int before) {
    int from = buffer.readerIndex() + checkedAhead;
    int to = buffer.writerIndex();
    if (from >= to || framing.awaitingFraming() || framing.betweenMessages()) {
      return false;
    }
    checkedAhead += framing.check(buffer, from, to) - from;
    if (!framing.failed()) {
      return false;
    }
    refused = true;
    buffer.skipBytes(buffer.readableBytes());
    MalformedRequestException cause = new MalformedRequestException(framing.error());
    HttpMessage pending = null;
    for (int i = before; i < out.size(); i++) {
      if (out.get(i) instanceof HttpMessage message && message.decoderResult().isSuccess()) {
        pending = message;
      }
    }
    if (pending != null && !awaitingHead) {
      // Its head arrived with the violation: refuse the whole request before anyone sees it.
      pending.setDecoderResult(DecoderResult.failure(cause));
    } else if (awaitingHead) {
      HttpMessage invalid = createInvalidMessage();
      invalid.setDecoderResult(DecoderResult.failure(cause));
      out.add(invalid);
    } else {
      DefaultLastHttpContent failed = new DefaultLastHttpContent();
      failed.setDecoderResult(DecoderResult.failure(cause));
      out.add(failed);
    }
    return true;
  }

  @Override
  protected String splitThirdWordInitialLine(byte[] ascii, int start, int length) {
    // Http1FramingValidator has checked the form HTTP/DIGIT.DIGIT.
    if (length == 8 && ascii[start + 5] == '1' && ascii[start + 7] > '1') {
      return HttpVersion.HTTP_1_1.text();
    }
    return super.splitThirdWordInitialLine(ascii, start, length);
  }

  /** A request that breaks RFC 9112's grammar; answered with 400. No stack trace: it is common. */
  static final class MalformedRequestException extends IllegalArgumentException {
    MalformedRequestException(@Nullable String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Keep Content-Length so that RequestGuard sees the conflict and refuses the request.
  }
}
