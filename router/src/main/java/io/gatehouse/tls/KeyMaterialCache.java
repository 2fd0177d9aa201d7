package io.gatehouse.tls;

import io.gatehouse.certificate.ServedCertificate;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import javax.net.ssl.KeyManagerFactory;

/**
 * OpenSSL's native copy of each served certificate and key, kept per SSL context.
 *
 * <p>Without it Netty re-encodes the chosen chain and key to PEM and parses them natively at every
 * full handshake, and BoringSSL rebuilds the RSA key's precomputed values each time: about a
 * quarter of a full RSA-2048 handshake's CPU here. Netty's cache is keyed by alias and never
 * evicts; our aliases are never reused for other material ({@link ServedCertificate}), so a cached
 * entry is never stale, but the entries of retired certificates stay until the context goes, and
 * past {@link #MAX_ENTRIES} Netty stops caching. So once {@link #renewAfter} new aliases have been
 * issued since the listener's contexts were made, {@link #due()} says to make fresh ones (Vert.x's
 * {@code updateSSLOptions} with force): new connections then use new contexts with an empty cache,
 * open ones keep theirs, and the old contexts are freed with their last connection. The JDK engine
 * keeps no such copy.
 */
public final class KeyMaterialCache {
  /** Entries per context; far above the live certificates of one listener in practice. */
  public static final int MAX_ENTRIES = 4096;

  /** New aliases (certificates added or renewed) after which contexts are renewed. */
  public static final long DEFAULT_RENEW_AFTER = 1024;

  private final long renewAfter;
  private long issuedAtRenewal;

  public KeyMaterialCache() {
    this(DEFAULT_RENEW_AFTER);
  }

  KeyMaterialCache(long renewAfter) {
    if (renewAfter < 1) {
      throw new IllegalArgumentException("renewAfter must be positive");
    }
    this.renewAfter = renewAfter;
    this.issuedAtRenewal = ServedCertificate.aliasesIssued();
  }

  /** The factory OpenSSL contexts get: {@code kmf}'s key manager with cached native material. */
  static KeyManagerFactory caching(KeyManagerFactory kmf) {
    return new OpenSslCachingX509KeyManagerFactory(kmf, MAX_ENTRIES);
  }

  /**
   * Whether the listener should make fresh SSL contexts now; true at most once per {@link
   * #renewAfter} aliases issued. Called from one event loop.
   */
  public boolean due() {
    long issued = ServedCertificate.aliasesIssued();
    if (issued - issuedAtRenewal < renewAfter) {
      return false;
    }
    issuedAtRenewal = issued;
    return true;
  }
}
