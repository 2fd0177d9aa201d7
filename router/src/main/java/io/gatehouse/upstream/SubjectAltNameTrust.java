package io.gatehouse.upstream;

import io.gatehouse.model.UpstreamTls;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The chain check of a trust manager, then the subject alternative names of {@link
 * UpstreamTls#subjectAltNames}: the upstream's certificate must carry one of them (Gateway API
 * BackendTLSPolicy, where they replace the host name check). A DNS name matches exactly (case
 * aside) or by a certificate wildcard over its first label; a URI matches exactly.
 */
final class SubjectAltNameTrust extends X509ExtendedTrustManager {
  private static final int DNS = 2;
  private static final int URI = 6;

  private final X509ExtendedTrustManager chain;
  private final List<String> names;

  SubjectAltNameTrust(X509ExtendedTrustManager chain, List<String> names) {
    this.chain = chain;
    this.names = List.copyOf(names);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType, engine);
    checkNames(certs);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType, socket);
    checkNames(certs);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType);
    checkNames(certs);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("an upstream client context checks no client");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("an upstream client context checks no client");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    throw new CertificateException("an upstream client context checks no client");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chain.getAcceptedIssuers();
  }

  /** Whether the leaf carries one of the names; throws naming the expected names when not. */
  void checkNames(X509Certificate[] certs) throws CertificateException {
    if (certs.length == 0) {
      throw new CertificateException("no upstream certificate");
    }
    if (!matches(certs[0], names)) {
      throw new CertificateException(
          "the upstream certificate carries none of the subject alternative names " + names);
    }
  }

  static boolean matches(X509Certificate leaf, List<String> names) throws CertificateException {
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateException("unreadable subject alternative names", e);
    }
    if (sans == null) {
      return false;
    }
    for (List<?> san : sans) {
      if (san.size() < 2 || !(san.get(0) instanceof Integer type)) {
        continue;
      }
      if (!(san.get(1) instanceof String value)) {
        continue;
      }
      for (String wanted : names) {
        if (type == DNS && wanted.startsWith(UpstreamTls.SAN_DNS)) {
          if (dnsMatches(value, wanted.substring(UpstreamTls.SAN_DNS.length()))) {
            return true;
          }
        } else if (type == URI
            && wanted.startsWith(UpstreamTls.SAN_URI)
            && wanted.substring(UpstreamTls.SAN_URI.length()).equals(value)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code presented} (the certificate's) against {@code wanted}: a wildcard covers one label. */
  static boolean dnsMatches(String presented, String wanted) {
    String p = presented.toLowerCase(Locale.ROOT);
    String w = wanted.toLowerCase(Locale.ROOT);
    if (p.equals(w)) {
      return true;
    }
    if (p.startsWith("*.")) {
      int dot = w.indexOf('.');
      return dot > 0 && w.substring(dot).equals(p.substring(1));
    }
    return false;
  }
}
