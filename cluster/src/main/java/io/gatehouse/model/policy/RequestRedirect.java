package io.gatehouse.model.policy;

import org.jspecify.annotations.Nullable;

/**
 * Answers the request with a redirect instead of proxying it, as Gateway API's {@code
 * HTTPRequestRedirectFilter}: each part the policy does not give is the request's own (scheme,
 * host, the port the client addressed, the normalised path, the query). A {@code url} instead
 * redirects to one fixed absolute URL whatever the request (ingress-nginx {@code
 * permanent-redirect} and {@code temporal-redirect}); {@code rootOnly} redirects only the path "/"
 * and proxies the rest (ingress-nginx {@code app-root}).
 *
 * @param scheme "http" or "https", or null for the request's
 * @param hostname the host of the Location, or null for the request's (normalised) host
 * @param port the port of the Location, or null: the well-known port of {@code scheme} when it is
 *     given, else the port the client addressed; a scheme's default port is left out of the URL
 * @param path how the path changes, or null to keep it
 * @param statusCode 301, 302, 303, 307 or 308 (302 when a source gives none, as Gateway API)
 * @param url a fixed absolute http(s) URL sent as it is, without the request's path or query; null
 *     for a redirect built from the parts above (not both)
 * @param rootOnly whether only a request for exactly "/" is redirected
 */
public record RequestRedirect(
    @Nullable String scheme,
    @Nullable String hostname,
    @Nullable Integer port,
    @Nullable PathModifier path,
    int statusCode,
    @Nullable String url,
    boolean rootOnly)
    implements PolicySpec {
  public static final int DEFAULT_STATUS = 302;

  /** A redirect built from the request's parts and the ones given here. */
  public static RequestRedirect of(
      @Nullable String scheme,
      @Nullable String hostname,
      @Nullable Integer port,
      @Nullable PathModifier path,
      int statusCode) {
    return new RequestRedirect(scheme, hostname, port, path, statusCode, null, false);
  }

  /** A redirect to one fixed URL. */
  public static RequestRedirect to(String url, int statusCode) {
    return new RequestRedirect(null, null, null, null, statusCode, url, false);
  }
}
