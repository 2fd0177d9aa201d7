package io.gatehouse.model;

/**
 * How a route's path is compared with the request path (after normalisation). Paths are
 * case-sensitive.
 */
public enum PathMatchType {
  /** The whole path equals the value. */
  EXACT,
  /**
   * The value's segments are a prefix of the path's segments: {@code /foo} matches {@code
   * /foo/bar}, not {@code /foobar}.
   */
  PREFIX,
  /** Gatehouse treats it as {@link #PREFIX}, as Contour does; documented in docs/routing.md. */
  IMPLEMENTATION_SPECIFIC,
  /** An RE2 regular expression that must match the whole path; linear time, no backtracking. */
  REGULAR_EXPRESSION
}
