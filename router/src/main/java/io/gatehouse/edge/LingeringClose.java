package io.gatehouse.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A close held back the way nginx's {@code lingering_close} does. Closing a socket with client
 * bytes still unread makes the kernel send a TCP reset, and a reset discards on the client what it
 * has not read yet: the answer that explains the close (an HTTP/1.1 413 sent before the body it
 * refuses, a GOAWAY). So the close waits until what was written has left, half-closes the output
 * (close_notify on TLS, then FIN), and reads and drops the client's input until the client closes,
 * a byte bound is reached, no input came for the idle bound or the total bound passed; then it
 * closes. State of one connection's handler, on its event loop.
 */
final class LingeringClose {
  private final long idleNanos;
  private final long totalNanos;

  private @Nullable ChannelPromise held;
  private boolean ended;

  /** Set with {@link #held}: non-null whenever a close is held. */
  private @Nullable ScheduledFuture<?> timer;

  private long discarded;
  private long limit = Long.MAX_VALUE;
  private long since;
  private long lastInput;

  /** Ends the linger after {@code idleMillis} without input or {@code totalMillis} in all. */
  LingeringClose(long idleMillis, long totalMillis) {
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    this.totalNanos = TimeUnit.MILLISECONDS.toNanos(totalMillis);
  }

  /** Whether a close is being held back. */
  boolean holding() {
    return held != null;
  }

  /** Bytes dropped so far. */
  long discarded() {
    return discarded;
  }

  /** Whether a close of {@code ch} can linger: a socket open both ways. */
  static boolean possible(Channel ch) {
    return ch instanceof DuplexChannel d
        && d.isActive()
        && !d.isInputShutdown()
        && !d.isOutputShutdown();
  }

  /**
   * Holds {@code promise} back until the linger ends; at most {@code bytes} more input is dropped.
   * The channel must be {@link #possible}.
   */
  void hold(ChannelHandlerContext ctx, ChannelPromise promise, long bytes) {
    held = promise;
    since = System.nanoTime();
    lastInput = since;
    limit = bytes == Long.MAX_VALUE ? Long.MAX_VALUE : discarded + bytes;
    schedule(ctx, Math.min(idleNanos, totalNanos));
    DuplexChannel channel = (DuplexChannel) ctx.channel();
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    // Shutting the output fails the writes still queued: wait until they are written. close_notify
    // goes after them on TLS, an empty write on cleartext.
    ChannelFuture written =
        tls != null ? tls.closeOutbound() : ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
    written.addListener(
        f -> {
          if (f.isSuccess() && channel.isActive() && !ended) {
            channel.shutdownOutput();
          } else {
            end(ctx);
          }
        });
    channel.config().setAutoRead(true);
    ctx.read();
  }

  /** Another close while one is held: it completes with the real close. */
  void alsoClose(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!promise.isVoid()) {
      ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
    }
  }

  /** Drops one read; ends the linger once the byte bound is reached. */
  void discard(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      discarded += buf.readableBytes();
    }
    ReferenceCountUtil.release(msg);
    if (held != null) {
      lastInput = System.nanoTime();
      if (discarded >= limit) {
        end(ctx);
      }
    }
  }

  /** After a read while holding: reading goes on even where the application paused it. */
  void readComplete(ChannelHandlerContext ctx) {
    if (!ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
  }

  /**
   * A user event while holding: the client's half-close ends the linger, the output shutdown is
   * ours. Returns whether the event was consumed.
   */
  boolean event(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      end(ctx); // the client closed (on a channel that allows half-closure)
      return true;
    }
    return evt instanceof ChannelOutputShutdownEvent;
  }

  /** Closes now, completing the held close; a no-op when none is held or it has ended. */
  void end(ChannelHandlerContext ctx) {
    if (held == null || ended) {
      return;
    }
    ended = true;
    Objects.requireNonNull(timer).cancel(false);
    ctx.close(held);
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    if (ended) {
      return;
    }
    long now = System.nanoTime();
    long idleLeft = lastInput + idleNanos - now;
    long totalLeft = since + totalNanos - now;
    if (idleLeft <= 0 || totalLeft <= 0) {
      end(ctx);
    } else {
      schedule(ctx, Math.min(idleLeft, totalLeft));
    }
  }
}
