package io.gatehouse.validate;

import io.gatehouse.model.CertificateKey;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A certificate that {@link CertificateValidator} accepted, parsed once: ready to serve.
 *
 * @param chain the leaf first, each certificate signed by the next
 * @param privateKey the leaf's key; never printed
 * @param keyType {@code RSA} or {@code EC}, as a TLS key manager names key types
 * @param dnsNames the leaf's DNS subjectAltNames, lower-case, in certificate order
 * @param sha256Fingerprint SHA-256 of the leaf's DER, upper-case hex pairs joined by ':' as {@code
 *     openssl x509 -fingerprint -sha256} prints it
 */
public record ValidCertificate(
    CertificateKey key,
    List<X509Certificate> chain,
    PrivateKey privateKey,
    String keyType,
    List<String> dnsNames,
    String subject,
    String issuer,
    Instant notBefore,
    Instant notAfter,
    String sha256Fingerprint) {

  public ValidCertificate {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    Objects.requireNonNull(privateKey, "privateKey");
    dnsNames = List.copyOf(dnsNames);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** Names the certificate, its DNS names, dates and fingerprint; never the key. */
  @Override
  public String toString() {
    return "ValidCertificate[key="
        + key
        + ", keyType="
        + keyType
        + ", dnsNames="
        + dnsNames
        + ", subject="
        + subject
        + ", issuer="
        + issuer
        + ", notBefore="
        + notBefore
        + ", notAfter="
        + notAfter
        + ", sha256="
        + sha256Fingerprint
        + ", chain="
        + chain.size()
        + " certificates, privateKey=redacted]";
  }
}
