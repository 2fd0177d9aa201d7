package io.gatehouse.k8s.watch.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemGenerationException;

/**
 * The throwaway PKI of one API server run, like envtest's TinyCA: ECDSA P-256 keys, a serving CA
 * and certificate for {@code localhost}/{@code 127.0.0.1}, a client CA with an admin certificate in
 * {@code system:masters}, and the service-account token signing key. Valid for a day.
 */
final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALIDITY = Duration.ofDays(1);

  /** A key pair and its certificate (the certificate is null for the bare signing key). */
  record Issued(KeyPair keys, X509Certificate cert) {
    String certPem() {
      return pem(cert);
    }

    String keyPem() {
      return privateKeyPem(keys.getPrivate());
    }
  }

  final Issued servingCa;
  final Issued serving;
  final Issued clientCa;
  final Issued admin;
  final KeyPair serviceAccountSigner;

  private TestPki() throws GeneralSecurityException, OperatorCreationException, IOException {
    servingCa = selfSignedCa("gatehouse-envtest-serving-ca");
    serving =
        issue(
            servingCa,
            new X500Name("CN=localhost,O=gatehouse-envtest"),
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth},
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
    clientCa = selfSignedCa("gatehouse-envtest-client-ca");
    admin =
        issue(
            clientCa,
            new X500Name("CN=gatehouse-envtest-admin,O=system:masters"),
            new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth},
            null);
    serviceAccountSigner = ecKeyPair();
  }

  static TestPki generate() {
    try {
      return new TestPki();
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate the test PKI", e);
    }
  }

  /** Writes the files kube-apiserver reads into {@code dir}. */
  void writeServerFiles(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("serving-ca.crt"), servingCa.certPem());
    Files.writeString(dir.resolve("apiserver.crt"), serving.certPem());
    Files.writeString(dir.resolve("apiserver.key"), serving.keyPem());
    Files.writeString(dir.resolve("client-ca.crt"), clientCa.certPem());
    Files.writeString(dir.resolve("admin.crt"), admin.certPem());
    Files.writeString(dir.resolve("admin.key"), admin.keyPem());
    Files.writeString(
        dir.resolve("sa-signer.key"), privateKeyPem(serviceAccountSigner.getPrivate()));
    Files.writeString(dir.resolve("sa-signer.pub"), pem(serviceAccountSigner.getPublic()));
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static Issued selfSignedCa(String commonName)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    KeyPair keys = ecKeyPair();
    X500Name name = new X500Name("CN=" + commonName + ",O=gatehouse-envtest");
    X509v3CertificateBuilder builder = builder(name, name, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Issued(keys, sign(builder, keys));
  }

  private static Issued issue(
      Issued ca, X500Name subject, KeyPurposeId[] purposes, GeneralNames subjectAltNames)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    KeyPair keys = ecKeyPair();
    X509v3CertificateBuilder builder =
        builder(
            X500Name.getInstance(ca.cert.getSubjectX500Principal().getEncoded()), subject, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
    builder.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.cert));
    if (subjectAltNames != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
    }
    return new Issued(keys, sign(builder, ca.keys));
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys)
      throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(VALIDITY)),
            subject,
            keys.getPublic());
    builder.addExtension(
        Extension.subjectKeyIdentifier,
        false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
    return builder;
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * PKCS#8 ({@code PRIVATE KEY}), which carries the curve: BouncyCastle's traditional encoding of a
   * JDK EC key drops it, and Go then rejects the key.
   */
  static String privateKeyPem(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null).generate());
    } catch (PemGenerationException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] pemBytes(Object object) {
    return pem(object).getBytes(StandardCharsets.US_ASCII);
  }
}
