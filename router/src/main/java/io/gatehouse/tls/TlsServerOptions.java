package io.gatehouse.tls;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.lang.reflect.Field;
import java.util.LinkedHashSet;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS server options: TLS on, SNI on, one {@link SniKeyManager} for every name, the versions,
 * suites, groups and tickets of a {@link TlsPolicy}, ALPN {@code h2} then {@code http/1.1}.
 *
 * <p>Engine: OpenSSL (BoringSSL from netty-tcnative) when its native library loads, else the JDK.
 * Both call the wrapped key manager at each handshake ({@code chooseEngineServerAlias} with the SNI
 * name in the handshake session), so certificate changes apply at once on either; OpenSSL does full
 * handshakes several times faster. SNI is on so that Vert.x records the name the client sent
 * ({@code HttpConnection.indicatedServerName()}, needed to answer 421 when the Host differs); its
 * per-name mapping finds no per-name key manager and uses the one context, which carries the {@link
 * SniKeyManager}.
 */
public final class TlsServerOptions {
  private static final Logger LOG = LoggerFactory.getLogger(TlsServerOptions.class);

  /** The default versions, newest first ({@link TlsPolicy#DEFAULTS}). */
  public static final List<String> PROTOCOLS = TlsPolicy.DEFAULTS.protocols();

  /**
   * The default suites: TLS 1.3's three, and for TLS 1.2 only ECDHE with AES-GCM or
   * ChaCha20-Poly1305 (Mozilla's "intermediate" list). TLS 1.3 suites must be listed: with the JDK
   * engine an explicit list without them disables TLS 1.3. None is on HTTP/2's block list.
   */
  public static final List<String> CIPHER_SUITES = TlsPolicy.DEFAULTS.enabledSuites();

  /** Which TLS implementation the listener runs. */
  public enum Engine {
    OPENSSL,
    JDK
  }

  private TlsServerOptions() {}

  /** The engine {@link #selectEngine} picks, without logging (for checking configuration). */
  public static Engine engineFor(boolean preferOpenSsl) {
    return preferOpenSsl
            && OpenSSLEngineOptions.isAvailable()
            && OpenSsl.supportsKeyManagerFactory()
            && OpenSSLEngineOptions.isAlpnAvailable()
        ? Engine.OPENSSL
        : Engine.JDK;
  }

  /**
   * OpenSSL when {@code preferOpenSsl} and the native library loads with key-manager support and
   * ALPN; otherwise the JDK. Logs which one runs and why.
   */
  public static Engine selectEngine(boolean preferOpenSsl) {
    if (!preferOpenSsl) {
      LOG.info("TLS engine: JDK (OpenSSL not requested)");
      return Engine.JDK;
    }
    if (!OpenSSLEngineOptions.isAvailable()) {
      Throwable cause = OpenSsl.unavailabilityCause();
      LOG.info(
          "TLS engine: JDK (OpenSSL unavailable: {})",
          cause == null ? "unknown reason" : cause.toString());
      return Engine.JDK;
    }
    if (!OpenSsl.supportsKeyManagerFactory() || !OpenSSLEngineOptions.isAlpnAvailable()) {
      LOG.info("TLS engine: JDK ({} lacks key-manager support or ALPN)", OpenSsl.versionString());
      return Engine.JDK;
    }
    LOG.info("TLS engine: OpenSSL ({} via netty-tcnative)", OpenSsl.versionString());
    return Engine.OPENSSL;
  }

  /** A copy of {@code base} that serves HTTPS with {@code keyManager} on {@code engine}. */
  public static HttpServerOptions https(
      HttpServerOptions base, SniKeyManager keyManager, Engine engine) {
    return https(base, keyManager, engine, TlsPolicy.DEFAULTS, name -> false, name -> false);
  }

  /** As above, with {@code policy}. */
  public static HttpServerOptions https(
      HttpServerOptions base, SniKeyManager keyManager, Engine engine, TlsPolicy policy) {
    return https(base, keyManager, engine, policy, name -> false, name -> false);
  }

  /**
   * As above, and asks for a client certificate on the SNI names {@code asksForClientCertificate}
   * names (see {@link ClientCertificateRequests}); {@code byWildcardOnly} tells which of them match
   * only a wildcard host.
   */
  public static HttpServerOptions https(
      HttpServerOptions base,
      SniKeyManager keyManager,
      Engine engine,
      TlsPolicy policy,
      java.util.function.Predicate<String> asksForClientCertificate,
      java.util.function.Predicate<String> byWildcardOnly) {
    HttpServerOptions o = new HttpServerOptions(base);
    o.setSsl(true);
    o.setSni(true);
    o.setKeyCertOptions(KeyCertOptions.wrap(keyManager));
    versionsAndSuites(o, policy);
    o.setUseAlpn(true);
    o.setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    o.setClientAuth(io.vertx.core.http.ClientAuth.NONE);
    o.setTrustOptions(
        ClientCertificateRequests.trustOptions(asksForClientCertificate, byWildcardOnly));
    if (engine == Engine.OPENSSL && needsTuning(policy)) {
      contextHandle(); // fail at start, not at the first handshake
    }
    o.setSslEngineOptions(
        ClientCertificateRequests.engineOptions(
            engine == Engine.OPENSSL ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions(),
            ctx -> tune(ctx, policy)));
    return o;
  }

  /**
   * Sets {@code o}'s TLS versions and suites to the policy's (also for the admin listener, which
   * runs on the JDK engine: groups and tickets there stay the JVM's).
   */
  public static HttpServerOptions versionsAndSuites(HttpServerOptions o, TlsPolicy policy) {
    o.setEnabledSecureTransportProtocols(new LinkedHashSet<>(policy.protocols()));
    for (String suite : List.copyOf(o.getEnabledCipherSuites())) {
      o.removeEnabledCipherSuite(suite);
    }
    policy.enabledSuites().forEach(o::addEnabledCipherSuite);
    return o;
  }

  /**
   * Applies what Vert.x's options cannot carry to a server context: the session timeout (both
   * engines); on OpenSSL ({@link TlsPolicy#checkEngine} refused what the JDK cannot honour) the
   * groups, set on the context so every connection gets them; and tickets. Netty turns tickets on
   * per connection whenever TLS 1.3 is enabled (after the context's options are copied), so turning
   * them off takes a wrapper that sets {@code SSL_OP_NO_TICKET} on each new engine.
   */
  static SslContext tune(SslContext ctx, TlsPolicy policy) {
    if (!policy.sessionTimeout().isZero()) {
      // Both engines: the context's session cache, and the lifetime of the tickets it issues.
      ctx.sessionContext().setSessionTimeout((int) policy.sessionTimeout().getSeconds());
    }
    if (!(ctx instanceof ReferenceCountedOpenSslContext) || !needsTuning(policy)) {
      return ctx;
    }
    // tcnative's SSLContext calls take Netty's native context handle (its protected field), not
    // the SSL_CTX pointer sslCtxPointer() returns: the wrong one crashes the JVM.
    long handle;
    try {
      handle = contextHandle().getLong(ctx);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot apply tls.groups/tls.sessionTickets", e);
    }
    if (!policy.groups().isEmpty()
        && !io.netty.internal.tcnative.SSLContext.setCurvesList(
            handle, policy.groups().toArray(String[]::new))) {
      throw new IllegalStateException(
          "tls.groups: OpenSSL refused " + String.join(",", policy.groups()));
    }
    if (policy.sessionTickets()) {
      // Also with TLS 1.2 only, where Netty leaves the context's choice.
      io.netty.internal.tcnative.SSLContext.clearOptions(handle, SSL.SSL_OP_NO_TICKET);
      return ctx;
    }
    io.netty.internal.tcnative.SSLContext.setOptions(handle, SSL.SSL_OP_NO_TICKET);
    return new NoTickets(ctx);
  }

  private static boolean needsTuning(TlsPolicy policy) {
    return !policy.groups().isEmpty() || !policy.sessionTickets();
  }

  /** Sets {@code SSL_OP_NO_TICKET} on each engine, after Netty's own per-engine settings. */
  private static final class NoTickets extends DelegatingSslContext {
    NoTickets(SslContext ctx) {
      super(ctx);
    }

    @Override
    protected void initEngine(SSLEngine engine) {
      if (engine instanceof ReferenceCountedOpenSslEngine e) {
        SSL.setOptions(e.sslPointer(), SSL.SSL_OP_NO_TICKET);
      }
    }
  }

  /**
   * Netty's native context handle; checked when the listener's options are made, so a Netty without
   * it stops the node at start instead of failing handshakes.
   */
  static Field contextHandle() {
    try {
      Field f = ReferenceCountedOpenSslContext.class.getDeclaredField("ctx");
      if (f.getType() != long.class) {
        throw new NoSuchFieldException("ctx is not a long");
      }
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException | RuntimeException e) {
      throw new IllegalStateException(
          "this Netty version gives no access to its OpenSSL context, so tls.groups and"
              + " tls.sessionTickets cannot be applied",
          e);
    }
  }
}
