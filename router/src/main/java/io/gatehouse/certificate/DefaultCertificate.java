package io.gatehouse.certificate;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate served to clients that send no SNI name or a name no certificate covers, when
 * none is configured: a self-signed EC P-256 certificate for {@code gatehouse.invalid} (RFC 6761: a
 * name that never resolves), generated at start and never written to disk. Clients will not trust
 * it, which is the point: it answers the handshake so the client sees a certificate error rather
 * than a reset.
 *
 * <p>BouncyCastle builds the certificate (the JDK has no public API for it) with JDK keys and the
 * JDK's signature providers; BouncyCastle is not registered as a security provider.
 */
public final class DefaultCertificate {
  public static final String NAME = "gatehouse.invalid";
  private static final Logger LOG = LoggerFactory.getLogger(DefaultCertificate.class);
  private static final Duration VALIDITY = Duration.ofDays(3650);

  private DefaultCertificate() {}

  /** Generates the default certificate (the node logs when it is served). */
  public static ServedCertificate generate(Clock clock) {
    KeyPair keys = ecP256();
    Instant now = clock.instant();
    X509Certificate cert =
        selfSigned(
            "Gatehouse default certificate",
            List.of(NAME),
            keys,
            now.minus(Duration.ofHours(1)),
            now.plus(VALIDITY));
    ServedCertificate c =
        new ServedCertificate(
            ServedCertificate.nextAlias(),
            "default (self-signed)",
            new X509Certificate[] {cert},
            keys.getPrivate(),
            "EC",
            List.of(NAME),
            fingerprint(cert),
            null,
            ServedCertificate.Source.GENERATED);
    return c;
  }

  /** Says that the generated certificate is the default now (at start, and when it becomes so). */
  public static void logInUse(ServedCertificate c) {
    LOG.info(
        "No usable default TLS certificate: clients without SNI or with an unknown name get a"
            + " generated self-signed certificate (EC P-256, CN=Gatehouse default certificate,"
            + " SHA-256 {}), which no client trusts",
        c.sha256Fingerprint());
  }

  /** A fresh EC P-256 key pair. */
  public static KeyPair ecP256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate EC P-256 keys", e);
    }
  }

  /** A self-signed end-entity certificate for {@code dnsNames}, signed with {@code keys}. */
  public static X509Certificate selfSigned(
      String commonName, List<String> dnsNames, KeyPair keys, Instant notBefore, Instant notAfter) {
    X500Name subject = new X500Name("CN=" + commonName.replace(",", "\\,"));
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            subject,
            new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
            Date.from(notBefore),
            Date.from(notAfter),
            subject,
            keys.getPublic());
    try {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              dnsNames.stream()
                  .map(n -> new GeneralName(GeneralName.dNSName, n))
                  .toArray(GeneralName[]::new)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      String alg =
          keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate())));
    } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a self-signed certificate", e);
    }
  }

  static String fingerprint(X509Certificate c) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
