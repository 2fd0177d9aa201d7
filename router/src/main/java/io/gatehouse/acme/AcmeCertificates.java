package io.gatehouse.acme;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.PrivateKeyPem;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * An issued certificate as the table stores certificates: the chain (leaf first) and the key as
 * PEM, under a certificate name a route's TLS settings refer to. Stored so, it replicates and is
 * served by SNI like a certificate put through the REST API.
 */
public final class AcmeCertificates {
  private AcmeCertificates() {}

  /** The table's certificate entry {@code key} holding {@code issued}. */
  public static CertificateSpec spec(CertificateKey key, OrderOutcome.Issued issued) {
    StringBuilder chain = new StringBuilder();
    for (X509Certificate c : issued.chain()) {
      try {
        chain.append(pem("CERTIFICATE", c.getEncoded()));
      } catch (CertificateEncodingException e) {
        // the certificate was decoded from this very encoding when it was downloaded
        throw new IllegalStateException("cannot re-encode " + c.getSubjectX500Principal(), e);
      }
    }
    // PKCS#8: getEncoded() of a JDK private key; the validator reads "BEGIN PRIVATE KEY"
    return new CertificateSpec(
        key, chain.toString(), new PrivateKeyPem(pem("PRIVATE KEY", issued.key().getEncoded())));
  }

  /** 64-character lines and a final LF, as OpenSSL writes PEM. */
  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
