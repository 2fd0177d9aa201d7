package io.gatehouse.model.policy;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a rate or concurrency limit counts by: each distinct value has a bucket of its own.
 *
 * @param kind where the value comes from
 * @param name the header name (lower case) for {@link Kind#HEADER}, the claim name for {@link
 *     Kind#CLAIM}; null for the other kinds
 */
public record LimitKey(Kind kind, @Nullable String name) {
  public enum Kind {
    /** The client address (the one every access rule uses). */
    CLIENT_ADDRESS,
    /** A request header's value; a request without it shares one bucket with the others without. */
    HEADER,
    /** A claim of the JWT an earlier {@link JwtAuth} policy verified; none: as for HEADER. */
    CLAIM,
    /** One bucket for the whole route. */
    ROUTE,
    /** One bucket for every route of the route's tenant that names this key. */
    TENANT
  }

  public static final LimitKey CLIENT_ADDRESS = new LimitKey(Kind.CLIENT_ADDRESS, null);

  public LimitKey {
    Objects.requireNonNull(kind, "kind");
  }
}
