package io.gatehouse.model.backend;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The request property a consistent hash is computed over. A request without it (no such header,
 * cookie or parameter) is hashed on nothing and takes the algorithm's fallback pick (round robin),
 * as Envoy does for a missing hash policy value.
 *
 * @param source where the key comes from
 * @param name the header, cookie or query parameter; null for {@link Source#SOURCE_ADDRESS}
 */
public record HashOn(Source source, @Nullable String name) {
  public enum Source {
    HEADER,
    COOKIE,
    QUERY_PARAMETER,
    /** The client address (the connection's, or the trusted forwarded one). */
    SOURCE_ADDRESS
  }

  public HashOn {
    Objects.requireNonNull(source, "source");
  }

  public static HashOn header(String name) {
    return new HashOn(Source.HEADER, name);
  }

  public static HashOn cookie(String name) {
    return new HashOn(Source.COOKIE, name);
  }

  public static HashOn queryParameter(String name) {
    return new HashOn(Source.QUERY_PARAMETER, name);
  }

  public static final HashOn SOURCE_ADDRESS = new HashOn(Source.SOURCE_ADDRESS, null);
}
