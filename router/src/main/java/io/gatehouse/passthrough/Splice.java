package io.gatehouse.passthrough;

import io.gatehouse.model.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a passthrough connection: connects to the endpoint on the client's own event
 * loop, writes the PROXY protocol header when the backend takes one, replays what arrived before
 * (the ClientHello), then copies bytes both ways unchanged. Each side reads only while the other
 * can take what it writes (Netty's write watermarks); an end of input on one side is passed on as a
 * half-close of the other, and the connection closes when both sides are done, on an error, or when
 * idle.
 */
final class Splice extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Splice.class);

  private final Endpoint endpoint;
  private final ChannelFactory<? extends Channel> channels;
  private final Passthrough.Resolver resolver;
  private final Duration connectTimeout;
  private final String route;
  private final PassthroughStats stats;

  /** The PROXY protocol header the backend gets first, or null; released once written. */
  private @Nullable ByteBuf header;

  /** What the client sent before the backend was connected; bounded by the ClientHello's limit. */
  private final ArrayDeque<Object> early = new ArrayDeque<>(2);

  private @Nullable Channel client;
  private @Nullable Channel backend;
  private boolean clientDone;
  private boolean backendDone;

  Splice(
      Endpoint endpoint,
      ChannelFactory<? extends Channel> channels,
      Passthrough.Resolver resolver,
      Duration connectTimeout,
      String route,
      @Nullable ByteBuf header,
      PassthroughStats stats) {
    this.header = header;
    this.stats = stats;
    this.endpoint = endpoint;
    this.channels = channels;
    this.resolver = resolver;
    this.connectTimeout = connectTimeout;
    this.route = route;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Channel c = ctx.channel();
    client = c;
    c.config().setAutoRead(false); // nothing more until the backend can take it
    c.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
    if (literal != null) {
      try {
        connect(c, InetAddress.getByAddress(literal));
      } catch (java.net.UnknownHostException e) { // a literal's bytes are 4 or 16 long
        fail(c, e);
      }
      return;
    }
    resolver
        .resolve(endpoint.host())
        .whenComplete(
            (address, error) ->
                c.eventLoop()
                    .execute(
                        () -> {
                          if (address == null) {
                            fail(c, error);
                          } else if (c.isActive()) {
                            connect(c, address);
                          }
                        }));
  }

  private void connect(Channel c, InetAddress address) {
    new Bootstrap()
        .group(c.eventLoop())
        .channelFactory(channels)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .handler(new BackendSide(c))
        .connect(new InetSocketAddress(address, endpoint.port()))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    fail(c, f.cause());
                    return;
                  }
                  Channel b = f.channel();
                  if (!c.isActive()) {
                    b.close();
                    return;
                  }
                  backend = b;
                  ByteBuf h = header;
                  if (h != null) {
                    header = null;
                    b.write(h); // the header, then the ClientHello
                  }
                  Object m;
                  while ((m = early.poll()) != null) {
                    b.write(m);
                  }
                  b.flush();
                  if (clientDone) {
                    halfClose(b);
                  }
                  b.config().setAutoRead(c.isWritable());
                  c.config().setAutoRead(b.isWritable());
                });
  }

  private void fail(Channel c, @Nullable Throwable cause) {
    stats.connectFailed();
    LOG.atDebug()
        .setMessage("TLS passthrough: cannot reach the endpoint")
        .addKeyValue("route", route)
        .addKeyValue("endpoint", endpoint.authority())
        .addKeyValue("error", cause == null ? null : cause.toString())
        .log();
    c.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      stats.fromClient(buf.readableBytes());
    }
    Channel b = backend;
    if (b == null) {
      early.add(msg);
      return;
    }
    b.write(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Channel b = backend;
    if (b != null) {
      b.flush();
      if (!b.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Channel b = backend;
    if (b != null) {
      b.config().setAutoRead(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      clientDone = true;
      Channel b = backend;
      if (b != null) {
        halfClose(b);
      }
      closeIfDone();
    } else if (evt instanceof IdleStateEvent) {
      closeBoth();
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseEarly();
    Channel b = backend;
    if (b != null) {
      b.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseEarly();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.atDebug()
        .setMessage("TLS passthrough: client connection failed")
        .addKeyValue("route", route)
        .addKeyValue("error", cause.toString())
        .log();
    closeBoth();
  }

  private void releaseEarly() {
    ByteBuf h = header;
    if (h != null) {
      header = null;
      h.release();
    }
    Object m;
    while ((m = early.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }

  /** Passes an end of input on: shuts the other side's output once what it holds is written. */
  private static void halfClose(Channel to) {
    to.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (to instanceof DuplexChannel d && to.isActive()) {
                    d.shutdownOutput();
                  } else {
                    to.close();
                  }
                });
  }

  private void closeIfDone() {
    if (clientDone && backendDone) {
      closeBoth();
    }
  }

  private void closeBoth() {
    Channel c = client;
    Channel b = backend;
    if (c != null) {
      c.close();
    }
    if (b != null) {
      b.close();
    }
  }

  /** The backend side: copies to the client and passes writability and ends of input back. */
  private final class BackendSide extends ChannelInboundHandlerAdapter {
    private final Channel c;

    BackendSide(Channel c) {
      this.c = c;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        stats.toClient(buf.readableBytes());
      }
      c.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      c.flush();
      if (!c.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      c.config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        backendDone = true;
        halfClose(c);
        closeIfDone();
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.atDebug()
          .setMessage("TLS passthrough: backend connection failed")
          .addKeyValue("route", route)
          .addKeyValue("endpoint", endpoint.authority())
          .addKeyValue("error", cause.toString())
          .log();
      closeBoth();
    }
  }
}
