package io.gatehouse.node;

import io.gatehouse.edge.CleartextPreface;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * The node's Vert.x transport: the native (or NIO) one, plus one hook. Vert.x offers no way to add
 * a handler to a server connection before its first byte is read, and on a plain listener with h2c
 * its connection handler runs only after the first request head; this wraps each server's child
 * initializer so that, once Vert.x has set a channel up, {@link CleartextPreface} goes in on the
 * listeners registered here (the router's plain port; never the status or admin ones, which keep
 * Vert.x's defaults).
 *
 * <p>Listeners are known by port. A configured port is registered before the routers listen; a port
 * 0 (tests) only once bound, so a connection accepted in between would miss the gate.
 */
final class PrefaceTransport implements Transport {
  private final Transport base;
  private final Map<Integer, CleartextPreface.Policy> listeners = new ConcurrentHashMap<>();
  private final Spi spi;

  PrefaceTransport(boolean preferNative) {
    Transport chosen = preferNative ? Transport.nativeTransport() : null;
    base = chosen != null && chosen.available() ? chosen : Transport.NIO;
    spi = new Spi(base.implementation());
  }

  /** Gates the connections of the plain listener on {@code port} (no-op for 0). */
  void register(int port, CleartextPreface.Policy policy) {
    if (port > 0) {
      listeners.put(port, policy);
    }
  }

  @Override
  public String name() {
    return base.name();
  }

  @Override
  public boolean available() {
    return base.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return base.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return spi;
  }

  /** Installs the gate on a channel Vert.x has just set up, when its listener is registered. */
  private void gate(Channel ch, NetServerOptions options) {
    SocketAddress local = ch.localAddress();
    if (options instanceof HttpServerOptions http
        && !http.isSsl()
        && http.isHttp2ClearTextEnabled()
        && local instanceof InetSocketAddress inet) {
      CleartextPreface.Policy policy = listeners.get(inet.getPort());
      if (policy != null) {
        CleartextPreface.install(ch, policy, http);
      }
    }
  }

  /** Delegates everything; wraps the child initializer of plain HTTP servers. */
  private final class Spi implements io.vertx.core.spi.transport.Transport {
    private final io.vertx.core.spi.transport.Transport d;

    Spi(io.vertx.core.spi.transport.Transport d) {
      this.d = d;
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap b) {
      d.configure(options, domainSocket, b);
      ChannelHandler vertxInit = b.config().childHandler();
      if (domainSocket
          || !(options instanceof HttpServerOptions http)
          || http.isSsl()
          || !http.isHttp2ClearTextEnabled()
          || vertxInit == null) {
        return;
      }
      b.childHandler(
          new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
              // Vert.x's initializer runs at once (the channel is registered) and sets it up.
              ch.pipeline().addLast(vertxInit);
              gate(ch, options);
            }
          });
    }

    @Override
    public boolean supportsDomainSockets() {
      return d.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return d.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return d.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return d.unavailabilityCause();
    }

    @Override
    public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
      return d.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
      return d.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return d.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(
        int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
      return d.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return d.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return d.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return d.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      return d.serverChannelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      d.configure(channel, options);
    }

    @Override
    public void configure(
        ClientOptionsBase options,
        int connectTimeout,
        boolean domainSocket,
        io.netty.bootstrap.Bootstrap bootstrap) {
      d.configure(options, connectTimeout, domainSocket, bootstrap);
    }
  }
}
