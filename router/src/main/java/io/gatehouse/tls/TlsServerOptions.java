package io.gatehouse.tls;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS server options: TLS on, SNI on, one {@link SniKeyManager} for every name, TLS 1.2 and 1.3
 * only, forward-secret AEAD cipher suites, ALPN {@code h2} then {@code http/1.1}.
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

  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /**
   * TLS 1.3's three suites, and for TLS 1.2 only ECDHE with AES-GCM or ChaCha20-Poly1305 (Mozilla's
   * "intermediate" list). TLS 1.3 suites must be listed: with the JDK engine an explicit list
   * without them disables TLS 1.3. None is on HTTP/2's block list.
   */
  public static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** Which TLS implementation the listener runs. */
  public enum Engine {
    OPENSSL,
    JDK
  }

  private TlsServerOptions() {}

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
    return https(base, keyManager, engine, name -> false, name -> false);
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
      java.util.function.Predicate<String> asksForClientCertificate,
      java.util.function.Predicate<String> byWildcardOnly) {
    HttpServerOptions o = new HttpServerOptions(base);
    o.setSsl(true);
    o.setSni(true);
    o.setKeyCertOptions(KeyCertOptions.wrap(keyManager));
    o.setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS));
    for (String suite : List.copyOf(o.getEnabledCipherSuites())) {
      o.removeEnabledCipherSuite(suite);
    }
    CIPHER_SUITES.forEach(o::addEnabledCipherSuite);
    o.setUseAlpn(true);
    o.setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    o.setClientAuth(io.vertx.core.http.ClientAuth.NONE);
    o.setTrustOptions(
        ClientCertificateRequests.trustOptions(asksForClientCertificate, byWildcardOnly));
    o.setSslEngineOptions(
        ClientCertificateRequests.engineOptions(
            engine == Engine.OPENSSL ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions()));
    return o;
  }
}
