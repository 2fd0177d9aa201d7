package io.gatehouse.validate;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A client certificate that {@link CertificateValidator#validateClientCertificate} accepted, parsed
 * once: ready to present.
 *
 * @param chain the leaf first, each certificate signed by the next
 * @param privateKey the leaf's key; never printed
 */
public record ValidKeyCert(List<X509Certificate> chain, PrivateKey privateKey) {
  public ValidKeyCert {
    chain = List.copyOf(chain);
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Names the leaf, never the key. */
  @Override
  public String toString() {
    return "ValidKeyCert[subject="
        + chain.get(0).getSubjectX500Principal().getName()
        + ", chain="
        + chain.size()
        + " certificates, privateKey=redacted]";
  }
}
