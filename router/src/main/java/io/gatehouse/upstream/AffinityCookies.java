package io.gatehouse.upstream;

import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.StickyCookies;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The values and {@code Set-Cookie} fields of affinity cookies ({@link CookieAffinity}), the
 * pattern of the sticky split cookies ({@code snapshot.StickyCookies}) with the same node key: a
 * value is the first 128 bits of HMAC-SHA256 under the key over the endpoint's host:port, base64url
 * without padding. It names no address, is the same on every event loop and on every node that
 * shares the key ({@code proxy.stickyKeyFile}), stays valid across endpoint changes and config
 * changes while the endpoint stays, and is only ever compared with the values of the balancer's own
 * endpoints, so a forged value selects nothing. The key is in no answer, log line or {@link
 * #toString()}.
 */
public final class AffinityCookies {
  /** A domain prefix: a value never equals a split cookie's over the same bytes. */
  private static final String DOMAIN = "gatehouse-affinity\n";

  private final byte[] key;

  private AffinityCookies(byte[] key) {
    this.key = key.clone();
  }

  /** Cookies under {@code key} (the node's sticky key, at least 16 bytes). */
  public static AffinityCookies withKey(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("affinity key: " + key.length + " bytes (expected: 16+)");
    }
    return new AffinityCookies(key);
  }

  /** The opaque value that pins {@code endpoint}. */
  public String value(Endpoint endpoint) {
    return StickyCookies.token(
        StickyCookies.mac(key), DOMAIN + endpoint.host() + ":" + endpoint.port());
  }

  /**
   * The {@code Set-Cookie} value for {@code value} under {@code spec}, for a request over TLS or
   * not, on a route whose cookie path (when the spec names none) is {@code routePath}.
   */
  public static String setCookie(CookieAffinity spec, String value, boolean tls, String routePath) {
    return StickyCookies.setCookie(
        spec.name(),
        value,
        spec.path() != null ? spec.path() : routePath,
        spec.maxAge(),
        spec.httpOnly(),
        spec.secure() != null ? spec.secure() : tls,
        spec.sameSite());
  }

  /**
   * The cookie path of {@code route} when the affinity names none: its one prefix or exact path, as
   * ingress-nginx uses the location's path; {@code /} for a route with several paths, a regular
   * expression, or none (the default backend).
   */
  public static String routePath(@Nullable CompiledRoute route) {
    if (route == null) {
      return "/";
    }
    List<PathMatch> paths = route.spec().paths();
    PathMatchType type = paths.size() == 1 ? paths.get(0).type() : null;
    if (type == PathMatchType.PREFIX || type == PathMatchType.EXACT) {
      return paths.get(0).value();
    }
    return "/";
  }

  @Override
  public String toString() {
    return "AffinityCookies[key hidden]";
  }
}
