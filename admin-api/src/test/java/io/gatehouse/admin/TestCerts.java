package io.gatehouse.admin;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed EC P-256 certificates for tests. */
public final class TestCerts {
  public record Pem(String chain, String key) {}

  private TestCerts() {}

  public static Pem selfSigned(String... dnsNames) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      Instant now = Instant.now();
      X500Name name = new X500Name("CN=" + dnsNames[0]);
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              BigInteger.valueOf(now.toEpochMilli()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(30))),
              name,
              kp.getPublic());
      GeneralName[] sans = new GeneralName[dnsNames.length];
      for (int i = 0; i < dnsNames.length; i++) {
        sans[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
      }
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      var holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
      StringWriter cert = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(cert)) {
        w.writeObject(holder);
      }
      StringWriter key = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(key)) {
        w.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null));
      }
      return new Pem(cert.toString(), key.toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String body(Pem pem) {
    return new io.vertx.core.json.JsonObject()
        .put("certificateChainPem", pem.chain())
        .put("privateKeyPem", pem.key())
        .encode();
  }
}
