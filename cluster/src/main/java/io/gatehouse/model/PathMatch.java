package io.gatehouse.model;

import java.util.Objects;

public record PathMatch(PathMatchType type, String value) {
  public PathMatch {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
  }

  public static PathMatch exact(String value) {
    return new PathMatch(PathMatchType.EXACT, value);
  }

  public static PathMatch prefix(String value) {
    return new PathMatch(PathMatchType.PREFIX, value);
  }

  public static PathMatch regex(String value) {
    return new PathMatch(PathMatchType.REGULAR_EXPRESSION, value);
  }
}
