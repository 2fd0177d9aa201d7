package io.gatehouse.model;

import java.util.Objects;

/** A query parameter condition on the first value of the parameter; names are case-sensitive. */
public record QueryMatch(String name, ValueMatchType type, String value) {
  public QueryMatch {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    value = value == null ? "" : value;
  }
}
