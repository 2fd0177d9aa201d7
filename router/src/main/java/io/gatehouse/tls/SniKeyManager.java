package io.gatehouse.tls;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.ServedCertificate;
import io.gatehouse.model.CertificateKey;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * The server's one key manager: at each handshake it reads the current {@link CertificateIndex} and
 * picks the certificate for the client's SNI name, so a certificate added, renewed or removed is
 * served (or no longer served) from the next handshake on, with no SSL context to rebuild.
 * Connections already open keep the session they negotiated.
 *
 * <p>The alias it returns is the chosen entry's process-unique alias, never reused for other
 * material, and {@link #getCertificateChain} and {@link #getPrivateKey} resolve it against the
 * current index, which still knows the entries the last swap retired: a swap between choosing and
 * reading never mixes one certificate's chain with another's key. (Two swaps inside that
 * microsecond window would make the alias unknown and fail that one handshake, never serve the
 * wrong key.)
 *
 * <p>A Gateway's HTTPS socket has its own manager ({@link #withFallback}): where the node's would
 * answer with the default certificate, it answers with the socket's listener's certificate.
 *
 * <p>Runs on the event loop: two map lookups, no locks, no I/O.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {
  private final AtomicReference<CertificateIndex> index;
  private final Fallbacks fallbacks;
  private final TlsPolicy policy;
  private final Staples staples;
  private final @Nullable CertificateKey fallback;

  /**
   * The OCSP response to staple with a certificate, by its SHA-256 fingerprint (the node's {@code
   * ocsp.OcspStapler}); null for none. Called at each handshake on the event loop: a map read.
   */
  @FunctionalInterface
  public interface Staples {
    Staples NONE = fingerprint -> null;

    byte @Nullable [] staple(String sha256Fingerprint);
  }

  /**
   * Told about a handshake that asked for a name a route serves over HTTPS but no certificate
   * covers, so it got the default certificate (a misconfiguration). Called on the event loop.
   */
  @FunctionalInterface
  public interface Fallbacks {
    Fallbacks NONE = host -> {};

    /**
     * @param host the SNI name, lower case, without a trailing dot
     */
    void count(String host);
  }

  public SniKeyManager(AtomicReference<CertificateIndex> index) {
    this(index, Fallbacks.NONE);
  }

  public SniKeyManager(AtomicReference<CertificateIndex> index, Fallbacks fallbacks) {
    this(index, fallbacks, TlsPolicy.DEFAULTS);
  }

  /**
   * @param policy its hosts that require TLS 1.3 get no certificate on an older version, so the
   *     handshake fails with an alert before anything is served
   */
  public SniKeyManager(
      AtomicReference<CertificateIndex> index, Fallbacks fallbacks, TlsPolicy policy) {
    this(index, fallbacks, policy, Staples.NONE);
  }

  /**
   * @param staples OCSP responses to staple; with the OpenSSL engine a chosen certificate's
   *     response goes on the connection before the server's first flight (BoringSSL sends it only
   *     to clients that ask, in the TLS 1.2 CertificateStatus message or the TLS 1.3 certificate
   *     entry); the JDK engine staples nothing
   */
  public SniKeyManager(
      AtomicReference<CertificateIndex> index,
      Fallbacks fallbacks,
      TlsPolicy policy,
      Staples staples) {
    this(index, fallbacks, policy, staples, null);
  }

  private SniKeyManager(
      AtomicReference<CertificateIndex> index,
      Fallbacks fallbacks,
      TlsPolicy policy,
      Staples staples,
      @Nullable CertificateKey fallback) {
    this.index = index;
    this.fallbacks = fallbacks;
    this.policy = policy;
    this.staples = staples;
    this.fallback = fallback;
  }

  /**
   * This manager for a Gateway's HTTPS socket: a name no certificate covers, or no SNI, gets the
   * table certificate {@code certificate} ({@link CertificateIndex#byKey}) instead of the node's
   * default, while that certificate is valid; the same index, policy and staples.
   */
  public SniKeyManager withFallback(CertificateKey certificate) {
    return new SniKeyManager(index, fallbacks, policy, staples, certificate);
  }

  /**
   * The index of this handshake; never null: the certificate stage's reference starts with an index
   * and is only ever swapped for the next one.
   */
  private CertificateIndex current() {
    return Objects.requireNonNull(index.get(), "index");
  }

  /** The index handshakes read; swap it with {@code set}. */
  public AtomicReference<CertificateIndex> index() {
    return index;
  }

  @Override
  public @Nullable String chooseEngineServerAlias(
      String keyType, Principal[] issuers, @Nullable SSLEngine engine) {
    String alias = choose(keyType, engine == null ? null : engine.getHandshakeSession());
    if (alias != null
        && staples != Staples.NONE
        && engine instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine openssl) {
      staple(openssl, alias);
    }
    return alias;
  }

  /**
   * Puts the chosen certificate's OCSP response on the connection. Netty's own {@code
   * setOcspResponse} refuses unless the whole context was built with OCSP on, which Vert.x's
   * options cannot ask for; on the server BoringSSL needs nothing more than the response set before
   * its first flight, which this callback precedes.
   */
  private void staple(io.netty.handler.ssl.ReferenceCountedOpenSslEngine engine, String alias) {
    ServedCertificate c = current().byAlias(alias);
    byte[] der = c == null ? null : staples.staple(c.sha256Fingerprint());
    if (der != null) {
      synchronized (engine) {
        long ssl = engine.sslPointer();
        if (ssl != 0) {
          io.netty.internal.tcnative.SSL.setOcspResponse(ssl, der);
        }
      }
    }
  }

  @Override
  public @Nullable String chooseServerAlias(
      String keyType, Principal[] issuers, @Nullable Socket socket) {
    return choose(
        keyType, socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : (SSLSession) null);
  }

  private @Nullable String choose(String keyType, @Nullable SSLSession handshake) {
    String sni = requestedServerName(handshake);
    // Both engines pick the certificate after the version is negotiated, so it is known here.
    if (policy.refuses(
        CertificateIndex.normalize(sni), handshake == null ? null : handshake.getProtocol())) {
      return null;
    }
    return choose(keyType, sni);
  }

  /** The alias for an SNI name (null: none sent), or null when the key type does not fit. */
  @Nullable String choose(String keyType, @Nullable String sniName) {
    CertificateIndex i = current();
    String name = CertificateIndex.normalize(sniName);
    ServedCertificate c = i.lookupNormalized(name);
    if (c == i.defaultCertificate() && fallback != null) {
      ServedCertificate own = i.byKey(fallback);
      if (own != null) {
        c = own; // the listener's own certificate: not a fallback to count
      }
    }
    if (!c.serves(keyType)) {
      // The engine asks once per key type it can use; count the fallback only on the answer.
      return null;
    }
    if (name != null && c == i.defaultCertificate() && i.servedOverHttps(name)) {
      fallbacks.count(name);
    }
    return c.alias();
  }

  /** The SNI host name the client sent, or null. */
  static @Nullable String requestedServerName(@Nullable SSLSession handshake) {
    if (handshake instanceof ExtendedSSLSession ext) {
      for (SNIServerName n : ext.getRequestedServerNames()) {
        if (n instanceof SNIHostName host) {
          return host.getAsciiName();
        }
        if (n.getType() == 0) {
          return new SNIHostName(n.getEncoded()).getAsciiName();
        }
      }
    }
    return null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    CertificateIndex i = current();
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(i.defaultCertificate()), i.certificates().stream())
        .filter(c -> c.serves(keyType))
        .map(ServedCertificate::alias)
        .toArray(String[]::new);
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(String alias) {
    ServedCertificate c = current().byAlias(alias);
    return c == null ? null : c.chain();
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(String alias) {
    ServedCertificate c = current().byAlias(alias);
    return c == null ? null : c.privateKey();
  }

  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public @Nullable String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public @Nullable String chooseEngineClientAlias(
      String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
