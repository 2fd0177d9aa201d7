package io.gatehouse.policy;

import io.gatehouse.model.PathMatch;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.validate.TargetPaths;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * User policy {@code RequestRedirect}: answers with a redirect instead of proxying. The Location is
 * built only from validated parts: the policy's literal values (checked by the validator), the
 * request's normalised host and path, the port digits of the authority the client addressed, and
 * the query with every character a query cannot carry percent-encoded. A host that fails its check
 * is answered 400 rather than reflected; a request without a host (HTTP/1.0) is answered 400 unless
 * the policy names one.
 *
 * <p>Built once per route; on a route without it nothing of it runs.
 */
public final class RequestRedirectFilter implements AdmissionFilter {
  static final int BAD_REQUEST = 400;

  private final int status;
  private final @Nullable String url;
  private final @Nullable String scheme;
  private final @Nullable String hostname;
  private final @Nullable String port;
  private final @Nullable PathRewrites path;
  private final boolean rootOnly;

  RequestRedirectFilter(RequestRedirect spec, List<PathMatch> routePaths) {
    this.status = spec.statusCode();
    this.url = spec.url();
    this.scheme = spec.scheme();
    this.hostname = spec.hostname();
    this.port = spec.port() == null ? null : spec.port().toString();
    this.path = spec.path() == null ? null : new PathRewrites(spec.path(), routePaths);
    this.rootOnly = spec.rootOnly();
  }

  @Override
  public int admit(RequestContext r) {
    String requestPath = r.path();
    if (rootOnly && !requestPath.equals("/")) {
      return PROCEED;
    }
    if (url != null) {
      r.location(url);
      return status;
    }
    String s = scheme != null ? scheme : r.tls() ? "https" : "http";
    String host = hostname != null ? hostname : r.host();
    if (host == null || !hostOk(host)) {
      return BAD_REQUEST;
    }
    String p = port;
    if (p == null && scheme == null) {
      // Gateway API: with the scheme kept, the port the client addressed; with a scheme given,
      // that scheme's well-known port.
      p = authorityPort(r.authority());
    }
    if (p != null && p.equals(s.equals("https") ? "443" : "80")) {
      p = null;
    }
    String newPath = path == null ? requestPath : path.apply(requestPath);
    String query = r.query();
    if (query != null) {
      query = TargetPaths.encodeQuery(query);
    }
    StringBuilder b =
        new StringBuilder(
            16 + host.length() + newPath.length() + (query == null ? 0 : query.length()));
    b.append(s).append("://").append(host);
    if (p != null) {
      b.append(':').append(p);
    }
    b.append(newPath);
    if (query != null) {
      b.append('?').append(query);
    }
    r.location(b.toString());
    return status;
  }

  /**
   * A normalised host fit for a URL: a DNS name of lower-case letters, digits, '-', '.' and '_', or
   * a bracketed IPv6 literal of hex digits, ':' and '.'.
   */
  static boolean hostOk(String host) {
    int n = host.length();
    if (n == 0) {
      return false;
    }
    boolean literal = host.charAt(0) == '[';
    if (literal && (n < 3 || host.charAt(n - 1) != ']')) {
      return false;
    }
    for (int i = literal ? 1 : 0; i < (literal ? n - 1 : n); i++) {
      char c = host.charAt(i);
      boolean ok =
          literal
              ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.'
              : (c >= 'a' && c <= 'z')
                  || (c >= '0' && c <= '9')
                  || c == '-'
                  || c == '.'
                  || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The port digits of an authority ({@code host:port}, {@code [v6]:port}), or null. */
  static @Nullable String authorityPort(@Nullable String authority) {
    if (authority == null) {
      return null;
    }
    int colon = authority.lastIndexOf(':');
    if (colon < 0 || authority.indexOf(']', colon) >= 0) {
      return null;
    }
    int n = authority.length() - colon - 1;
    if (n < 1 || n > 5) {
      return null;
    }
    int v = 0;
    for (int i = colon + 1; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      v = v * 10 + (c - '0');
    }
    if (v < 1 || v > 65535) {
      return null;
    }
    return Integer.toString(v);
  }

  @Override
  public String toString() {
    return "RequestRedirectFilter["
        + status
        + " "
        + (url != null ? url : scheme + " " + hostname + " " + port + " " + path)
        + "]";
  }
}
