package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.validate.ValidCertificate;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One certificate as the key manager serves it. Its {@link #alias()} is unique for the life of the
 * process and never reused for other material, so an alias chosen during a handshake always names
 * the same chain and key.
 *
 * @param name what logs call it: {@code tenant/name}, or {@code default} for the default
 * @param keyType {@code RSA} or {@code EC}
 * @param key the certificate's key, or null for the generated default
 * @param source where the certificate came from
 */
public record ServedCertificate(
    String alias,
    String name,
    X509Certificate[] chain,
    PrivateKey privateKey,
    String keyType,
    List<String> dnsNames,
    String sha256Fingerprint,
    @Nullable CertificateKey key,
    Source source) {
  private static final AtomicLong NEXT = new AtomicLong(1);

  /** Where a served certificate came from. */
  public enum Source {
    /** {@code tls.certDir}. */
    DIRECTORY,
    /** The table (admin API, Kubernetes Secrets), bound to hosts by routes. */
    TABLE,
    /** The self-signed default made at start. */
    GENERATED;

    /** Lower-case, as status and metrics show it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ServedCertificate {
    Objects.requireNonNull(alias, "alias");
    chain = chain.clone();
    Objects.requireNonNull(privateKey, "privateKey");
    dnsNames = List.copyOf(dnsNames);
    Objects.requireNonNull(source, "source");
  }

  public static ServedCertificate of(ValidCertificate c, Source source) {
    return new ServedCertificate(
        nextAlias(),
        c.key().toString(),
        c.chain().toArray(new X509Certificate[0]),
        c.privateKey(),
        c.keyType(),
        c.dnsNames(),
        c.sha256Fingerprint(),
        c.key(),
        source);
  }

  /** A certificate read from the directory. */
  public static ServedCertificate of(ValidCertificate c) {
    return of(c, Source.DIRECTORY);
  }

  /** A new alias, never reused for other material; the TLS edge counts them to renew contexts. */
  public static String nextAlias() {
    return "gatehouse-" + NEXT.getAndIncrement();
  }

  /** How many aliases this process has issued: grows by one per certificate added or renewed. */
  public static long aliasesIssued() {
    return NEXT.get() - 1;
  }

  /** A copy: callers may not change the served chain. */
  @Override
  public X509Certificate[] chain() {
    return chain.clone();
  }

  /** The leaf's notAfter. */
  public java.time.Instant notAfter() {
    return chain[0].getNotAfter().toInstant();
  }

  /** Whether this certificate can serve a key manager's {@code keyType} (RSA, EC, EC_EC...). */
  public boolean serves(@Nullable String keyType) {
    return keyType == null
        || keyType.equals(this.keyType)
        || (keyType.startsWith(this.keyType + "_") && this.keyType.equals("EC"));
  }

  /** Same certificate and key: a new index keeps the entry (and its alias) when this holds. */
  boolean sameMaterial(ServedCertificate o) {
    return name.equals(o.name)
        && source == o.source
        && sha256Fingerprint.equals(o.sha256Fingerprint)
        && privateKey.equals(o.privateKey)
        && java.util.Arrays.equals(chain, o.chain);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ServedCertificate s && s.alias.equals(alias);
  }

  @Override
  public int hashCode() {
    return alias.hashCode();
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "ServedCertificate["
        + alias
        + " "
        + name
        + " "
        + keyType
        + " "
        + dnsNames
        + " "
        + source.label()
        + " sha256="
        + sha256Fingerprint
        + "]";
  }
}
