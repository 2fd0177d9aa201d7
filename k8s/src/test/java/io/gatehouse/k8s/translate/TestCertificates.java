package io.gatehouse.k8s.translate;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed EC P-256 certificates for translator fixtures and ITs. */
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
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      X500Name subject = new X500Name("CN=" + dnsNames.get(0));
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.valueOf(System.nanoTime() & Long.MAX_VALUE),
              Date.from(from),
              Date.from(to),
              subject,
              kp.getPublic());
      GeneralName[] names =
          dnsNames.stream()
              .map(n -> new GeneralName(GeneralName.dNSName, n))
              .toArray(GeneralName[]::new);
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      X509CertificateHolder holder =
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
      return new Pair(pem(holder), pem(new JcaPKCS8Generator(kp.getPrivate(), null).generate()));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
    return w.toString();
  }
}
