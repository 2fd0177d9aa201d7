package io.gatehouse.vertxinternals;

import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import org.jspecify.annotations.Nullable;

/**
 * The native handle of a Netty OpenSSL context, which tcnative's {@code SSLContext} calls take (to
 * set groups and ticket options no Netty or Vert.x option carries for a context Vert.x builds).
 * Netty keeps it in a protected field; its public {@code sslCtxPointer()} is the raw {@code
 * SSL_CTX} pointer, which those calls must not get (the JVM crashes).
 */
public final class NettyOpenSslContexts {
  private static final @Nullable MethodHandle CTX = ctx();

  private NettyOpenSslContexts() {}

  private static @Nullable MethodHandle ctx() {
    try {
      return MethodHandles.privateLookupIn(
              ReferenceCountedOpenSslContext.class, MethodHandles.lookup())
          .findGetter(ReferenceCountedOpenSslContext.class, "ctx", long.class);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null; // a Netty without it: available() says so
    }
  }

  /** Whether this Netty gives access to the handle. */
  public static boolean available() {
    return CTX != null;
  }

  /**
   * The handle of {@code ctx}, an OpenSSL context.
   *
   * @throws IllegalStateException when this Netty gives no access to it
   */
  public static long handle(SslContext ctx) {
    MethodHandle h = CTX;
    if (h == null || !(ctx instanceof ReferenceCountedOpenSslContext openSsl)) {
      throw new IllegalStateException("no native handle for " + ctx.getClass().getName());
    }
    try {
      return (long) h.invoke(openSsl);
    } catch (Throwable t) {
      throw new IllegalStateException("cannot read the native handle of an OpenSSL context", t);
    }
  }
}
