package io.gatehouse.model;

import java.util.Objects;

/**
 * A private key in PEM form. Kept in its own type so that no {@code toString()}, log line or
 * violation can print key material by accident: only {@link #pem()} reveals it.
 */
public record PrivateKeyPem(String pem) {
  public PrivateKeyPem {
    Objects.requireNonNull(pem, "pem");
  }

  @Override
  public String toString() {
    return "PrivateKeyPem[redacted]";
  }
}
