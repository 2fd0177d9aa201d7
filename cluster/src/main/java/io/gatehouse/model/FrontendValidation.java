package io.gatehouse.model;

import java.util.Objects;

/**
 * Client certificates on a Gateway socket (Gateway API {@code spec.tls.frontend}), checked in the
 * TLS handshake for every connection of the socket, whatever its SNI name. Not a {@link
 * ClientAuth}: a route's {@code OPTIONAL} refuses a certificate that does not verify, where {@code
 * AllowInsecureFallback} lets it through.
 *
 * @param caBundlePem the CAs (one or more {@code CERTIFICATE} blocks) a client's chain must reach
 * @param insecureFallback Gateway API {@code AllowInsecureFallback}: a certificate is asked for,
 *     and a connection without one, or with one that does not verify, is still served; false
 *     ({@code AllowValidOnly}): the handshake fails without a certificate that chains to the bundle
 */
public record FrontendValidation(String caBundlePem, boolean insecureFallback) {
  public FrontendValidation {
    Objects.requireNonNull(caBundlePem, "caBundlePem");
  }

  /** Names the mode and the bundle's size, not its text. */
  @Override
  public String toString() {
    return "FrontendValidation["
        + (insecureFallback ? "AllowInsecureFallback" : "AllowValidOnly")
        + ", caBundlePem="
        + caBundlePem.length()
        + " chars]";
  }
}
