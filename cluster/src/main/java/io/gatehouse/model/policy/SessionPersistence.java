package io.gatehouse.model.policy;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A sticky choice of the route's split per client, by cookie: named after Gateway API's session
 * persistence (GEP-1619, {@code type: Cookie}). The first proxied answer of a request that the
 * split's weights placed sets a cookie {@code sessionName} whose value identifies the backend
 * picked by an opaque keyed hash of the route and the backend (never its name or address); a later
 * request with that value goes to the same backend while it is still in the split at a weight above
 * 0 and has endpoints, and otherwise takes the weighted pick and gets a new cookie. Header and
 * cookie canary rules still come first (ingress-nginx's precedence): the cookie only fixes the
 * weight draw. It pins a backend of the split, never an endpoint: a route with one backend sets no
 * cookie.
 *
 * @param sessionName the cookie's name (a token)
 * @param absoluteTimeout the cookie's {@code Max-Age}; null for a session cookie (gone when the
 *     browser closes)
 * @param path the cookie's {@code Path}; null for {@code /}
 * @param secure {@code Secure} always (true), never (false), or when the request came over TLS
 *     (null, as ingress-nginx)
 * @param sameSite {@code Strict}, {@code Lax} or {@code None}; null for no attribute
 */
public record SessionPersistence(
    String sessionName,
    @Nullable Duration absoluteTimeout,
    @Nullable String path,
    @Nullable Boolean secure,
    @Nullable String sameSite)
    implements PolicySpec {

  /** A session cookie {@code name} with the defaults. */
  public static SessionPersistence cookie(String name) {
    return new SessionPersistence(name, null, null, null, null);
  }
}
