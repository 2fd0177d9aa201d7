package io.gatehouse.model;

import java.util.List;
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
 * @param subjectAltNames when not empty, the certificate must carry one of these names instead of
 *     the host (or {@code serverName}): each {@code DNS:<host name>} or {@code URI:<uri>}, compared
 *     exactly (OpenSSL's notation). Gateway API BackendTLSPolicy's {@code subjectAltNames}: only
 *     the Kubernetes translator writes them, on a Service port (validation refuses them from the
 *     file and REST)
 */
public record UpstreamTls(
    @Nullable String caBundlePem,
    boolean verifyHostname,
    @Nullable String serverName,
    boolean insecureSkipVerify,
    @Nullable KeyCertPem clientCertificate,
    List<String> subjectAltNames) {

  /** The prefix of a DNS name in {@link #subjectAltNames}. */
  public static final String SAN_DNS = "DNS:";

  /** The prefix of a URI in {@link #subjectAltNames}. */
  public static final String SAN_URI = "URI:";

  /** Verified against the JDK's trust store, hostname checked, no client certificate. */
  public static final UpstreamTls DEFAULT = new UpstreamTls(null, true, null, false, null);

  public UpstreamTls {
    // null when read from a payload written before the field
    subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
  }

  /** Without subject alternative names: the host (or {@code serverName}) is verified. */
  public UpstreamTls(
      @Nullable String caBundlePem,
      boolean verifyHostname,
      @Nullable String serverName,
      boolean insecureSkipVerify,
      @Nullable KeyCertPem clientCertificate) {
    this(caBundlePem, verifyHostname, serverName, insecureSkipVerify, clientCertificate, List.of());
  }

  public static UpstreamTls withCa(String caBundlePem) {
    return new UpstreamTls(caBundlePem, true, null, false, null);
  }

  public UpstreamTls withServerName(String name) {
    return new UpstreamTls(
        caBundlePem, verifyHostname, name, insecureSkipVerify, clientCertificate, subjectAltNames);
  }

  public UpstreamTls withClientCertificate(@Nullable KeyCertPem certificate) {
    return new UpstreamTls(
        caBundlePem, verifyHostname, serverName, insecureSkipVerify, certificate, subjectAltNames);
  }

  public UpstreamTls withSubjectAltNames(List<String> names) {
    return new UpstreamTls(
        caBundlePem, verifyHostname, serverName, insecureSkipVerify, clientCertificate, names);
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
        + ", subjectAltNames="
        + subjectAltNames
        + "]";
  }
}
