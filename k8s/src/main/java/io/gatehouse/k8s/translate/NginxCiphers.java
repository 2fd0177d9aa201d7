package io.gatehouse.k8s.translate;

import java.util.List;
import java.util.Set;

/** The TLS the node's listeners serve, in ingress-nginx's (OpenSSL's) names. */
final class NginxCiphers {
  private NginxCiphers() {}

  /** ingress-nginx's default {@code ssl-ciphers} ({@code configmap.md}). */
  static final String INGRESS_NGINX_DEFAULT =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
          + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
          + "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

  /**
   * The TLS 1.2 suites the node offers (the router's {@code TlsServerOptions.CIPHER_SUITES}, which
   * this module cannot import; TLS 1.3's suites are not configured by {@code ssl-ciphers}).
   */
  static final List<String> NODE_TLS12 =
      List.of(
          "ECDHE-ECDSA-AES128-GCM-SHA256",
          "ECDHE-RSA-AES128-GCM-SHA256",
          "ECDHE-ECDSA-AES256-GCM-SHA384",
          "ECDHE-RSA-AES256-GCM-SHA384",
          "ECDHE-ECDSA-CHACHA20-POLY1305",
          "ECDHE-RSA-CHACHA20-POLY1305");

  /** The protocols the node's listeners offer ({@code TlsServerOptions.PROTOCOLS}). */
  static final Set<String> NODE_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
}
