package io.gatehouse.proxy;

import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.edge.Http1LingeringClose;
import io.gatehouse.edge.Http2StreamGuard;
import io.gatehouse.upstream.AbortiveClose;
import io.gatehouse.vertxinternals.VertxChannels;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The downstream connections of one event loop and their deadlines: the header-read timeout between
 * requests (408), and the send limit of a connection the node is closing. Touched only on its event
 * loop.
 */
final class Connections {
  private final RouterSettings settings;
  private final Map<HttpConnection, ConnectionState> open = new IdentityHashMap<>();

  /** HTTP/2 guards one sweep visits once it has left the connection map; reused. */
  private final ArrayList<Http2StreamGuard> h2Sweep = new ArrayList<>();

  /** Connections one sweep resets once it has left the connection map; reused. */
  private final ArrayList<HttpConnection> closingSweep = new ArrayList<>();

  Connections(RouterSettings settings) {
    this.settings = settings;
  }

  void opened(HttpConnection conn, ConnectionState state) {
    open.put(conn, state);
  }

  void closed(HttpConnection conn) {
    open.remove(conn);
  }

  /** The connection's state, or null when it is not tracked (closed, or refused at accept). */
  @Nullable ConnectionState get(HttpConnection conn) {
    return open.get(conn);
  }

  /** A connection cut for misbehaving may be draining its input (lingering close): not for long. */
  void endLingering() {
    open.values().forEach(ConnectionState::endLingering);
  }

  /** Resets every connection whose peer has not taken our writes; the answer is how many. */
  int resetStuck() {
    int n = 0;
    for (HttpConnection c : open.keySet().toArray(new HttpConnection[0])) {
      if (AbortiveClose.ifStuck(c)) {
        n++;
      }
    }
    return n;
  }

  /**
   * After a response, the next head on a keep-alive connection must be complete within the idle
   * time plus the header-read timeout: Vert.x does not report when a head's first byte arrives.
   */
  void exchangeDone(@Nullable ConnectionState state, HttpConnection conn, long nowNanos) {
    if (state != null && --state.active == 0) {
      EdgeLimits limits = settings.limits();
      state.headDeadline =
          nowNanos + limits.keepAliveIdleTimeout().toNanos() + limits.headerReadTimeout().toNanos();
    }
  }

  /**
   * Closes a downstream connection the node is done with. Vert.x's close waits for the last bytes
   * to be taken: one whose client takes nothing is reset after the connection's send limit (as
   * nginx's send_timeout, which applies to the last write too).
   */
  void close(@Nullable ConnectionState state, HttpConnection conn) {
    if (state != null && state.closingSince == 0) {
      state.closingSince = System.nanoTime();
    }
    conn.close();
  }

  /**
   * Closes an HTTP/1 connection after a complete answer, lingering: the rest of a request body (or
   * a pipelined request) still on its way must not turn the close into a reset that destroys the
   * answer on the client ({@link Http1LingeringClose}).
   */
  void closeAfterAnswer(@Nullable ConnectionState state, HttpConnection conn) {
    Channel ch = VertxChannels.channel(conn);
    if (ch != null && state != null && state.h1Linger == null) {
      state.h1Linger = Http1LingeringClose.arm(ch);
    }
    close(state, conn);
  }

  /** Fires passed connection deadlines: late heads (408), closes past the send limit (reset). */
  void sweep(long now, long headerReadNanos) {
    if (open.isEmpty()) {
      return;
    }
    HttpConnection[] expired = null;
    int n = 0;
    for (Map.Entry<HttpConnection, ConnectionState> c : open.entrySet()) {
      ConnectionState st = c.getValue();
      if (st.h2 != null) {
        // After the loop: a reset or close may close the connection (closeHandler edits the map).
        h2Sweep.add(st.h2);
      }
      if (st.closingSince != 0 && now - st.closingSince >= st.sendLimitNanos) {
        // Closed by us, and the peer has not taken the last bytes for the whole send limit.
        st.closingSince = 0;
        closingSweep.add(c.getKey());
      }
      if (st.active == 0 && !st.timedOut && st.headTimedOut(now, headerReadNanos)) {
        st.headDeadline = 0;
        st.timedOut = true;
        if (expired == null) {
          expired = new HttpConnection[open.size()];
        }
        expired[n++] = c.getKey();
      }
    }
    for (int i = 0; expired != null && i < n; i++) {
      requestTimeout(expired[i]);
    }
    for (int i = 0; i < closingSweep.size(); i++) {
      AbortiveClose.now(closingSweep.get(i));
    }
    closingSweep.clear();
    for (int i = 0; i < h2Sweep.size(); i++) {
      h2Sweep.get(i).sweep(now, headerReadNanos);
    }
    h2Sweep.clear();
  }

  /**
   * Answers 408 on the channel (there is no request to answer on) and closes. The answer is a Netty
   * response, not raw bytes: the HTTP encoder in the pipeline refuses a bare buffer before a head,
   * and the connection was then closed without the 408.
   */
  private void requestTimeout(HttpConnection conn) {
    ConnectionState state = open.get(conn);
    if (state != null && state.closingSince == 0) {
      state.closingSince = System.nanoTime();
    }
    Channel ch = VertxChannels.channel(conn);
    if (ch != null) {
      DefaultFullHttpResponse timeout =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.EMPTY_BUFFER);
      timeout
          .headers()
          .set(HttpHeaderNames.CONTENT_LENGTH, 0)
          .set(HttpHeaderNames.CONNECTION, "close");
      if (settings.server().value() != null) {
        timeout.headers().set(HttpHeaderNames.SERVER, settings.server().value());
      }
      ch.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
    } else {
      conn.close();
    }
  }
}
