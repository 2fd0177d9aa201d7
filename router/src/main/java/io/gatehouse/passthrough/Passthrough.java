package io.gatehouse.passthrough;

import io.gatehouse.edge.ConnectionLimiter;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.upstream.Availability;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * TLS passthrough on the router's HTTPS listener and on each Gateway HTTPS socket: puts a {@link
 * PassthroughGate} in front of Vert.x's TLS handler of each new connection, but only while the
 * served snapshot has a passthrough route on that socket, so terminated traffic pays nothing
 * otherwise.
 */
public final class Passthrough {
  /** Resolves an endpoint's host name off the event loop (IP literals never reach it). */
  @FunctionalInterface
  public interface Resolver {
    CompletionStage<InetAddress> resolve(String host);
  }

  /**
   * @param helloTimeout how long a connection may take to send its whole ClientHello (the TLS
   *     handshake limit)
   * @param maxHelloBytes the largest ClientHello read; a longer one closes the connection
   * @param connectTimeout how long connecting to the backend may take
   * @param idleTimeout a spliced connection with no byte either way for this long is closed
   */
  public record Settings(
      Duration helloTimeout, int maxHelloBytes, Duration connectTimeout, Duration idleTimeout) {
    /** 10 s for the ClientHello, 64 KiB, 5 s to connect, 5 min idle. */
    public static final Settings DEFAULTS =
        new Settings(
            Duration.ofSeconds(10), 64 * 1024, Duration.ofSeconds(5), Duration.ofMinutes(5));
  }

  private final Supplier<@Nullable RouteSnapshot> snapshots;
  private final EndpointIndex endpoints;
  private final Availability availability;
  private final ConnectionLimiter connections;
  private final Resolver resolver;
  private final Settings settings;
  private final PassthroughStats stats;

  public Passthrough(
      Supplier<@Nullable RouteSnapshot> snapshots,
      EndpointIndex endpoints,
      Availability availability,
      ConnectionLimiter connections,
      Resolver resolver,
      Settings settings,
      PassthroughStats stats) {
    this.snapshots = snapshots;
    this.endpoints = endpoints;
    this.availability = availability;
    this.connections = connections;
    this.resolver = resolver;
    this.settings = settings;
    this.stats = stats;
  }

  /**
   * Called once Vert.x has set a new TLS connection up, before its first byte is read.
   *
   * @param upstreamChannels makes channels for the connection's own event loop
   * @param source the client's address from a PROXY protocol header, null for the peer's
   * @param slot the snapshot slot of the socket that accepted it ({@link
   *     RouteSnapshot#OWN_LISTENERS} or a Gateway listener's): its routes alone are looked up
   */
  public void install(
      Channel ch,
      ChannelFactory<? extends Channel> upstreamChannels,
      @Nullable String source,
      int slot) {
    RouteSnapshot s = snapshots.get();
    if (s == null || s.passthrough(slot).isEmpty()) {
      return;
    }
    ChannelHandlerContext tls = null;
    for (var e : ch.pipeline()) {
      if (e.getValue() instanceof SslHandler || e.getValue() instanceof SslClientHelloHandler) {
        tls = ch.pipeline().context(e.getValue());
        break;
      }
    }
    if (tls == null) {
      return; // not a TLS pipeline after all: nothing to read a ClientHello in front of
    }
    ch.pipeline()
        .addBefore(
            tls.name(),
            PassthroughGate.NAME,
            new PassthroughGate(this, upstreamChannels, source, slot));
  }

  @Nullable RouteSnapshot snapshot() {
    return snapshots.get();
  }

  EndpointIndex endpoints() {
    return endpoints;
  }

  Availability availability() {
    return availability;
  }

  ConnectionLimiter connections() {
    return connections;
  }

  Resolver resolver() {
    return resolver;
  }

  Settings settings() {
    return settings;
  }

  PassthroughStats stats() {
    return stats;
  }
}
