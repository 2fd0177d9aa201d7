package io.gatehouse.certificate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How long each served certificate (the default, the directory's, the table's bound ones) has left,
 * for {@code /status}, the metrics and the expiry warnings. Never carries the key.
 *
 * @param name {@code tenant/name}, or the default's name
 * @param tenant the owning tenant, or null for the generated default
 * @param daysLeft whole days until notAfter (negative once expired)
 * @param source {@code directory}, {@code table} or {@code generated}
 * @param expiringSoon expires within {@link #SOON}
 */
public record CertificateExpiry(
    String name,
    @Nullable String tenant,
    List<String> dnsNames,
    Instant notAfter,
    long daysLeft,
    String source,
    boolean expiringSoon) {
  /** Certificates that expire within this are reported. */
  public static final Duration SOON = Duration.ofDays(14);

  public CertificateExpiry {
    dnsNames = List.copyOf(dnsNames);
  }

  public static CertificateExpiry of(ServedCertificate c, Instant now) {
    Duration left = Duration.between(now, c.notAfter());
    return new CertificateExpiry(
        c.name(),
        c.key() == null ? null : c.key().tenant().value(),
        c.dnsNames(),
        c.notAfter(),
        Math.floorDiv(left.getSeconds(), 86_400L),
        c.source().label(),
        left.compareTo(SOON) < 0);
  }

  /**
   * The generated default first (a named default is listed with the directory's), then the rest.
   */
  public static List<CertificateExpiry> of(CertificateIndex index, Instant now) {
    List<CertificateExpiry> out = new ArrayList<>();
    if (index.defaultCertificate().source() == ServedCertificate.Source.GENERATED) {
      out.add(of(index.defaultCertificate(), now));
    }
    for (ServedCertificate c : index.certificates()) {
      out.add(of(c, now));
    }
    return out;
  }
}
