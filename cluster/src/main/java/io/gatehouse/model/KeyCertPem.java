package io.gatehouse.model;

import java.util.Objects;

/**
 * A certificate chain and its private key, both PEM, that Gatehouse presents as a TLS client (to an
 * upstream). Validated like a served certificate, except for DNS names.
 */
public record KeyCertPem(String certificateChainPem, PrivateKeyPem privateKey) {
  public KeyCertPem {
    Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "KeyCertPem[certificateChainPem="
        + certificateChainPem.length()
        + " chars, privateKey="
        + privateKey
        + "]";
  }
}
