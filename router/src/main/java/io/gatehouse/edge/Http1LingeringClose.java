package io.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;

/**
 * The lingering close of an HTTP/1.x connection the node closes after a complete answer, as nginx's
 * {@code lingering_close}: the request's body may still be on its way (a 413 is answered from the
 * declared length, before the body is read), and closing with it unread makes the kernel reset the
 * connection, which discards on the client the answer it has not read yet. Measured: a Vert.x
 * client posting 64 bytes to a 16-byte limit over keep-alive got the 413's head and then neither
 * its body nor an error, once in about 1,000 tries under load (HeaderPoliciesIT timed out in CI).
 * See {@link LingeringClose} for the bounds' mechanics.
 *
 * <p>Put in the pipeline only when such a close begins, right after TLS (or first): the input is
 * dropped before it reaches the HTTP decoder, and the close Vert.x passes down is held here. The
 * bounds are nginx's defaults: 5 s without input ({@code lingering_timeout}), 30 s in all ({@code
 * lingering_time}); node shutdown ends the linger at once ({@link #endLingering}).
 */
public final class Http1LingeringClose extends ChannelDuplexHandler {
  static final long IDLE_MILLIS = 5_000;
  static final long TOTAL_MILLIS = 30_000;

  private final LingeringClose linger;
  private @Nullable ChannelHandlerContext ctx;
  private boolean noLinger;

  Http1LingeringClose(long idleMillis, long totalMillis) {
    this.linger = new LingeringClose(idleMillis, totalMillis);
  }

  /**
   * Makes the next close of {@code channel} linger; call on its event loop, then close the
   * connection as usual. Returns the handler (for {@link #endLingering}), or null when the channel
   * cannot linger (closed, half-closed, not a socket).
   */
  public static @Nullable Http1LingeringClose arm(Channel channel) {
    if (!LingeringClose.possible(channel)) {
      return null;
    }
    ChannelPipeline pipeline = channel.pipeline();
    Http1LingeringClose present = pipeline.get(Http1LingeringClose.class);
    if (present != null) {
      return present;
    }
    Http1LingeringClose handler = new Http1LingeringClose(IDLE_MILLIS, TOTAL_MILLIS);
    SslHandler tls = pipeline.get(SslHandler.class);
    if (tls != null) {
      pipeline.addAfter(pipeline.context(tls).name(), null, handler);
    } else {
      pipeline.addFirst(handler);
    }
    return handler;
  }

  /** Node shutdown: a lingering close completes now, and a later close does not linger. */
  public void endLingering() {
    noLinger = true;
    if (ctx != null && linger.holding()) {
      linger.end(ctx);
    }
  }

  /** Bytes dropped while lingering (tests). */
  long discarded() {
    return linger.discarded();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (linger.holding()) {
      linger.alsoClose(ctx, promise);
      return;
    }
    if (noLinger || !LingeringClose.possible(ctx.channel())) {
      ctx.close(promise);
      return;
    }
    linger.hold(ctx, promise, Long.MAX_VALUE);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (linger.holding()) {
      linger.discard(ctx, msg);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (linger.holding()) {
      linger.readComplete(ctx);
    } else {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (linger.holding() && linger.event(ctx, evt)) {
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    linger.end(ctx);
    ctx.fireChannelInactive();
  }
}
