package io.gatehouse.vertxinternals;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.UnpooledHttpClientConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty side of Vert.x connections, which Vert.x 5 keeps internal.
 *
 * <ul>
 *   <li>{@link #channel}: the channel behind a connection, for {@code upstream.AbortiveClose} (no
 *       public API closes a channel with unsent bytes). Read from {@link ConnectionBase} (server
 *       and pooled client connections) or from the connection an {@link
 *       UnpooledHttpClientConnection} wraps (a private field, read once by a VarHandle; {@code
 *       AbortiveCloseIT} fails if a Vert.x upgrade moves it).
 *   <li>{@link #h2cDetector}: where Vert.x's h2c preface detector sits in a new connection's
 *       pipeline, for {@code edge.CleartextPreface}, which must run right behind it.
 *   <li>{@link #proxiedSource} and {@link #proxiedDestination}: the addresses a listener's PROXY
 *       header named, which Vert.x keeps as channel attributes of its own; {@code passthrough}
 *       reads them for a connection it takes from Vert.x before any Vert.x connection exists.
 * </ul>
 */
public final class VertxChannels {
  private static final Logger LOG = LoggerFactory.getLogger(VertxChannels.class);

  /** {@code UnpooledHttpClientConnection.actual}, or null when this Vert.x has no such field. */
  private static final @Nullable VarHandle UNPOOLED_ACTUAL = unpooledActual();

  private VertxChannels() {}

  private static @Nullable VarHandle unpooledActual() {
    try {
      return MethodHandles.privateLookupIn(
              UnpooledHttpClientConnection.class, MethodHandles.lookup())
          .findVarHandle(
              UnpooledHttpClientConnection.class, "actual", HttpClientConnectionInternal.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "cannot reach the channel of Vert.x client connections ({}): an upstream connection"
              + " whose peer reads nothing closes only when the peer reads",
          e.toString());
      return null;
    }
  }

  /** The Netty channel behind {@code connection}, or null when it cannot be reached. */
  public static @Nullable Channel channel(HttpConnection connection) {
    Object c = connection;
    if (c instanceof UnpooledHttpClientConnection && UNPOOLED_ACTUAL != null) {
      c = UNPOOLED_ACTUAL.get(c);
    }
    return c instanceof ConnectionBase base ? base.channel() : null;
  }

  /** The source a PROXY header named on {@code channel}, or null when none did. */
  public static @Nullable SocketAddress proxiedSource(Channel channel) {
    return channel.attr(ConnectionBase.REMOTE_ADDRESS_OVERRIDE).get();
  }

  /** The destination a PROXY header named on {@code channel}, or null when none did. */
  public static @Nullable SocketAddress proxiedDestination(Channel channel) {
    return channel.attr(ConnectionBase.LOCAL_ADDRESS_OVERRIDE).get();
  }

  /** Vert.x's h2c preface detector in {@code pipeline}, or null when the listener has none. */
  public static @Nullable ChannelHandlerContext h2cDetector(ChannelPipeline pipeline) {
    return pipeline.context(Http1xOrH2CHandler.class);
  }
}
