package io.gatehouse.model;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Client certificates (downstream mutual TLS) for a route's HTTPS hosts. The certificate is
 * requested only on connections whose SNI name is such a host, and verified against {@code
 * caBundlePem} for each request routed here; the verified identity reaches the upstream in the
 * headers named below, which Gatehouse always removes from client requests first.
 *
 * @param mode {@link Mode#NONE} asks for nothing; {@link Mode#OPTIONAL} forwards a verified
 *     certificate and lets requests without one through; {@link Mode#REQUIRED} answers 403 to a
 *     request without a verified certificate. A certificate that is sent but does not verify is
 *     refused in both modes.
 * @param caBundlePem the CAs (one or more {@code CERTIFICATE} blocks) that client certificates must
 *     chain to; null with {@link Mode#NONE}
 * @param verifyDepth the most certificates a client's chain may hold between its leaf and a CA of
 *     the bundle (ingress-nginx {@code auth-tls-verify-depth}, default 1); 0: no limit
 * @param passCertificate whether the verified leaf reaches the upstream, PEM and URL-encoded, in
 *     {@link #CERTIFICATE_HEADER} (ingress-nginx {@code auth-tls-pass-certificate-to-upstream})
 */
public record ClientAuth(
    Mode mode, @Nullable String caBundlePem, int verifyDepth, boolean passCertificate) {
  /** Whether and how a client certificate is asked for. */
  public enum Mode {
    NONE,
    OPTIONAL,
    REQUIRED
  }

  /** The leaf's subject, RFC 2253, with bytes outside printable ASCII percent-encoded (UTF-8). */
  public static final String SUBJECT_HEADER = "x-client-cert-subject";

  /** SHA-256 of the leaf's DER, lower-case hex. */
  public static final String SHA256_HEADER = "x-client-cert-sha256";

  /** {@code SUCCESS} with a verified certificate, {@code NONE} without one. */
  public static final String VERIFIED_HEADER = "x-client-cert-verified";

  /** The verified leaf, PEM, URL-encoded, as ingress-nginx's {@code ssl-client-cert}. */
  public static final String CERTIFICATE_HEADER = "ssl-client-cert";

  /** ingress-nginx's default {@code auth-tls-verify-depth}. */
  public static final int DEFAULT_VERIFY_DEPTH = 1;

  public static final ClientAuth NONE = new ClientAuth(Mode.NONE, null);

  public ClientAuth {
    Objects.requireNonNull(mode, "mode");
    if (verifyDepth < 0) {
      throw new IllegalArgumentException("verifyDepth must be 0 or more");
    }
  }

  /** No depth limit, the certificate not passed: what routes had before these two settings. */
  public ClientAuth(Mode mode, @Nullable String caBundlePem) {
    this(mode, caBundlePem, 0, false);
  }

  public static ClientAuth optional(String caBundlePem) {
    return new ClientAuth(Mode.OPTIONAL, caBundlePem);
  }

  public static ClientAuth required(String caBundlePem) {
    return new ClientAuth(Mode.REQUIRED, caBundlePem);
  }

  public boolean enabled() {
    return mode != Mode.NONE;
  }

  /** Names the mode and the bundle's size, not its text. */
  @Override
  public String toString() {
    return "ClientAuth["
        + mode
        + (caBundlePem == null ? "" : ", caBundlePem=" + caBundlePem.length() + " chars")
        + (verifyDepth == 0 ? "" : ", verifyDepth=" + verifyDepth)
        + (passCertificate ? ", passCertificate" : "")
        + "]";
  }
}
