package io.gatehouse.accesslog;

/** How an access-log line is written. */
public enum AccessFormat {
  /** One JSON object per line, the fields in the order chosen; an absent value is {@code null}. */
  JSON,
  /**
   * The chosen fields in order, separated by one space: numbers bare, text in double quotes with
   * quotes, backslashes and control characters escaped, an absent value as {@code -}.
   */
  TEXT
}
