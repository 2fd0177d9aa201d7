package io.gatehouse.edge;

import io.gatehouse.vertxinternals.VertxChannels;
import io.gatehouse.vertxinternals.VertxRequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The start of a connection on a plain listener that accepts h2c, until the router's connection
 * handler runs. It sits right behind Vert.x's Vert.x's {@code Http1xOrH2CHandler}, which holds the
 * bytes while they match the HTTP/2 client preface (RFC 9113 3.4) and then hands them on either to
 * HTTP/2 or, on the first byte that differs, to a fresh HTTP/1 pipeline. Vert.x has no switch for
 * any of what this adds, and no hook before its connection handler, which on such a listener runs
 * only once the first request head has been decoded; so it is written by hand and installed by the
 * node's transport ({@code node.PrefaceTransport}):
 *
 * <ul>
 *   <li>h2c only ({@code http2.cleartextOnly}): anything but the exact preface is a connection
 *       error; the peer is not speaking HTTP/2, so the connection closes without a byte (no
 *       GOAWAY), and no HTTP/1 request is read;
 *   <li>both: bytes that begin with the preface's first line ({@code PRI * HTTP/2.0}) but are not
 *       the preface come from an HTTP/2 client with a broken preface: closed without an HTTP/1
 *       answer. Other bytes are HTTP/1 and get the same answers as on a plain HTTP/1 listener;
 *   <li>HTTP/1: {@link StrictRequestDecoder} replaces Vert.x's decoder before it has read a byte,
 *       so the first request is as strictly checked as every later one;
 *   <li>the first request head, or the preface, must arrive within the header-read deadline: then
 *       408 and close (HTTP/1), or a silent close (HTTP/2, or h2c only). From the connection
 *       handler on, the router's own deadlines apply ({@link #connected}).
 * </ul>
 */
public final class CleartextPreface extends ChannelInboundHandlerAdapter {
  /** The preface's first line without its CRLF: what only an HTTP/2 client sends. */
  private static final byte[] FIRST_LINE = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);

  /** The name of Vert.x's HTTP/1 decoder in the pipeline. */
  private static final String DECODER = "httpDecoder";

  /**
   * What a listener does at the start of a connection.
   *
   * @param h2cOnly only HTTP/2 with prior knowledge is served
   * @param headerReadNanos the deadline for the first request head (or the preface), read at each
   *     connection ({@code limits.headerReadTimeout} reloads)
   * @param serverHeader the {@code Server} header of the 408, or null for none
   */
  public record Policy(
      boolean h2cOnly, LongSupplier headerReadNanos, @Nullable CharSequence serverHeader) {
    /** A fixed deadline. */
    public Policy(boolean h2cOnly, long headerReadNanos, @Nullable CharSequence serverHeader) {
      this(h2cOnly, () -> headerReadNanos, serverHeader);
    }
  }

  private final Policy policy;
  private final HttpServerOptions options;
  private @Nullable ScheduledFuture<?> deadline;
  private @Nullable StrictRequestDecoder decoder;

  /** Set once the bytes went to HTTP/2 (the whole preface arrived). */
  private boolean http2;

  private CleartextPreface(Policy policy, HttpServerOptions options) {
    this.policy = policy;
    this.options = options;
  }

  /**
   * Installs the gate on a new channel whose pipeline Vert.x has just set up; a no-op unless the
   * listener accepts h2c (its pipeline then holds Vert.x's {@code Http1xOrH2CHandler}).
   */
  public static void install(Channel channel, Policy policy, HttpServerOptions options) {
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext detector = VertxChannels.h2cDetector(pipeline);
    if (detector != null && channel.isOpen()) {
      pipeline.addAfter(detector.name(), null, new CleartextPreface(policy, options));
    }
  }

  /**
   * The router's connection handler took the connection over: removes the gate and returns the
   * strict decoder it installed, or null.
   */
  public static @Nullable StrictRequestDecoder connected(Channel channel) {
    CleartextPreface gate = channel.pipeline().get(CleartextPreface.class);
    if (gate == null) {
      return null;
    }
    channel.pipeline().remove(gate);
    return gate.decoder;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline =
        ctx.executor()
            .schedule(
                () -> timedOut(ctx), policy.headerReadNanos().getAsLong(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (decoder != null || http2 || !(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    // The detector hands bytes on only once it has decided: the whole preface, or up to the first
    // byte that differs from it (then with the HTTP/1 pipeline already in place).
    ChannelPipeline pipeline = ctx.pipeline();
    if (!VertxRequestDecoder.isVertxDecoder(pipeline.get(DECODER))) {
      http2 = true;
      ctx.fireChannelRead(msg);
      return;
    }
    if (policy.h2cOnly() || startsWithFirstLine(buf)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    StrictRequestDecoder strict = new StrictRequestDecoder(options);
    decoder = strict;
    pipeline.replace(DECODER, DECODER, strict);
    // The first head is read before the connection handler runs: keep-alive idle must not cut it
    // before its header-read deadline (the handler takes the gate over).
    Http1KeepAliveGate.install(ctx.channel(), new FirstHead(strict));
    ctx.fireChannelRead(msg);
  }

  /** Until the connection handler runs: only a head being read is in flight; no response yet. */
  private record FirstHead(StrictRequestDecoder decoder) implements Http1KeepAliveGate.Exchange {
    @Override
    public boolean requestInFlight() {
      return decoder.headStartedNanos() != 0;
    }

    @Override
    public long sendLimitNanos() {
      return 0;
    }
  }

  /** Whether the bytes begin with {@link #FIRST_LINE} (the detector passed at least that many). */
  private static boolean startsWithFirstLine(ByteBuf buf) {
    if (buf.readableBytes() < FIRST_LINE.length) {
      return false;
    }
    int at = buf.readerIndex();
    for (int i = 0; i < FIRST_LINE.length; i++) {
      if (buf.getByte(at + i) != FIRST_LINE[i]) {
        return false;
      }
    }
    return true;
  }

  /** No connection handler yet when the deadline passed: see the class comment. */
  private void timedOut(ChannelHandlerContext ctx) {
    deadline = null;
    if (ctx.isRemoved() || !ctx.channel().isActive()) {
      return;
    }
    if (http2 || policy.h2cOnly()) {
      ctx.close();
      return;
    }
    // Raw bytes from here go straight to the socket, ahead of any HTTP/1 encoder.
    String server =
        policy.serverHeader() == null ? "" : "server: " + policy.serverHeader() + "\r\n";
    ByteBuf answer =
        Unpooled.copiedBuffer(
            "HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n"
                + server
                + "\r\n",
            StandardCharsets.ISO_8859_1);
    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }
}
