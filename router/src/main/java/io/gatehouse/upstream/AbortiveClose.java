package io.gatehouse.upstream;

import io.gatehouse.vertxinternals.VertxChannels;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.vertx.core.http.HttpConnection;
import org.jspecify.annotations.Nullable;

/**
 * Closes a Vert.x HTTP connection at once, with a TCP reset, whatever its peer does; the one place
 * that reaches the Netty channel behind a Vert.x connection for that.
 *
 * <p>Why behind Vert.x: Vert.x 5.0's close (and its shutdown, once the timeout passes) writes an
 * empty buffer behind whatever is still queued and closes the channel only when that write
 * completes. Against a peer that reads nothing (its receive window full) the write never completes,
 * so the connection never closes and, for a client connection, neither does {@code vertx.close()}.
 * No public API closes a channel with unsent bytes; {@link VertxChannels#channel} reaches it.
 *
 * <p>Why a reset (SO_LINGER 0) rather than a FIN: the connection is given up (its exchange failed,
 * or its peer read nothing for the whole limit), so nothing useful is left to deliver; a FIN would
 * queue behind the unsent bytes and leave the kernel socket holding them in FIN_WAIT1 while the
 * peer learns nothing. The reset frees both ends at once, as nginx's {@code
 * reset_timedout_connection} does. The close starts at the head of the pipeline, so neither
 * Vert.x's flush-first close nor TLS's close_notify wait on the peer.
 */
public final class AbortiveClose {
  private AbortiveClose() {}

  /** The Netty channel behind {@code connection}, or null when it cannot be reached. */
  static @Nullable Channel channel(HttpConnection connection) {
    return VertxChannels.channel(connection);
  }

  /**
   * Whether {@code connection} is open with bytes its peer has not taken (Netty's outbound buffer
   * holds what the kernel would not accept): a graceful close of it waits on the peer.
   */
  public static boolean stuck(HttpConnection connection) {
    Channel ch = channel(connection);
    if (ch == null || !ch.isOpen()) {
      return false;
    }
    ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
    return out != null && (!out.isEmpty() || !ch.isWritable());
  }

  /** Resets {@code connection} now; false when it was already closed or cannot be reached. */
  public static boolean now(HttpConnection connection) {
    Channel ch = channel(connection);
    if (ch == null || !ch.isOpen()) {
      return false;
    }
    try {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException e) {
      // Closed meanwhile, or a transport without the option: a plain close is still bounded.
    }
    ChannelHandlerContext first = ch.pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      ch.close();
    }
    return true;
  }

  /** Resets {@code connection} when it is {@link #stuck}; returns whether it did. */
  public static boolean ifStuck(HttpConnection connection) {
    return stuck(connection) && now(connection);
  }
}
