package io.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Makes the keep-alive idle limit of an HTTP/1.x connection apply between requests only, as nginx's
 * keepalive_timeout does. Vert.x's HTTP/1.x server connection closes on the idle event of the
 * {@code IdleStateHandler} it installs from {@code HttpServerOptions.setIdleTimeout} whatever the
 * connection is doing (only its client connection checks for requests in flight), so a slow
 * upstream within the route's response timeout, a request body paused within the body-inactivity
 * limit, an event stream with gaps and a download the client paused were cut after the keep-alive
 * limit of silence.
 *
 * <p>This handler sits between Vert.x's idle handler and its connection handler and holds the event
 * back while a request head is being read or a request is in flight: those are bounded by the
 * header-read deadline and the exchange's own deadlines (body inactivity, upstream response, a
 * client that reads nothing, whole request). A WebSocket keeps the keep-alive limit as its idle
 * limit, as before. After the last response, bytes of it the client has not read yet hold the event
 * back too, until the route's send limit has passed (counted in keep-alive periods: the idle
 * handler fires again each period while the connection stays silent), so a download paused near its
 * end is not cut short either, and a client that never reads it is still closed.
 *
 * <p>Hand-written: a Netty handler in the connection's pipeline (public API) is the only place the
 * event can be held back without replacing Vert.x's connection class.
 */
public final class Http1KeepAliveGate extends ChannelInboundHandlerAdapter {
  /** What the router knows of the connection; read on its event loop. */
  public interface Exchange {
    /** Whether a request head is being read or a request is in flight (a WebSocket is not). */
    boolean requestInFlight();

    /** How long the client may leave the end of the last response unread, in nanoseconds. */
    long sendLimitNanos();
  }

  private Exchange exchange;
  private final long keepAliveNanos;

  /** Keep-alive periods of silence held back so far for an unread end of a response. */
  private int heldForTail;

  Http1KeepAliveGate(Exchange exchange, long keepAliveNanos) {
    this.exchange = exchange;
    this.keepAliveNanos = keepAliveNanos;
  }

  /**
   * Puts the gate right behind the connection's idle handler, or hands the one already there (from
   * {@link CleartextPreface}, for the first head on a port that also accepts h2c) to {@code
   * exchange}; a no-op (null) when the server has no idle limit. Call for an HTTP/1.x connection
   * only.
   */
  public static @Nullable Http1KeepAliveGate install(Channel channel, Exchange exchange) {
    ChannelPipeline pipeline = channel.pipeline();
    Http1KeepAliveGate installed = pipeline.get(Http1KeepAliveGate.class);
    if (installed != null) {
      installed.exchange = exchange;
      return installed;
    }
    ChannelHandlerContext ctx = pipeline.context(IdleStateHandler.class);
    if (ctx == null) {
      return null;
    }
    long keepAlive =
        TimeUnit.MILLISECONDS.toNanos(((IdleStateHandler) ctx.handler()).getAllIdleTimeInMillis());
    if (keepAlive <= 0) {
      return null;
    }
    Http1KeepAliveGate gate = new Http1KeepAliveGate(exchange, keepAlive);
    pipeline.addAfter(ctx.name(), null, gate);
    return gate;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent idle && hold(ctx.channel(), idle)) {
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  private boolean hold(Channel channel, IdleStateEvent idle) {
    if (idle.isFirst()) {
      heldForTail = 0;
    }
    if (exchange.requestInFlight()) {
      heldForTail = 0;
      return true;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    if (out == null || out.totalPendingWriteBytes() == 0) {
      return false;
    }
    heldForTail++;
    return heldForTail * keepAliveNanos < exchange.sendLimitNanos();
  }
}
