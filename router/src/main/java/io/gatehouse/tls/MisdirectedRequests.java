package io.gatehouse.tls;

import java.util.List;
import java.util.Locale;

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
 * certificate the index serves for the SNI name now: the same DNS name, or a wildcard one label
 * above it. The certificate is looked up in the current index, so right after a certificate change
 * it may differ from the one the connection's handshake got. Runs on the event loop: one index
 * lookup.
 */
public final class MisdirectedRequests {
  private MisdirectedRequests() {}

  /**
   * @param index the current certificate index
   * @param sniName the SNI name of the connection, or null
   * @param host the request's host, normalised (lower case, no port, no trailing dot), or null
   */
  public static boolean misdirected(CertificateIndex index, String sniName, String host) {
    if (sniName == null || sniName.isEmpty() || host == null) {
      return false;
    }
    String sni = sniName.toLowerCase(Locale.ROOT);
    if (sni.endsWith(".")) {
      sni = sni.substring(0, sni.length() - 1);
    }
    if (sni.equals(host)) {
      return false;
    }
    return !covers(index.lookup(sni).dnsNames(), host);
  }

  /** Whether one of {@code dnsNames} is {@code host} or a wildcard covering exactly one label. */
  static boolean covers(List<String> dnsNames, String host) {
    if (dnsNames.contains(host)) {
      return true;
    }
    int dot = host.indexOf('.');
    return dot > 0 && dnsNames.contains("*" + host.substring(dot));
  }
}
