package io.gatehouse.model;

import java.util.Objects;

/** A request header condition; header names compare case-insensitively. */
public record HeaderMatch(String name, ValueMatchType type, String value) {
  public HeaderMatch {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    value = value == null ? "" : value;
  }
}
