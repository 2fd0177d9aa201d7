package io.gatehouse.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AttributeKey;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that takes the PROXY protocol (Netty's {@link HAProxyMessageDecoder}, v1 and v2)
 * before anything else on each connection, optionally then TLS, then answers every HTTP/1.1 request
 * with what the connection's header said: {@code conn=N version=V1 src=A:P dst=A:P}. A connection
 * without a valid header is closed unanswered and counted.
 */
public final class ProxyHeaderUpstream implements AutoCloseable {
  /** One connection's header. */
  public record Seen(
      int connection, String version, String command, String source, String destination) {}

  private static final AttributeKey<String> SEEN = AttributeKey.valueOf("gatehouse-test-seen");

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private ProxyHeaderUpstream(SslContext tls) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    int n = accepted.incrementAndGet();
                    ch.pipeline().addLast(new HAProxyMessageDecoder(), new HeaderCatcher(n));
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(1 << 20),
                            new Answer(requests));
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  /** A plain HTTP/1.1 upstream behind a PROXY header. */
  public static ProxyHeaderUpstream plain() throws InterruptedException {
    return new ProxyHeaderUpstream(null);
  }

  /** An HTTPS upstream serving {@code cert} behind a PROXY header (the header precedes TLS). */
  public static ProxyHeaderUpstream tls(TestPki.Issued cert) throws Exception {
    SslContext ctx =
        SslContextBuilder.forServer(
                new ByteArrayInputStream(cert.certPem().getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(cert.keyPem().getBytes(StandardCharsets.US_ASCII)))
            .build();
    return new ProxyHeaderUpstream(ctx);
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Connections accepted so far, with or without a header. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections closed because they did not start with a valid PROXY header. */
  public int refused() {
    return refused.get();
  }

  /** HTTP requests answered so far. */
  public int requests() {
    return requests.get();
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class HeaderCatcher extends ChannelInboundHandlerAdapter {
    private final int connection;

    HeaderCatcher(int connection) {
      this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof HAProxyMessage h)) {
        ctx.fireChannelRead(msg);
        return;
      }
      Seen s =
          new Seen(
              connection,
              h.protocolVersion().name(),
              h.command().name(),
              h.sourceAddress() + ":" + h.sourcePort(),
              h.destinationAddress() + ":" + h.destinationPort());
      h.release();
      seen.add(s);
      ctx.channel()
          .attr(SEEN)
          .set(
              "conn="
                  + s.connection()
                  + " version="
                  + s.version()
                  + " src="
                  + s.source()
                  + " dst="
                  + s.destination());
      ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (ctx.channel().attr(SEEN).get() == null) {
        refused.incrementAndGet();
      }
      ctx.close();
    }
  }

  private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final AtomicInteger requests;

    Answer(AtomicInteger requests) {
      this.requests = requests;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      requests.incrementAndGet();
      String said = String.valueOf(ctx.channel().attr(SEEN).get());
      if ("websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
        // Switch to a raw echo of every byte, the header's words in the 101.
        ChannelPipeline p = ctx.pipeline();
        ChannelHandlerContext first = p.firstContext();
        first.writeAndFlush(
            Unpooled.copiedBuffer(
                "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "X-Proxy-Header: "
                    + said
                    + "\r\n\r\n",
                StandardCharsets.US_ASCII));
        p.addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext c, Object msg) {
                c.writeAndFlush(msg);
              }
            });
        p.remove(HttpObjectAggregator.class);
        p.remove(this);
        p.remove(HttpServerCodec.class);
        return;
      }
      byte[] body = said.getBytes(StandardCharsets.US_ASCII);
      DefaultFullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
      resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      ctx.writeAndFlush(resp);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
