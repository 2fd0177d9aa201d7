package io.gatehouse.model.backend;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Sticky sessions to one endpoint, by cookie (ingress-nginx {@code affinity: cookie} and its {@code
 * session-cookie-*} annotations). A request without a valid cookie takes the algorithm's pick and
 * its answer sets the cookie; the value is an opaque keyed hash of the endpoint, never its address.
 * A request whose endpoint is gone or unavailable takes a new pick and, with {@code
 * changeOnFailure}, a new cookie (ingress-nginx {@code session-cookie-change-on-failure}).
 *
 * @param name the cookie's name (a token)
 * @param maxAge {@code Max-Age}; null for a session cookie
 * @param path {@code Path}; null for the route's path (ingress-nginx's default), else as given
 * @param secure {@code Secure} always (true), never (false), or when the request came over TLS
 *     (null)
 * @param sameSite {@code Strict}, {@code Lax} or {@code None}; null for no attribute
 * @param httpOnly whether the cookie carries {@code HttpOnly} (ingress-nginx sets it)
 * @param changeOnFailure whether a request whose pinned endpoint is unavailable gets a new cookie
 *     for the endpoint it went to (else the old cookie stays, and the client returns when the
 *     endpoint is back)
 */
public record CookieAffinity(
    String name,
    @Nullable Duration maxAge,
    @Nullable String path,
    @Nullable Boolean secure,
    @Nullable String sameSite,
    boolean httpOnly,
    boolean changeOnFailure) {

  /** ingress-nginx's default cookie name. */
  public static final String DEFAULT_NAME = "INGRESSCOOKIE";

  public CookieAffinity {
    Objects.requireNonNull(name, "name");
  }

  public static CookieAffinity named(String name) {
    return new CookieAffinity(name, null, null, null, null, true, false);
  }
}
