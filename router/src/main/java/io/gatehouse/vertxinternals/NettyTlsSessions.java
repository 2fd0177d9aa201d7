package io.gatehouse.vertxinternals;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import javax.net.ssl.SSLEngine;
import org.jspecify.annotations.Nullable;

/**
 * Whether a server-side TLS handshake resumed a session. Neither the JDK nor Netty has a public
 * API: Netty's OpenSSL engine knows ({@code isSessionReused}, package-private, read once by a
 * method handle); the JDK engine does not say, so its handshakes are "unknown".
 */
public final class NettyTlsSessions {
  /** Resumed session. */
  public static final int RESUMED = 1;

  /** Full handshake. */
  public static final int FULL = 0;

  /** The engine cannot tell. */
  public static final int UNKNOWN = -1;

  private static final @Nullable MethodHandle SESSION_REUSED = sessionReused();

  private NettyTlsSessions() {}

  private static @Nullable MethodHandle sessionReused() {
    try {
      return MethodHandles.privateLookupIn(
              ReferenceCountedOpenSslEngine.class, MethodHandles.lookup())
          .findVirtual(
              ReferenceCountedOpenSslEngine.class,
              "isSessionReused",
              MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null; // a Netty without it: every handshake is "unknown"
    }
  }

  /** {@link #RESUMED}, {@link #FULL} or {@link #UNKNOWN} for the channel's TLS handshake. */
  public static int resumed(Channel channel) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return UNKNOWN;
    }
    SSLEngine engine = ssl.engine();
    MethodHandle reused = SESSION_REUSED;
    if (reused == null || !(engine instanceof ReferenceCountedOpenSslEngine openssl)) {
      return UNKNOWN;
    }
    try {
      return (boolean) reused.invoke(openssl) ? RESUMED : FULL;
    } catch (Throwable t) {
      return UNKNOWN;
    }
  }

  /** The negotiated protocol ({@code TLSv1.3}), or null without TLS. */
  public static @Nullable String version(Channel channel) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return ssl == null ? null : ssl.engine().getSession().getProtocol();
  }
}
