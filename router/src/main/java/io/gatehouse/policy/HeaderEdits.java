package io.gatehouse.policy;

import org.jspecify.annotations.Nullable;

/** Edits to one header set (the upstream request's or the client's response), names lower case. */
public interface HeaderEdits {
  /**
   * Every value of the header as one list, joined with {@code ", "} as RFC 9110 combines field
   * lines, or null when it has none (read before merging, e.g. {@code Vary}).
   */
  @Nullable String get(String name);

  void set(String name, String value);

  void add(String name, String value);

  void remove(String name);
}
