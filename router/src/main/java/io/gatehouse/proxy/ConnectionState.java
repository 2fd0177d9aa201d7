package io.gatehouse.proxy;

import io.gatehouse.edge.Http1KeepAliveGate;
import io.gatehouse.edge.Http1LingeringClose;
import io.gatehouse.edge.Http2StreamGuard;
import io.gatehouse.edge.StrictRequestDecoder;
import io.gatehouse.model.Timeouts;
import io.gatehouse.policy.ConnectionMemo;
import io.gatehouse.snapshot.ListenerHostnames;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * Per-connection bookkeeping, touched only on its verticle's event loop; see {@link Connections}.
 * The policies' memo (the last client-certificate verdict) is its superclass, so it is no object of
 * its own.
 */
final class ConnectionState extends ConnectionMemo implements Http1KeepAliveGate.Exchange {
  final String client;
  long headDeadline;
  int active;
  @Nullable StrictRequestDecoder decoder;

  /** The last forwarded-element written for this connection's requests. */
  final ForwardedHeaders.Memo forwarded = new ForwardedHeaders.Memo();

  /** The last request's Host as sent and as parsed for the upstream (null until a request). */
  @Nullable String authorityText;

  @Nullable HostAndPort authority;

  /** A WebSocket: the keep-alive idle limit stays its idle limit. */
  boolean tunnel;

  /** The last exchange's limit for a client that reads nothing (its route's bodyIdle). */
  long sendLimitNanos = Timeouts.DEFAULTS.bodyIdle().toNanos();

  /** HTTP/2 only: resets streams that stay idle (null for HTTP/1). */
  @Nullable Http2StreamGuard h2;

  /** HTTP/1 only: the lingering close once one began (null until then). */
  @Nullable Http1LingeringClose h1Linger;

  void endLingering() {
    if (h2 != null) {
      h2.endLingering();
    }
    if (h1Linger != null) {
      h1Linger.endLingering();
    }
  }

  boolean timedOut;

  /** Since when the node has been closing this connection (0: not closing). */
  long closingSince;

  /**
   * The listener hostnames {@link #sniListener} was found in; the SNI name's listener there (421
   * between a Gateway socket's listeners). A connection without SNI never sets them.
   */
  @Nullable ListenerHostnames sniHostnames;

  int sniListener = -1;

  /** The DNS names of the certificate {@link #servedSession} presented (for 421). */
  @Nullable List<String> servedNames;

  @Nullable SSLSession servedSession;

  /**
   * Whether the head being read is late: from the head's first byte when the decoder reports it,
   * otherwise from the connection's fallback deadline.
   */
  boolean headTimedOut(long now, long headerReadNanos) {
    long started = decoder == null ? 0 : decoder.headStartedNanos();
    if (started != 0 && now - started >= headerReadNanos) {
      return true;
    }
    return headDeadline != 0 && now - headDeadline >= 0;
  }

  ConnectionState(String client) {
    this.client = client;
  }

  @Override
  public boolean requestInFlight() {
    return (active > 0 && !tunnel) || (decoder != null && decoder.headStartedNanos() != 0);
  }

  @Override
  public long sendLimitNanos() {
    return sendLimitNanos;
  }
}
