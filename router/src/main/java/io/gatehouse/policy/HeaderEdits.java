package io.gatehouse.policy;

/** Edits to one header set (the upstream request's or the client's response), names lower case. */
public interface HeaderEdits {
  void set(String name, String value);

  void add(String name, String value);

  void remove(String name);
}
