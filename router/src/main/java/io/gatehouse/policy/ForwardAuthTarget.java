package io.gatehouse.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a forward-auth subrequest goes, parsed once when the route compiles.
 *
 * @param tls whether the scheme is {@code https}
 * @param host the host to connect to (an IPv6 literal without brackets)
 * @param port the port (80 or 443 unless the URL names one)
 * @param uri the request target: the URL's path (at least {@code /}) and query, as written
 * @param hostHeader the Host the subrequest sends (with the port when the URL names one)
 */
public record ForwardAuthTarget(boolean tls, String host, int port, String uri, String hostHeader) {

  /**
   * Parses an {@code http} or {@code https} URL.
   *
   * @throws IllegalArgumentException naming the URL and what was expected
   */
  public static ForwardAuthTarget parse(String url) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "forward auth url: \"" + url + "\" is not a URL (" + e.getReason() + ")");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "forward auth url: \"" + url + "\" (expected: an http or https URL)");
    }
    String host = u.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(
          "forward auth url: \"" + url + "\" (expected: a host name or address)");
    }
    if (u.getRawUserInfo() != null) {
      // Credentials in the URL would be sent to the service in the clear and show in every
      // answer that echoes the route: the service takes its credentials from the request headers.
      throw new IllegalArgumentException(
          "forward auth url: user information is not allowed (expected: scheme://host[:port]/path)");
    }
    if (u.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "forward auth url: \"" + url + "\" has a fragment (expected: none)");
    }
    boolean tls = scheme.equals("https");
    int port = u.getPort() < 0 ? (tls ? 443 : 80) : u.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("forward auth url: port " + port + " (expected: 1-65535)");
    }
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    String uri = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    String lower = host.toLowerCase(Locale.ROOT);
    String hostHeader = u.getPort() < 0 ? lower : lower + ":" + port;
    String connect =
        lower.startsWith("[") && lower.endsWith("]")
            ? lower.substring(1, lower.length() - 1)
            : lower;
    return new ForwardAuthTarget(tls, connect, port, uri, hostHeader);
  }
}
