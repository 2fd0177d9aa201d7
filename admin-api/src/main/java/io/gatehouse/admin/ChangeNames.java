package io.gatehouse.admin;

import io.gatehouse.model.CertificateKey;
import java.util.regex.Pattern;

/** The name rules of routes and certificates (the contract's ObjectName and CertificateName). */
final class ChangeNames {
  static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9._]{0,251}[a-z0-9])?");
  static final String NAME_RULE = "a-z, 0-9, '-', '.' and '_', 1-253 characters, alphanumeric ends";

  /** Certificates named {@code k8s.*} are written only by the Kubernetes source. */
  static final String RESERVED_RULE =
      "a certificate name not starting with '"
          + CertificateKey.KUBERNETES_PREFIX
          + "' (reserved for certificates from Kubernetes TLS Secrets)";

  private ChangeNames() {}
}
