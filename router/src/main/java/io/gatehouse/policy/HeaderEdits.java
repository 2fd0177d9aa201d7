package io.gatehouse.policy;

/** Edits to one header set (the upstream request's or the client's response), names lower case. */
public interface HeaderEdits {
  void set(String name, String value);

  void add(String name, String value);

  void remove(String name);

  /**
   * Every value of the header as one list (values joined with ", "), or null when it has none; the
   * response filters read the headers they decide on with it.
   */
  default String get(String name) {
    throw new UnsupportedOperationException("this header set cannot be read");
  }
}
