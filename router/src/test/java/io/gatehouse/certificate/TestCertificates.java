package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.testing.TestPki;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Certificate specs and files for the certificate stage's tests, made by the shared {@link TestPki}
 * (self-signed) and passed through the real validator.
 */
public final class TestCertificates {
  private TestCertificates() {}

  public static ValidCertificate valid(String name, String... dnsNames) {
    TestPki.Issued issued = dayLong(dnsNames);
    Validated<ValidCertificate> v =
        CertificateValidator.validate(
            new CertificateSpec(
                CertificateKey.of("test", name),
                issued.certPem(),
                new PrivateKeyPem(issued.keyPem())),
            Clock.systemUTC());
    if (!v.isValid()) {
      throw new IllegalStateException(v.violations().toString());
    }
    return v.value();
  }

  /** A self-signed certificate spec valid from an hour ago until {@code notAfter}. */
  public static CertificateSpec spec(CertificateKey key, Instant notAfter, String... dnsNames) {
    TestPki.Issued issued =
        TestPki.selfSigned(
            dnsNames[0], List.of(dnsNames), Instant.now().minus(Duration.ofHours(1)), notAfter);
    return new CertificateSpec(key, issued.certPem(), new PrivateKeyPem(issued.keyPem()));
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
  public static X509Certificate writePair(Path dir, String name, String... dnsNames)
      throws IOException {
    TestPki.Issued issued = dayLong(dnsNames);
    Files.writeString(dir.resolve(name + ".key.tmp"), issued.keyPem());
    Files.writeString(dir.resolve(name + ".crt.tmp"), issued.certPem());
    Files.move(
        dir.resolve(name + ".key.tmp"),
        dir.resolve(name + ".key"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    Files.move(
        dir.resolve(name + ".crt.tmp"),
        dir.resolve(name + ".crt"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return issued.cert();
  }

  /** Writes {@code NAME.pem} holding the chain and the key together; returns the leaf. */
  public static X509Certificate writePem(Path dir, String name, String... dnsNames)
      throws IOException {
    TestPki.Issued issued = dayLong(dnsNames);
    Files.writeString(dir.resolve(name + ".pem"), issued.certPem() + issued.keyPem());
    return issued.cert();
  }

  private static TestPki.Issued dayLong(String... dnsNames) {
    Instant now = Instant.now();
    return TestPki.selfSigned(
        dnsNames[0],
        List.of(dnsNames),
        now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)));
  }
}
