package io.gatehouse.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The PROXY protocol header (HAProxy's spec, v1 text or v2 binary) on a listener that takes one.
 * Vert.x reads it ({@code HttpServerOptions.setUseProxyProtocol}: Netty's decoder, its header
 * timeout, then the header's source as the connection's remote address) and closes a connection
 * whose first bytes are no valid header or that sends none in time. This sits between Netty's
 * decoder and Vert.x's handler of the decoded header, and adds two things Vert.x has no hook for:
 *
 * <ul>
 *   <li>when trusted proxies are configured, a header from a peer outside them closes the
 *       connection: only a proxy may name another client's address (as nginx's {@code
 *       set_real_ip_from} for {@code proxy_protocol});
 *   <li>once the header has passed and Vert.x has set up the HTTP (or TLS) pipeline, and before a
 *       byte that followed the header reaches it, {@code then} runs with the header's source: the
 *       node's per-connection edge handlers go in there, keyed by the real client.
 * </ul>
 */
public final class ProxyProtocolGate extends ChannelInboundHandlerAdapter {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ProxyProtocolGate.class);
  private static final LogBudget LOG_BUDGET = new LogBudget();
  private static final AtomicLong UNLOGGED = new AtomicLong();

  private final TrustedProxies trusted;
  private final BiConsumer<Channel, @Nullable String> then;

  private ProxyProtocolGate(TrustedProxies trusted, BiConsumer<Channel, @Nullable String> then) {
    this.trusted = trusted;
    this.then = then;
  }

  /**
   * Installs the gate on a channel Vert.x has just set up for the PROXY protocol; false (nothing
   * installed) when its pipeline holds no PROXY protocol decoder.
   *
   * @param then runs once the header passed, with its source address (null for a {@code LOCAL}
   *     header or an unknown protocol: the connection's own peer stands)
   */
  public static boolean install(
      Channel channel, TrustedProxies trusted, BiConsumer<Channel, @Nullable String> then) {
    ChannelHandlerContext decoder = channel.pipeline().context(HAProxyMessageDecoder.class);
    if (decoder == null) {
      return false;
    }
    channel.pipeline().addAfter(decoder.name(), null, new ProxyProtocolGate(trusted, then));
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage header)) {
      ctx.fireChannelRead(msg);
      return;
    }
    Channel ch = ctx.channel();
    String peer =
        ch.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getHostAddress()
            : null;
    if (!trusted.isEmpty() && !trusted.contains(peer)) {
      header.release();
      refused(peer);
      ctx.close();
      return;
    }
    String source = header.sourceAddress();
    // Vert.x takes the source as the remote address and sets up the rest of the pipeline, all
    // before this returns; the bytes behind the header go on only once Netty's decoder has left.
    ctx.fireChannelRead(header);
    if (ctx.pipeline().context(this) != null) {
      ctx.pipeline().remove(this);
    }
    if (ch.isOpen()) {
      then.accept(ch, source);
    }
  }

  private static void refused(@Nullable String peer) {
    if (!LOG_BUDGET.due()) {
      UNLOGGED.incrementAndGet();
      return;
    }
    LOG.atWarn()
        .setMessage(
            "closed a connection from {}: it sent a PROXY protocol header but is no trusted proxy"
                + " ({} more not logged)")
        .addArgument(peer)
        .addArgument(UNLOGGED.getAndSet(0))
        .log();
  }
}
