package io.gatehouse.node;

import io.gatehouse.edge.CleartextPreface;
import io.gatehouse.edge.ProxyProtocolGate;
import io.gatehouse.edge.RepeatOffenders;
import io.gatehouse.edge.TrustedProxies;
import io.gatehouse.passthrough.Passthrough;
import io.gatehouse.snapshot.RouteSnapshot;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * The node's Vert.x transport: the native (or NIO) one, plus one hook. Vert.x offers no way to add
 * a handler to a server connection before its first byte is read, and on a plain listener with h2c
 * its connection handler runs only after the first request head; this wraps each server's child
 * initializer so that, once Vert.x has set a channel up, {@link CleartextPreface} goes in on the
 * router's plain listener, and {@link RepeatOffenders} admits every connection of the router's
 * plain and TLS listeners before its first byte (its TLS handshake) is read. The status and admin
 * listeners keep Vert.x's defaults.
 *
 * <p>The router's listeners are known by their configured host and port, which no other listener
 * can bind. A port 0 (tests) is known only once bound ({@link #bound}), so a connection accepted in
 * between would miss the hook. The wrapper reports itself as a native transport even over NIO
 * ({@code Vertx.isNativeTransportEnabled}); nothing in Gatehouse asks.
 */
final class PrefaceTransport implements Transport {
  private final Transport base;
  private final Spi spi;
  private final String host;
  private final int port;
  private final CleartextPreface.Policy policy;
  private final @Nullable String tlsHost;
  private final int tlsPort;
  private final RepeatOffenders offenders;
  private final TrustedProxies trusted;

  /**
   * TLS passthrough on the router's TLS listener and Gateway HTTPS sockets; set once the node has
   * its snapshot holder.
   */
  private volatile @Nullable Passthrough passthrough;

  /**
   * The {@code host:port} of each Gateway listener the routers bind, with its snapshot slot: gated
   * as the router's own (pacing, h2c preface, and on TLS the passthrough names of its slot alone).
   */
  private final Map<String, Integer> gatewaySockets = new ConcurrentHashMap<>();

  /** Ports the router's listeners bound when configured with port 0. */
  private final Set<Integer> boundPorts = ConcurrentHashMap.newKeySet();

  /**
   * @param host the router's plain listener as configured
   * @param port its configured port; 0 for one the OS picks, then see {@link #bound}
   * @param tlsHost the router's TLS listener as configured, null without one
   * @param tlsPort its configured port, as {@code port}
   */
  PrefaceTransport(
      boolean preferNative,
      String host,
      int port,
      CleartextPreface.Policy policy,
      @Nullable String tlsHost,
      int tlsPort,
      RepeatOffenders offenders) {
    this(preferNative, host, port, policy, tlsHost, tlsPort, offenders, TrustedProxies.none());
  }

  /**
   * @param trusted the peers that may send a PROXY protocol header on a listener that reads one
   *     (empty: any peer)
   */
  PrefaceTransport(
      boolean preferNative,
      String host,
      int port,
      CleartextPreface.Policy policy,
      @Nullable String tlsHost,
      int tlsPort,
      RepeatOffenders offenders,
      TrustedProxies trusted) {
    this.trusted = trusted;
    Transport chosen = preferNative ? Transport.nativeTransport() : null;
    this.base = chosen != null && chosen.available() ? chosen : Transport.NIO;
    this.spi = new Spi(base.implementation());
    this.host = host;
    this.port = port;
    this.policy = policy;
    this.tlsHost = tlsHost;
    this.tlsPort = tlsPort;
    this.offenders = offenders;
  }

  /** Reads the ClientHello of TLS connections while a route of their socket passes TLS through. */
  void passthrough(Passthrough p) {
    passthrough = p;
  }

  /** A Gateway listener the routers are about to bind, serving the routes of snapshot slot. */
  void gatewaySocket(String host, int port, int slot) {
    gatewaySockets.put(host + ":" + port, slot);
  }

  /** A Gateway listener the routers have closed. */
  void gatewaySocketClosed(String host, int port) {
    gatewaySockets.remove(host + ":" + port);
  }

  /** A port a router's listener bound when it was configured with port 0; -1 for none. */
  void bound(int actualPort) {
    if (actualPort > 0) {
      boundPorts.add(actualPort);
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
  public @Nullable Throwable unavailabilityCause() {
    return base.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return spi;
  }

  /** Whether a server with these options may be the router's plain listener. */
  boolean mayBeRouter(HttpServerOptions options) {
    if (isGateway(options)) {
      return true;
    }
    return options.isSsl()
        ? tlsHost != null
            && (picked(options)
                ? tlsPort == 0
                : options.getPort() == tlsPort && options.getHost().equals(tlsHost))
        : picked(options) ? port == 0 : options.getPort() == port && options.getHost().equals(host);
  }

  private boolean isGateway(HttpServerOptions options) {
    return gatewaySlot(options) != null;
  }

  /** The snapshot slot of a Gateway listener's socket; null for any other. */
  private @Nullable Integer gatewaySlot(HttpServerOptions options) {
    return options.getPort() > 0
        ? gatewaySockets.get(options.getHost() + ":" + options.getPort())
        : null;
  }

  /**
   * Whether the OS picks the listener's port: 0, or the negative port the routers listen on to
   * share one picked port among event loops (a negative port is Vert.x's shared random port).
   */
  private static boolean picked(HttpServerOptions options) {
    return options.getPort() <= 0;
  }

  /** Sets up a channel Vert.x has just set up on a candidate listener. */
  private void gate(Channel ch, HttpServerOptions options) {
    if (picked(options)
        && !(ch.localAddress() instanceof InetSocketAddress inet
            && boundPorts.contains(inet.getPort()))) {
      return;
    }
    // On a PROXY protocol listener Vert.x sets the HTTP (or TLS) pipeline up only once the header
    // has arrived: the gate goes in then, and pacing counts the header's source, not the balancer.
    if (options.isUseProxyProtocol()
        && ProxyProtocolGate.install(ch, trusted, (c, source) -> afterHeader(c, options, source))) {
      return;
    }
    afterHeader(ch, options, null);
  }

  /** The per-connection gates, once the pipeline is Vert.x's HTTP (or TLS) one. */
  private void afterHeader(Channel ch, HttpServerOptions options, @Nullable String source) {
    if (!options.isSsl() && options.isHttp2ClearTextEnabled()) {
      CleartextPreface.install(ch, policy, options);
    }
    if (source == null) {
      offenders.admit(ch);
    } else {
      offenders.admit(ch, source);
    }
    Passthrough p = passthrough;
    if (options.isSsl() && p != null && ch.isOpen()) {
      Integer gateway = gatewaySlot(options);
      p.install(
          ch,
          spi.d.channelFactory(false),
          source,
          gateway == null ? RouteSnapshot.OWN_LISTENERS : gateway);
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
          || !mayBeRouter(http)
          || vertxInit == null) {
        return;
      }
      b.childHandler(
          new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
              // Vert.x's initializer runs at once (the channel is registered) and sets it up.
              ch.pipeline().addLast(vertxInit);
              gate(ch, http);
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
    public @Nullable Throwable unavailabilityCause() {
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
