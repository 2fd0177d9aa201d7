package io.gatehouse.k8s.translate;

import io.gatehouse.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Self-signed certificates (from the shared {@link TestPki}) in the shape translator fixtures use.
 */
public final class TestCertificates {
  private TestCertificates() {}

  /** PEM chain and PKCS#8 key. */
  public record Pair(String certificatePem, String keyPem) {}

  /** The instant golden cases are translated at: their certificates are valid (or expired) then. */
  public static final Instant FIXTURE_NOW = Instant.parse("2026-06-01T00:00:00Z");

  /** Valid from an hour ago for 30 days. */
  public static Pair selfSigned(List<String> dnsNames) {
    Instant now = Instant.now();
    return selfSigned(dnsNames, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
  }

  /** For fixtures: valid around {@link #FIXTURE_NOW}, or expired before it. */
  public static Pair selfSigned(List<String> dnsNames, boolean expired) {
    return expired
        ? selfSigned(
            dnsNames, Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"))
        : selfSigned(
            dnsNames, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"));
  }

  public static Pair selfSigned(List<String> dnsNames, Instant from, Instant to) {
    // no names: CN=default and no subjectAltName, as the Gateway API conformance suite's Secret
    TestPki.Issued issued =
        TestPki.selfSigned(dnsNames.isEmpty() ? "default" : dnsNames.get(0), dnsNames, from, to);
    return new Pair(issued.certPem(), issued.keyPem());
  }
}
