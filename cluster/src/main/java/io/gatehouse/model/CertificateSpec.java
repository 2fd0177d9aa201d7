package io.gatehouse.model;

import java.util.Objects;

/**
 * A certificate as its source described it: the chain and the private key, both PEM. Only a spec
 * that {@code CertificateValidator} accepted is safe to serve.
 *
 * @param certificateChainPem the leaf first, then each intermediate in turn; the root may be left
 *     out
 * @param privateKey the leaf's key: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA
 *     PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}), unencrypted
 */
public record CertificateSpec(
    CertificateKey key, String certificateChainPem, PrivateKeyPem privateKey) {
  public CertificateSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Names the certificate and the size of its chain; never prints the key. */
  @Override
  public String toString() {
    return "CertificateSpec[key="
        + key
        + ", certificateChainPem="
        + certificateChainPem.length()
        + " chars, privateKey="
        + privateKey
        + "]";
  }
}
