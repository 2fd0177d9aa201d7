package io.gatehouse.model;

/** How a header or query parameter value is compared. */
public enum ValueMatchType {
  /** The value equals the expected string (case-sensitive). */
  EXACT,
  /** The whole value matches an RE2 regular expression. */
  REGULAR_EXPRESSION,
  /** The header or parameter is present, whatever its value. */
  PRESENT
}
