package io.gatehouse.tls;

import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.TlsSpec;
import org.jspecify.annotations.Nullable;

/**
 * What a route's {@link TlsSpec} asks of the data plane: on the plain listener, a redirect to the
 * same URL over HTTPS; on the TLS listener, the {@code Strict-Transport-Security} header. Both
 * apply only to the route's TLS hosts (all its hosts when none are listed; a {@code *.example.com}
 * entry covers one label). ACME HTTP-01 challenges ({@code /.well-known/acme-challenge/...}) are
 * never redirected: a certificate authority fetches them over plain HTTP.
 */
public final class HttpsRedirects {
  public static final String ACME_CHALLENGE = "/.well-known/acme-challenge/";

  private HttpsRedirects() {}

  /** Whether {@code tls} covers {@code host} (normalised); a null host only when no hosts. */
  public static boolean covers(TlsSpec tls, @Nullable String host) {
    if (tls.hosts().isEmpty()) {
      return true;
    }
    return host != null && MisdirectedRequests.covers(tls.hosts(), host);
  }

  /**
   * The redirect status for a plain-HTTP request, or 0 to serve it: the route has TLS with a
   * redirect, covers the host, and the path is not an ACME challenge.
   */
  public static int redirectStatus(
      @Nullable TlsSpec tls, @Nullable String host, @Nullable String path) {
    if (tls == null || tls.redirect() == HttpsRedirect.OFF || host == null) {
      return 0;
    }
    if (path != null && path.startsWith(ACME_CHALLENGE)) {
      return 0;
    }
    return covers(tls, host) ? tls.redirect().status() : 0;
  }

  /**
   * {@code https://host[:port]/path[?query]}; the port is left out when it is 443 or unknown.
   *
   * @param host normalised host (an IPv6 literal without brackets gets them)
   * @param httpsPort the HTTPS listener's port as text, or null
   * @param query the raw query without '?', or null
   */
  public static String location(
      String host, @Nullable String httpsPort, String path, @Nullable String query) {
    StringBuilder b = new StringBuilder(16 + host.length() + path.length()).append("https://");
    if (host.indexOf(':') >= 0) {
      b.append('[').append(host).append(']');
    } else {
      b.append(host);
    }
    if (httpsPort != null && !httpsPort.equals("443")) {
      b.append(':').append(httpsPort);
    }
    b.append(path);
    if (query != null) {
      b.append('?').append(query);
    }
    return b.toString();
  }

  /** The HSTS header value for a TLS response on {@code host}, or null for none. */
  public static @Nullable String hsts(@Nullable TlsSpec tls, @Nullable String host) {
    if (tls == null || !tls.hsts().enabled() || !covers(tls, host)) {
      return null;
    }
    return tls.hsts().headerValue();
  }
}
