package io.gatehouse.passthrough;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.PassthroughHosts;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.Target;
import io.gatehouse.upstream.Availability;
import io.gatehouse.upstream.ProxyHeader;
import io.gatehouse.vertxinternals.VertxChannels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one connection's ClientHello (Netty's parser: at most {@code maxHelloBytes}, within {@code
 * helloTimeout}) and decides by its SNI name:
 *
 * <ul>
 *   <li>a passthrough route's name: Vert.x's TLS and HTTP handlers are removed and the connection
 *       is spliced to one of the route's endpoints, the ClientHello first ({@link Splice});
 *   <li>a name a terminated route serves (or no name, when a route serves every host): the gate
 *       removes itself and the buffered bytes go on to Vert.x's TLS handler, as without it;
 *   <li>anything else: a fatal {@code unrecognized_name} alert, then close; on a Gateway socket a
 *       close without any TLS answer.
 * </ul>
 */
final class PassthroughGate extends AbstractSniHandler<PassthroughGate.Decision> {
  static final String NAME = "gatehouse-passthrough";

  private static final Logger LOG = LoggerFactory.getLogger(PassthroughGate.class);

  /**
   * A fatal {@code unrecognized_name} (112) alert record, TLS 1.2 record version (RFC 8446 §5.1 has
   * every record after the ClientHello carry 0x0303).
   */
  private static final byte[] UNRECOGNIZED_NAME = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70};

  /** What the gate does with the connection; {@code endpoint} only for a passthrough. */
  record Decision(Kind kind, @Nullable CompiledRoute route) {
    enum Kind {
      PASS,
      TERMINATE,
      REFUSE
    }

    static final Decision TERMINATE = new Decision(Kind.TERMINATE, null);
    static final Decision REFUSE = new Decision(Kind.REFUSE, null);
  }

  private final Passthrough owner;
  private final ChannelFactory<? extends Channel> upstreamChannels;
  private final @Nullable String source;

  /** The snapshot slot of the socket that accepted the connection: whose names it looks up. */
  private final int slot;

  /** Set once the ClientHello was decided on (or could not be read): counted once. */
  private boolean decided;

  PassthroughGate(
      Passthrough owner,
      ChannelFactory<? extends Channel> upstreamChannels,
      @Nullable String source,
      int slot) {
    super(owner.settings().maxHelloBytes(), owner.settings().helloTimeout().toMillis());
    this.owner = owner;
    this.upstreamChannels = upstreamChannels;
    this.source = source;
    this.slot = slot;
  }

  /**
   * The decision for an SNI name (null: none sent) under {@code snapshot}, among the routes of the
   * socket of {@code slot} ({@link RouteSnapshot#OWN_LISTENERS} or a Gateway listener's) alone.
   */
  static Decision decide(@Nullable RouteSnapshot snapshot, int slot, @Nullable String sniName) {
    if (snapshot == null) {
      return Decision.REFUSE; // not serving yet
    }
    PassthroughHosts passthrough = snapshot.passthrough(slot);
    CompiledRoute exact = passthrough.lookupExact(sniName);
    if (exact != null) {
      return new Decision(Decision.Kind.PASS, exact);
    }
    // the more specific name wins, as for HTTP hosts: an exact terminated name before a
    // passthrough wildcard (which may be another tenant's)
    if (sniName != null && snapshot.servesTerminatedExactly(slot, sniName)) {
      return Decision.TERMINATE;
    }
    CompiledRoute wildcard = passthrough.lookupWildcard(sniName);
    if (wildcard != null) {
      return new Decision(Decision.Kind.PASS, wildcard);
    }
    return snapshot.servesTerminated(slot, sniName) ? Decision.TERMINATE : Decision.REFUSE;
  }

  @Override
  protected Future<Decision> lookup(ChannelHandlerContext ctx, @Nullable String hostname) {
    return ctx.executor().newSucceededFuture(decide(owner.snapshot(), slot, hostname));
  }

  @Override
  protected void onLookupComplete(
      ChannelHandlerContext ctx, @Nullable String hostname, Future<Decision> future) {
    if (decided) {
      return; // a refused connection's close reads the ClientHello again: one decision only
    }
    decided = true;
    Decision d = future.getNow();
    PassthroughStats stats = owner.stats();
    if (d == null) { // the ClientHello did not come in time or could not be read
      stats.count(PassthroughStats.Outcome.NO_CLIENT_HELLO);
      ctx.close();
      return;
    }
    switch (d.kind()) {
      case TERMINATE -> {
        stats.count(PassthroughStats.Outcome.TERMINATED);
        ctx.pipeline().remove(this); // the buffered bytes go on to the TLS handler
      }
      case REFUSE -> {
        stats.count(PassthroughStats.Outcome.REFUSED);
        LOG.atDebug()
            .setMessage("TLS connection refused: no route for its SNI name")
            .addKeyValue("sni", hostname)
            .addKeyValue("peer", ctx.channel().remoteAddress())
            .log();
        if (slot == RouteSnapshot.OWN_LISTENERS) {
          ctx.writeAndFlush(Unpooled.wrappedBuffer(UNRECOGNIZED_NAME))
              .addListener(ChannelFutureListener.CLOSE);
        } else {
          // a Gateway socket closes without a TLS answer: Gateway API's conformance suite counts
          // only an end of stream or a reset as a rejected connection, not an alert
          ctx.close();
        }
      }
      case PASS -> pass(ctx, hostname, d.route());
    }
  }

  /**
   * A connection closed before its ClientHello was decided on (the client left, or the timeout).
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (!decided) {
      decided = true;
      owner.stats().count(PassthroughStats.Outcome.NO_CLIENT_HELLO);
    }
    super.channelInactive(ctx);
  }

  private void pass(
      ChannelHandlerContext ctx, @Nullable String hostname, @Nullable CompiledRoute route) {
    PassthroughStats stats = owner.stats();
    Target target = route == null ? null : pickTarget(route);
    Endpoint endpoint =
        target == null ? null : pickEndpoint(target, owner.endpoints(), owner.availability());
    if (route == null || target == null || endpoint == null) {
      LOG.atDebug()
          .setMessage("TLS passthrough: no endpoint")
          .addKeyValue("sni", hostname)
          .addKeyValue("route", route == null ? null : route.id())
          .log();
      stats.count(PassthroughStats.Outcome.NO_ENDPOINT);
      ctx.close();
      return;
    }
    ByteBuf header = null;
    ProxyProtocolVersion sends = target.proxyProtocol();
    if (sends != null) {
      ProxyHeader h = proxyHeader(ctx.channel(), sends);
      if (h == null) {
        // Never to such a backend without the header.
        LOG.atDebug()
            .setMessage("TLS passthrough: no PROXY protocol header for this connection")
            .addKeyValue("route", route.id())
            .log();
        stats.count(PassthroughStats.Outcome.NO_PROXY_HEADER);
        ctx.close();
        return;
      }
      header = h.encode();
    }
    // The node's connection caps, which the router applies only once a handshake is done.
    String client = client(ctx.channel());
    if (!owner.connections().tryAcquire(client)) {
      if (header != null) {
        header.release();
      }
      stats.count(PassthroughStats.Outcome.OVER_LIMIT);
      ctx.close();
      return;
    }
    stats.count(PassthroughStats.Outcome.PASSED);
    stats.opened();
    ctx.channel()
        .closeFuture()
        .addListener(
            f -> {
              owner.connections().release(client);
              stats.closed();
            });
    // Vert.x's TLS and HTTP handlers go; the connection gates in front of this one stay.
    ChannelPipeline p = ctx.pipeline();
    List<String> names = p.names();
    for (String n : names.subList(names.indexOf(ctx.name()) + 1, names.size())) {
      if (p.context(n) != null) {
        p.remove(n);
      }
    }
    Passthrough.Settings s = owner.settings();
    p.addLast(
        "gatehouse-passthrough-idle",
        new IdleStateHandler(0, 0, s.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
    p.addLast(
        "gatehouse-passthrough-splice",
        new Splice(
            endpoint,
            upstreamChannels,
            owner.resolver(),
            s.connectTimeout(),
            route.id(),
            header,
            stats));
    p.remove(this); // hands the buffered ClientHello to the splice
  }

  private String client(Channel ch) {
    if (source != null) {
      return source;
    }
    return ch.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : String.valueOf(ch.remoteAddress());
  }

  /**
   * The header naming this connection's client: the source and destination its own PROXY header
   * named on a listener that takes one, else its peer and the listener's address.
   */
  private static @Nullable ProxyHeader proxyHeader(Channel ch, ProxyProtocolVersion version) {
    SocketAddress source = VertxChannels.proxiedSource(ch);
    SocketAddress destination = VertxChannels.proxiedDestination(ch);
    if (source != null && destination != null) {
      return ProxyHeader.of(
          version,
          source.hostAddress(),
          source.port(),
          destination.hostAddress(),
          destination.port());
    }
    if (ch.remoteAddress() instanceof InetSocketAddress peer
        && ch.localAddress() instanceof InetSocketAddress local
        && peer.getAddress() != null
        && local.getAddress() != null) {
      return ProxyHeader.of(
          version,
          peer.getAddress().getHostAddress(),
          peer.getPort(),
          local.getAddress().getHostAddress(),
          local.getPort());
    }
    return null;
  }

  /**
   * One endpoint of the route: a target by weight, then one of its endpoints by weight, among those
   * neither ejected nor failing health checks (all of them when none is: a guess beats a refusal,
   * as the proxy's panic threshold). Targets that answer a fixed status and empty sets have none.
   */
  static @Nullable Endpoint pick(
      CompiledRoute route, EndpointIndex endpoints, Availability availability) {
    Target chosen = pickTarget(route);
    return chosen == null ? null : pickEndpoint(chosen, endpoints, availability);
  }

  /**
   * A target of the route by weight, or null. A target that answers a fixed status (an unresolved
   * backend) keeps its weight and has no endpoint: its share of connections is refused, as Gateway
   * API asks of a TLSRoute, never sent to the other targets.
   */
  static @Nullable Target pickTarget(CompiledRoute route) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Target chosen = null;
    long total = 0;
    for (Target t : route.targets()) {
      long w = Math.max(0, t.weight());
      total += w;
      if (w > 0 && random.nextLong(total) < w) { // weighted reservoir: one pass, no list
        chosen = t;
      }
    }
    return chosen == null || chosen.fixed() ? null : chosen;
  }

  /** One endpoint of {@code chosen} by weight, as {@link #pick} says. */
  static @Nullable Endpoint pickEndpoint(
      Target chosen, EndpointIndex endpoints, Availability availability) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<Endpoint> all = endpoints.get(chosen.slot()).endpoints();
    Endpoint picked = pickAmong(all, availability, random);
    return picked != null ? picked : pickAmong(all, Availability.ALL, random);
  }

  private static @Nullable Endpoint pickAmong(
      List<Endpoint> list, Availability availability, ThreadLocalRandom random) {
    Endpoint picked = null;
    long total = 0;
    for (Endpoint e : list) {
      long w = Math.max(0, e.weight());
      if (w == 0 || !availability.available(e)) {
        continue;
      }
      total += w;
      if (random.nextLong(total) < w) {
        picked = e;
      }
    }
    return picked;
  }
}
