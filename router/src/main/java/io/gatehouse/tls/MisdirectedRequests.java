package io.gatehouse.tls;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * Whether a request on a TLS connection asks for a host the connection was not set up for (RFC 9110
 * §15.5.20, 421 Misdirected Request). A client may reuse an HTTP/2 connection for another host
 * (connection coalescing); when the certificate it was served does not cover that host, the client
 * never verified this server for it, so the request is answered 421 and the client retries on a new
 * connection with the right SNI name.
 *
 * <p>The rule: no SNI name (old clients, IP literals) never gives 421, whatever the default
 * certificate covers; a host equal to the SNI name never does either (the client asked for that
 * name, even if it got the default certificate); otherwise the host must be covered by the
 * certificate the connection's handshake actually got (its session's local certificate): the same
 * DNS name, or a wildcard one label above it. A certificate swapped in after the handshake does not
 * change the verdict. Runs on the event loop; the router reads a session's names once ({@link
 * #dnsNames}) and keeps them with the connection.
 */
public final class MisdirectedRequests {
  private MisdirectedRequests() {}

  /**
   * @param servedDnsNames the DNS names of the certificate the connection was served
   * @param sniName the SNI name of the connection, or null
   * @param host the request's host, normalised (lower case, no port, no trailing dot), or null
   */
  public static boolean misdirected(
      List<String> servedDnsNames, @Nullable String sniName, @Nullable String host) {
    String sni = sniHost(sniName);
    if (sni == null || host == null || sni.equals(host)) {
      return false;
    }
    return !covers(servedDnsNames, host);
  }

  /**
   * An SNI name in the form request hosts are compared in (lower case, no trailing dot); null for
   * none or an empty one.
   */
  public static @Nullable String sniHost(@Nullable String sniName) {
    if (sniName == null || sniName.isEmpty()) {
      return null;
    }
    String sni = sniName.toLowerCase(Locale.ROOT);
    return sni.endsWith(".") ? sni.substring(0, sni.length() - 1) : sni;
  }

  /**
   * The DNS subjectAltNames (lower case) of the leaf certificate a TLS session presented to the
   * client; empty when there is none.
   */
  public static List<String> dnsNames(@Nullable SSLSession session) {
    if (session == null) {
      return List.of();
    }
    Certificate[] local = session.getLocalCertificates();
    if (local == null || local.length == 0 || !(local[0] instanceof X509Certificate leaf)) {
      return List.of();
    }
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (List<?> san : sans) {
        if (san.size() >= 2
            && Integer.valueOf(2).equals(san.get(0))
            && san.get(1) instanceof String n) {
          out.add(n.toLowerCase(Locale.ROOT));
        }
      }
      return List.copyOf(out);
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  /**
   * Whether one of {@code dnsNames} is {@code host} or a wildcard covering exactly one label.
   * Compares in place, without building {@code "*" + suffix}: HSTS asks this for every response.
   */
  static boolean covers(List<String> dnsNames, String host) {
    int dot = host.indexOf('.');
    int suffix = dot > 0 ? host.length() - dot : -1;
    for (int i = 0, n = dnsNames.size(); i < n; i++) {
      String name = dnsNames.get(i);
      if (name.equals(host)
          || (suffix > 0
              && name.length() == suffix + 1
              && name.charAt(0) == '*'
              && name.regionMatches(1, host, dot, suffix))) {
        return true;
      }
    }
    return false;
  }
}
