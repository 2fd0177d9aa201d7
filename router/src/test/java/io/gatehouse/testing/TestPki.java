package io.gatehouse.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A certificate authority made per test, and the certificates it issues (EC P-256). */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private final Issued ca;

  /** A key pair and its certificate, with PEM forms. */
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

    public String keyPem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /** A stretch of the key's base64 that any message printing the key would contain. */
    public String keyFragment() {
      String b64 = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
      return b64.substring(16, 56);
    }

    public PemKeyCertOptions keyCertOptions() {
      return new PemKeyCertOptions()
          .setCertValue(Buffer.buffer(chainPem()))
          .setKeyValue(Buffer.buffer(keyPem()));
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
    return new TestPki(issue(ec(), "CN=" + cn, List.of(), List.of(), null, true));
  }

  public Issued caCert() {
    return ca;
  }

  public String caPem() {
    return ca.certPem();
  }

  public PemTrustOptions trustOptions() {
    return new PemTrustOptions().addCertValue(Buffer.buffer(caPem()));
  }

  /** A server certificate for DNS names and IP addresses. */
  public Issued server(List<String> dnsNames, List<String> ips) {
    return issue(
        ec(),
        "CN=" + (dnsNames.isEmpty() ? ips.get(0) : dnsNames.get(0)),
        dnsNames,
        ips,
        ca,
        false);
  }

  /** A client certificate with subject {@code dn}, e.g. {@code CN=alice,O=Example}. */
  public Issued client(String dn) {
    return issue(ec(), dn, List.of(), List.of(), ca, false);
  }

  private static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Issued issue(
      KeyPair keys, String dn, List<String> dns, List<String> ips, Issued issuer, boolean isCa) {
    try {
      Instant now = Instant.now();
      X500Name subject = new X500Name(dn);
      X500Name issuerName =
          issuer == null
              ? subject
              : X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerName,
              BigInteger.valueOf(SERIAL.getAndIncrement()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject,
              keys.getPublic());
      List<GeneralName> names = new ArrayList<>();
      dns.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      ips.forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
      if (!names.isEmpty()) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      java.security.PrivateKey signKey =
          issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signKey)));
      return new Issued(keys, cert, issuer);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
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
