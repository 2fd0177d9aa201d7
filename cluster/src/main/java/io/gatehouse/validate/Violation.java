package io.gatehouse.validate;

import org.jspecify.annotations.Nullable;

/**
 * One user error: the field, the offending value and the rule it broke. Renders as {@code
 * paths[0].value: "foo" (expected: starts with '/')}.
 */
public record Violation(String field, @Nullable String value, String rule) {
  private static final int MAX_SHOWN = 120;

  public String message() {
    String shown = value == null ? "null" : quote(value);
    return field + ": " + shown + " (expected: " + rule + ")";
  }

  private static String quote(String v) {
    String cut = v.length() > MAX_SHOWN ? v.substring(0, MAX_SHOWN) + "..." : v;
    StringBuilder b = new StringBuilder(cut.length() + 2).append('"');
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public String toString() {
    return message();
  }
}
