package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** Self-signed certificates for tests, passed through the real validator. */
public final class TestCertificates {
  private TestCertificates() {}

  public static ValidCertificate valid(String name, String... dnsNames) {
    KeyPair keys = DefaultCertificate.ecP256();
    Instant now = Instant.now();
    X509Certificate cert =
        DefaultCertificate.selfSigned(
            dnsNames[0],
            List.of(dnsNames),
            keys,
            now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)));
    Validated<ValidCertificate> v =
        CertificateValidator.validate(
            new CertificateSpec(
                CertificateKey.of("test", name),
                pem("CERTIFICATE", der(cert)),
                new PrivateKeyPem(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))),
            Clock.systemUTC());
    if (!v.isValid()) {
      throw new IllegalStateException(v.violations().toString());
    }
    return v.value();
  }

  /** A self-signed certificate spec valid from an hour ago until {@code notAfter}. */
  public static CertificateSpec spec(CertificateKey key, Instant notAfter, String... dnsNames) {
    KeyPair keys = DefaultCertificate.ecP256();
    X509Certificate cert =
        DefaultCertificate.selfSigned(
            dnsNames[0],
            List.of(dnsNames),
            keys,
            Instant.now().minus(Duration.ofHours(1)),
            notAfter);
    return new CertificateSpec(
        key,
        pem("CERTIFICATE", der(cert)),
        new PrivateKeyPem(pem("PRIVATE KEY", keys.getPrivate().getEncoded())));
  }

  /** A self-signed certificate spec valid for a day. */
  public static CertificateSpec spec(String tenant, String name, String... dnsNames) {
    return spec(CertificateKey.of(tenant, name), Instant.now().plus(Duration.ofDays(1)), dnsNames);
  }

  /** {@code spec} through the real validator (now), which must accept it. */
  public static ValidCertificate validate(CertificateSpec spec) {
    Validated<ValidCertificate> v = CertificateValidator.validate(spec, Clock.systemUTC());
    if (!v.isValid()) {
      throw new IllegalStateException(v.violations().toString());
    }
    return v.value();
  }

  /** The base64 of a key's PKCS#8 DER, to assert it appears nowhere. */
  public static String keyText(CertificateSpec spec) {
    String pem = spec.privateKey().pem();
    return pem.substring(pem.indexOf('\n') + 1, pem.indexOf('\n') + 41);
  }

  /**
   * Writes a self-signed {@code NAME.crt} and {@code NAME.key} into {@code dir}; returns the leaf.
   */
  public static X509Certificate writePair(java.nio.file.Path dir, String name, String... dnsNames)
      throws java.io.IOException {
    KeyPair keys = DefaultCertificate.ecP256();
    Instant now = Instant.now();
    X509Certificate cert =
        DefaultCertificate.selfSigned(
            dnsNames[0],
            List.of(dnsNames),
            keys,
            now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)));
    java.nio.file.Files.writeString(
        dir.resolve(name + ".key.tmp"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    java.nio.file.Files.writeString(dir.resolve(name + ".crt.tmp"), pem("CERTIFICATE", der(cert)));
    java.nio.file.Files.move(
        dir.resolve(name + ".key.tmp"),
        dir.resolve(name + ".key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    java.nio.file.Files.move(
        dir.resolve(name + ".crt.tmp"),
        dir.resolve(name + ".crt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return cert;
  }

  /** Writes {@code NAME.pem} holding the chain and the key together; returns the leaf. */
  public static X509Certificate writePem(java.nio.file.Path dir, String name, String... dnsNames)
      throws java.io.IOException {
    KeyPair keys = DefaultCertificate.ecP256();
    Instant now = Instant.now();
    X509Certificate cert =
        DefaultCertificate.selfSigned(
            dnsNames[0],
            List.of(dnsNames),
            keys,
            now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)));
    java.nio.file.Files.writeString(
        dir.resolve(name + ".pem"),
        pem("CERTIFICATE", der(cert)) + pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    return cert;
  }

  private static byte[] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
