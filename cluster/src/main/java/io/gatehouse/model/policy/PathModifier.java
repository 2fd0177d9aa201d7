package io.gatehouse.model.policy;

import java.util.Objects;

/**
 * How a redirect or a rewrite changes the request path, as Gateway API's {@code HTTPPathModifier}:
 * {@link Type#REPLACE_FULL_PATH} puts {@code value} in place of the whole path; {@link
 * Type#REPLACE_PREFIX_MATCH} puts it in place of the route's matched path prefix, whole segments
 * only ({@code /foo} matched in {@code /foo/bar}, replaced by {@code /xyz}, gives {@code /xyz/bar};
 * a trailing '/' of either is ignored, and an empty or "/" value strips the prefix).
 *
 * @param value a normalised path starting with '/'; for a prefix replacement also "" (strip)
 */
public record PathModifier(Type type, String value) {
  /** The two kinds of Gateway API v1; a later kind is refused by the validator until served. */
  public enum Type {
    REPLACE_FULL_PATH,
    REPLACE_PREFIX_MATCH
  }

  public PathModifier {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
  }

  public static PathModifier fullPath(String value) {
    return new PathModifier(Type.REPLACE_FULL_PATH, value);
  }

  public static PathModifier prefixMatch(String value) {
    return new PathModifier(Type.REPLACE_PREFIX_MATCH, value);
  }
}
