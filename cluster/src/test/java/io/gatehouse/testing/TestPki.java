package io.gatehouse.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The project's one PKI for tests, made with BouncyCastle and shared through cluster's test-jar: a
 * certificate authority made per test and the server and client certificates it issues (EC P-256,
 * valid from an hour ago for a day), plus self-signed certificates and keys of any algorithm and
 * validity for the validator's cases. Framework-free, so every module's tests can use it.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private final Issued ca;

  /** A key pair and its certificate ({@code issuer} null when self-signed), with PEM forms. */
  public record Issued(KeyPair keys, X509Certificate cert, Issued issuer) {
    public String certPem() {
      return pem("CERTIFICATE", der(cert));
    }

    /** The leaf then each issuer, the root included (as the validator wants it). */
    public String chainPem() {
      StringBuilder b = new StringBuilder(certPem());
      for (Issued i = issuer; i != null; i = i.issuer) {
        b.append(i.certPem());
      }
      return b.toString();
    }

    /** The private key as PKCS#8 ({@code PRIVATE KEY}). */
    public String keyPem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /** PKCS#1 for an RSA key, as {@code openssl genrsa -traditional} writes it. */
    public String traditionalPem() {
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
    public String sec1Pem() {
      try {
        BigInteger s =
            ECPrivateKey.getInstance(
                    PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded()).parsePrivateKey())
                .getKey();
        ECPrivateKey sec1 =
            new ECPrivateKey(
                256,
                s,
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                X9ObjectIdentifiers.prime256v1);
        return pem("EC PARAMETERS", new byte[] {6, 8, 42, -122, 72, -50, 61, 3, 1, 7})
            + pem("EC PRIVATE KEY", sec1.getEncoded());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public String keyBase64() {
      return Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
    }

    /** A stretch of the key's base64 that any message printing the key would contain. */
    public String keyFragment() {
      return keyBase64().substring(16, 56);
    }

    public String subject() {
      return cert.getSubjectX500Principal().getName();
    }
  }

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  /** A new self-signed CA named {@code cn}. */
  public static TestPki ca(String cn) {
    Instant now = Instant.now();
    return new TestPki(
        issue(
            ec(), new X500Name("CN=" + cn), List.of(), List.of(), from(now), to(now), null, true));
  }

  public Issued caCert() {
    return ca;
  }

  public String caPem() {
    return ca.certPem();
  }

  /** A server certificate for DNS names and IP addresses. */
  public Issued server(List<String> dnsNames, List<String> ips) {
    Instant now = Instant.now();
    String cn = dnsNames.isEmpty() ? ips.get(0) : dnsNames.get(0);
    return issue(ec(), new X500Name("CN=" + cn), dnsNames, ips, from(now), to(now), ca, false);
  }

  /** A server certificate for DNS names and URIs (subject alternative names of both types). */
  public Issued serverWithUris(List<String> dnsNames, List<String> uris) {
    Instant now = Instant.now();
    return issue(
        ec(),
        new X500Name("CN=" + dnsNames.get(0)),
        dnsNames,
        List.of(),
        uris,
        from(now),
        to(now),
        ca,
        false);
  }

  /** A client certificate with subject {@code dn}, e.g. {@code CN=alice,O=Example}. */
  public Issued client(String dn) {
    Instant now = Instant.now();
    return issue(ec(), new X500Name(dn), List.of(), List.of(), from(now), to(now), ca, false);
  }

  public static KeyPair ec() {
    return generate("EC", new ECGenParameterSpec("secp256r1"));
  }

  public static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key pair of any JDK algorithm; {@code spec} null takes the algorithm's default. */
  public static KeyPair generate(String alg, AlgorithmParameterSpec spec) {
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

  /** A self-signed EC P-256 certificate with subject {@code CN=cn}, valid from {@code from}. */
  public static Issued selfSigned(String cn, List<String> dnsNames, Instant from, Instant to) {
    return issue(ec(), cn, dnsNames, from, to, null, false);
  }

  /**
   * A certificate with subject {@code CN=cn} for {@code keys}; {@code issuer} null: self-signed.
   */
  public static Issued issue(
      KeyPair keys,
      String cn,
      List<String> dnsNames,
      Instant from,
      Instant to,
      Issued issuer,
      boolean ca) {
    return issue(keys, new X500Name("CN=" + cn), dnsNames, List.of(), from, to, issuer, ca);
  }

  private static Issued issue(
      KeyPair keys,
      X500Name subject,
      List<String> dns,
      List<String> ips,
      Instant from,
      Instant to,
      Issued issuer,
      boolean isCa) {
    return issue(keys, subject, dns, ips, List.of(), from, to, issuer, isCa);
  }

  private static Issued issue(
      KeyPair keys,
      X500Name subject,
      List<String> dns,
      List<String> ips,
      List<String> uris,
      Instant from,
      Instant to,
      Issued issuer,
      boolean isCa) {
    try {
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
      List<GeneralName> names = new ArrayList<>();
      dns.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      ips.forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
      uris.forEach(n -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, n)));
      if (!names.isEmpty()) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      PrivateKey signKey = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
      String sigAlg =
          switch (signKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> "Ed25519"; // the JDK names an Ed25519 key "EdDSA"
          };
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(b.build(new JcaContentSignerBuilder(sigAlg).build(signKey)));
      return new Issued(keys, cert, issuer);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant from(Instant now) {
    return now.minus(Duration.ofHours(1));
  }

  private static Instant to(Instant now) {
    return now.plus(Duration.ofDays(1));
  }

  private static byte[] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text of {@code der} under {@code label}, 64 characters a line. */
  public static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
