package io.gatehouse.ocsp;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/** A CA, a leaf naming an OCSP responder, and responses signed as a test asks. */
final class OcspFixture {
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  final KeyPair caKeys = keys();
  final X509Certificate ca;
  final KeyPair leafKeys = keys();
  final X509Certificate leaf;

  OcspFixture(String responderUrl) {
    Instant now = Instant.now();
    ca =
        cert(
            "CN=Test OCSP CA",
            "CN=Test OCSP CA",
            caKeys,
            caKeys.getPrivate(),
            now,
            true,
            null,
            false);
    leaf =
        cert(
            "CN=Test OCSP CA",
            "CN=leaf.example",
            leafKeys,
            caKeys.getPrivate(),
            now,
            false,
            responderUrl,
            false);
  }

  static KeyPair keys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(256);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A responder certificate the CA issued, with or without id-kp-OCSPSigning. */
  X509Certificate delegate(KeyPair keys, boolean ocspSigning) {
    return cert(
        "CN=Test OCSP CA",
        "CN=Test OCSP responder",
        keys,
        caKeys.getPrivate(),
        Instant.now(),
        false,
        null,
        ocspSigning);
  }

  static X509Certificate cert(
      String issuer,
      String subject,
      KeyPair keys,
      PrivateKey signer,
      Instant now,
      boolean ca,
      @Nullable String ocspUrl,
      boolean ocspSigning) {
    try {
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              new X500Name(issuer),
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(30))),
              new X500Name(subject),
              keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ocspUrl != null) {
        b.addExtension(
            Extension.authorityInfoAccess,
            false,
            new AuthorityInformationAccess(
                AccessDescription.id_ad_ocsp,
                new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl)));
      }
      if (subject.startsWith("CN=") && subject.endsWith(".example")) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new org.bouncycastle.asn1.x509.GeneralNames(
                new GeneralName(GeneralName.dNSName, subject.substring(3))));
      }
      if (ocspSigning) {
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
      }
      X509CertificateHolder h =
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
      return new JcaX509CertificateConverter().getCertificate(h);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A successful basic response about {@code id}, signed by {@code signerKey} (with {@code
   * signerCert} included when not null).
   */
  static byte[] response(
      CertificateID id,
      @Nullable CertificateStatus status,
      Instant thisUpdate,
      @Nullable Instant nextUpdate,
      X509Certificate responderCert,
      PrivateKey signerKey,
      boolean includeCert) {
    try {
      BasicOCSPRespBuilder b =
          new BasicOCSPRespBuilder(
              new RespID(new JcaX509CertificateHolder(responderCert).getSubject()));
      b.addResponse(
          id,
          status,
          Date.from(thisUpdate),
          nextUpdate == null ? null : Date.from(nextUpdate),
          null);
      X509CertificateHolder[] chain =
          includeCert
              ? new X509CertificateHolder[] {new JcaX509CertificateHolder(responderCert)}
              : null;
      return new OCSPRespBuilder()
          .build(
              OCSPRespBuilder.SUCCESSFUL,
              b.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(signerKey),
                  chain,
                  Date.from(thisUpdate)))
          .getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] unsuccessful(int status) {
    try {
      return new OCSPRespBuilder().build(status, null).getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static CertificateStatus revoked() {
    return new RevokedStatus(Date.from(Instant.now().minusSeconds(60)), CRLReason.keyCompromise);
  }

  static CertificateStatus unknown() {
    return new UnknownStatus();
  }
}
