package io.gatehouse.validate;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for tests, made with BouncyCastle (test scope only; also used by document). */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1);

  private TestPki() {}

  /** A key pair and its certificate. */
  public record Issued(KeyPair keys, X509Certificate cert) {
    public String certPem() {
      return pem("CERTIFICATE", der());
    }

    public String pkcs8Pem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /** PKCS#1 for an RSA key, as {@code openssl genrsa -traditional} writes it. */
    String traditionalPem() {
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(keys.getPrivate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return w.toString();
    }

    /**
     * SEC1 with the named curve and the public point, as {@code openssl ecparam -genkey} writes.
     */
    String sec1Pem() {
      try {
        java.security.interfaces.ECPrivateKey k =
            (java.security.interfaces.ECPrivateKey) keys.getPrivate();
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo spki =
            org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                keys.getPublic().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
            new org.bouncycastle.asn1.sec.ECPrivateKey(
                256,
                k.getS(),
                spki.getPublicKeyData(),
                org.bouncycastle.asn1.x9.X9ObjectIdentifiers.prime256v1);
        return pem("EC PARAMETERS", new byte[] {6, 8, 42, -122, 72, -50, 61, 3, 1, 7})
            + pem("EC PRIVATE KEY", sec1.getEncoded());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String keyBase64() {
      return Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
    }

    private byte[] der() {
      try {
        return cert.getEncoded();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static KeyPair ec() {
    return generate("EC", new ECGenParameterSpec("secp256r1"));
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair generate(String alg, java.security.spec.AlgorithmParameterSpec spec) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
      if (spec != null) {
        g.initialize(spec);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Issued selfSigned(String cn, List<String> dnsNames, Instant from, Instant to) {
    KeyPair keys = ec();
    return issue(keys, cn, dnsNames, from, to, null, false);
  }

  /** {@code issuer} null means self-signed. */
  public static Issued issue(
      KeyPair keys,
      String cn,
      List<String> dnsNames,
      Instant from,
      Instant to,
      Issued issuer,
      boolean ca) {
    try {
      X500Name subject = new X500Name("CN=" + cn);
      X500Name issuerName =
          issuer == null
              ? subject
              : X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerName,
              BigInteger.valueOf(SERIAL.getAndIncrement()),
              Date.from(from),
              Date.from(to),
              subject,
              keys.getPublic());
      if (!dnsNames.isEmpty()) {
        GeneralName[] names =
            dnsNames.stream()
                .map(n -> new GeneralName(GeneralName.dNSName, n))
                .toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      java.security.PrivateKey signKey =
          issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
      String sigAlg =
          switch (signKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> "Ed25519"; // the JDK names an Ed25519 key "EdDSA"
          };
      return new Issued(
          keys,
          new JcaX509CertificateConverter()
              .getCertificate(b.build(new JcaContentSignerBuilder(sigAlg).build(signKey))));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
