package io.gatehouse.model;

import org.jspecify.annotations.Nullable;

/**
 * How a backend is reached over TLS. Verification is on by default: the upstream's chain against
 * {@code caBundlePem} (the JDK's trust store when null) and its name against the endpoint's host,
 * or {@code serverName} when set.
 *
 * @param caBundlePem CAs the upstream's certificate must chain to; null = the JDK's trust store
 * @param verifyHostname whether the certificate must name the host (the endpoint's, or {@code
 *     serverName})
 * @param serverName the name sent as SNI and checked against the certificate, for endpoints that
 *     are IP addresses or whose certificate carries another name; null = the endpoint's host
 * @param insecureSkipVerify accept any certificate: no chain or name check. Only when set
 *     explicitly, and logged as a warning
 * @param clientCertificate presented when the upstream asks for one; null = none
 */
public record UpstreamTls(
    @Nullable String caBundlePem,
    boolean verifyHostname,
    @Nullable String serverName,
    boolean insecureSkipVerify,
    @Nullable KeyCertPem clientCertificate) {

  /** Verified against the JDK's trust store, hostname checked, no client certificate. */
  public static final UpstreamTls DEFAULT = new UpstreamTls(null, true, null, false, null);

  public static UpstreamTls withCa(String caBundlePem) {
    return new UpstreamTls(caBundlePem, true, null, false, null);
  }

  public UpstreamTls withServerName(String name) {
    return new UpstreamTls(
        caBundlePem, verifyHostname, name, insecureSkipVerify, clientCertificate);
  }

  public UpstreamTls withClientCertificate(KeyCertPem certificate) {
    return new UpstreamTls(
        caBundlePem, verifyHostname, serverName, insecureSkipVerify, certificate);
  }

  /** Names the settings and sizes; never the key. */
  @Override
  public String toString() {
    return "UpstreamTls[caBundlePem="
        + (caBundlePem == null ? "jdk" : caBundlePem.length() + " chars")
        + ", verifyHostname="
        + verifyHostname
        + ", serverName="
        + serverName
        + ", insecureSkipVerify="
        + insecureSkipVerify
        + ", clientCertificate="
        + clientCertificate
        + "]";
  }
}
